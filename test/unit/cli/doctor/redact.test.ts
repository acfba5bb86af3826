import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../../../src/cli/doctor/redact";

const name = fc
  .stringMatching(/^[a-z][a-z0-9-]{2,20}[a-z0-9]$/)
  .filter((n) => !["default", "subscriptions", "providers", "resourcegroups"].includes(n));

describe("report redaction", () => {
  it("no GUID or resource name of an id survives, and the same value gets the same stand-in (property)", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), name, name, name, (sub, principal, rg, service, server) => {
        fc.pre(new Set([rg, service, server]).size === 3);
        const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.StorageSync/storageSyncServices/${service}`;
        const report = {
          target: { serviceId: id },
          checks: [
            { title: `x at ${id}`, detail: `server ${server} uses principal ${principal}; '${id}/registeredServers'` },
          ],
        };
        const redacted = new Redactor(report, [server]).apply(report);
        const text = JSON.stringify(redacted).toLowerCase();
        for (const secret of [sub, principal, rg, service, server]) expect(text).not.toContain(secret.toLowerCase());
        expect(redacted.checks[0]?.title).toBe(`x at ${redacted.target.serviceId}`);
      }),
    );
  });

  it("keeps Azure's public constants and the words of ARM ids", () => {
    const role = "92b92042-07d9-4307-87f7-36a593fc5850";
    const text = `/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/roleDefinitions/${role}`;
    const out = new Redactor({ text }, [], new Set([role])).apply({ text }).text;
    expect(out).toBe(
      `/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    );
  });

  it("replaces host names of URLs", () => {
    const text = "no event subscription delivers to https://func-afs.azurewebsites.net/runtime/webhooks/eventgrid";
    expect(new Redactor({ text }, []).apply({ text }).text).toBe(
      "no event subscription delivers to https://name-1/runtime/webhooks/eventgrid",
    );
  });
});
