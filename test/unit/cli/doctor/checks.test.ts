import { describe, expect, it } from "vitest";
import { parseDoctorArgs } from "../../../../src/cli/doctor/args";
import { requiredSettings, unmetSettings } from "../../../../src/cli/doctor/app-settings";
import { deliversTo, eventSubscriptionGaps } from "../../../../src/cli/doctor/event-subscription";
import { countedAssignments, limitStatus } from "../../../../src/cli/doctor/limits";
import { HANDLED_OPERATION_NAMES } from "../../../../src/lib/events/classify";

const SUB = "11111111-1111-4111-8111-111111111111";
const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss`;
const APP = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/func`;

describe("limits", () => {
  it("ok below 90 %, a warning from 90 % to the limit, a problem above it", () => {
    expect(limitStatus(3599, 4000)).toBe("ok");
    expect(limitStatus(3600, 4000)).toBe("warning");
    expect(limitStatus(4000, 4000)).toBe("warning");
    expect(limitStatus(4001, 4000)).toBe("problem");
    expect(limitStatus(13, 15)).toBe("ok");
    expect(limitStatus(14, 15)).toBe("warning");
  });

  it("counts assignments at the subscription and below, not those of management groups or the root", () => {
    const at = (scope: string) => ({ properties: { scope } });
    const items = [
      at(`/subscriptions/${SUB}`),
      at(`/subscriptions/${SUB}/resourceGroups/rg`),
      at("/"),
      at("/providers/Microsoft.Management/managementGroups/mg"),
      at(`/subscriptions/${SUB}0`),
    ];
    expect(countedAssignments(items, SUB)).toBe(2);
  });
});

describe("event subscription", () => {
  const good = {
    properties: {
      destination: {
        endpointType: "WebHook",
        properties: { endpointBaseUrl: "https://func.azurewebsites.net/runtime/webhooks/eventgrid" },
      },
      filter: {
        subjectBeginsWith: `/subscriptions/${SUB}/`,
        includedEventTypes: ["Microsoft.Resources.ResourceWriteSuccess"],
        advancedFilters: [
          { operatorType: "StringIn", key: "data.operationName", values: [...HANDLED_OPERATION_NAMES] },
        ],
      },
      deadLetterDestination: { endpointType: "StorageBlob" },
    },
  };

  it("delivers to the app's webhook host or the app's function", () => {
    expect(deliversTo(good, APP, "func.azurewebsites.net")).toBe(true);
    expect(deliversTo(good, APP, "other.azurewebsites.net")).toBe(false);
    expect(
      deliversTo(
        {
          properties: {
            destination: { endpointType: "AzureFunction", properties: { resourceId: `${APP}/functions/armEvents` } },
          },
        },
        APP,
        "",
      ),
    ).toBe(true);
  });

  it("the deployed shape has no gap; each departure is named", () => {
    expect(eventSubscriptionGaps(good, [SERVICE])).toEqual([]);
    const narrow = structuredClone(good);
    narrow.properties.filter.subjectBeginsWith = `/subscriptions/${SUB}/resourceGroups/other`;
    narrow.properties.filter.advancedFilters[0]!.values = HANDLED_OPERATION_NAMES.slice(1);
    const { deadLetterDestination: _dropped, ...withoutDeadLetter } = narrow.properties;
    const gaps = eventSubscriptionGaps({ properties: withoutDeadLetter }, [SERVICE]);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toContain(HANDLED_OPERATION_NAMES[0]);
    expect(gaps[1]).toContain(SERVICE);
    expect(gaps[2]).toContain("dead-letter");
  });
});

describe("app settings by name", () => {
  it("identity-based storage or a connection string; AZURE_CLIENT_ID only without a system identity", () => {
    const required = requiredSettings(false);
    expect(unmetSettings(["MANAGED_SCOPES", "AzureWebJobsStorage", "AZURE_CLIENT_ID"], required)).toEqual([]);
    expect(
      unmetSettings(
        [
          "managed_scopes",
          "AzureWebJobsStorage__queueServiceUri",
          "AzureWebJobsStorage__tableServiceUri",
          "AZURE_CLIENT_ID",
        ],
        required,
      ),
    ).toEqual([]);
    expect(
      unmetSettings(["MANAGED_SCOPES", "AzureWebJobsStorage__queueServiceUri"], required).map((r) => r.why),
    ).toHaveLength(2);
    expect(unmetSettings(["MANAGED_SCOPES", "AzureWebJobsStorage"], requiredSettings(true))).toEqual([]);
  });
});

describe("doctor arguments", () => {
  it("takes plan's scopes, --app, --json, --report and --no-redact", () => {
    expect(parseDoctorArgs([SERVICE, "--app", APP, "--report", "r.json"])).toEqual({
      target: { serviceId: SERVICE },
      appId: APP,
      json: false,
      reportFile: "r.json",
      redact: true,
    });
    expect(parseDoctorArgs(["--subscription", SUB, "--json"])).toEqual({
      target: { subscriptionId: SUB },
      json: true,
      redact: true,
    });
  });

  it("refuses what it cannot use, saying what is wrong", () => {
    expect(() => parseDoctorArgs([SERVICE, "--app", SERVICE])).toThrow(/--app must be a function app resource id/);
    expect(() => parseDoctorArgs([SERVICE, "--no-redact"])).toThrow(/--no-redact only applies to --report/);
    expect(() => parseDoctorArgs([])).toThrow(/missing Storage Sync Service id/);
  });
});
