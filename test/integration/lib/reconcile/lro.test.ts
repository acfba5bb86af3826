import { describe, expect, it } from "vitest";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { getStorageSyncService } from "../../../../src/lib/azure/storage-sync";
import { reconcileService } from "../../../../src/lib/reconcile";
import {
  ACCOUNT_A,
  SERVICE_ID,
  SETTINGS,
  eligibleServer,
  serverResourceId,
  useEngineHarness,
  syncGroupOn,
  tenant,
} from "../../support/reconcile-harness";

const harness = useEngineHarness();

/**
 * ARM may answer a long-running write with 202 and only one of the two status
 * headers. The emulator always sends both; this policy drops one from every
 * 202 on the wire, so the engine's poller must work from the other alone.
 */
function dropHeaderOf202(header: string): PipelinePolicy {
  return {
    name: `drop-${header}-of-202`,
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 202) response.headers.delete(header);
      return response;
    },
  };
}

describe("long-running writes, and the resource read after them", () => {
  it.each([
    ["Azure-AsyncOperation only", "location", "OperationStatus_Get"],
    ["Location only", "azure-asyncoperation", "StorageSync_OperationResults"],
  ] as const)("with %s: polled to the end, then the resource is read again", async (_, dropped, pollOperation) => {
    await harness.load(
      tenant({ servers: [eligibleServer(1)], syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])] }),
      { lroMode: "async" },
    );
    const arm = harness.connectWith(dropHeaderOf202(dropped));

    const report = await reconcileService(arm, SERVICE_ID, { dryRun: false, settings: SETTINGS });
    expect(report.converged).toBe(true);
    const calls = await harness.emulator.admin.calls();
    // enable, useIdentity, switch: three 202s, each polled through the remaining header only.
    expect(calls.byOperation[pollOperation]?.reads ?? 0).toBeGreaterThanOrEqual(3);
    const other = pollOperation === "OperationStatus_Get" ? "StorageSync_OperationResults" : "OperationStatus_Get";
    expect(calls.byOperation[other]).toBeUndefined();

    // What the report says is what ARM holds once the operations ended (read after the poll, not the 202's empty body).
    const service = await getStorageSyncService(harness.arm, SERVICE_ID);
    expect(service).toMatchObject({ identity: { type: "SystemAssigned" }, useIdentity: true });
    expect(report.service).toMatchObject({
      identityType: "SystemAssigned",
      principalId: service.identity.principalId,
      useIdentity: true,
    });
    expect((await harness.emulator.admin.getServer(serverResourceId(1))).identity).toBe(true);
  });

  it("an operation that ends Failed fails its action with ARM's code and message; what depends on it is skipped", async () => {
    await harness.load(
      tenant({ servers: [eligibleServer(1)], syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])] }),
      { lroMode: "async" },
    );
    // ARM's status body for a failed operation, in place of the first status poll the emulator answers.
    let failed = false;
    const arm = harness.connectWith({
      name: "first-operation-fails",
      async sendRequest(request, next) {
        const response = await next(request);
        if (!failed && request.method === "GET" && /\/operations\//i.test(request.url)) {
          failed = true;
          response.bodyAsText = JSON.stringify({
            status: "Failed",
            error: { code: "IdentityProvisioningFailed", message: "The identity could not be created." },
          });
        }
        return response;
      },
    });

    const report = await reconcileService(arm, SERVICE_ID, { dryRun: false, settings: SETTINGS });
    expect(report.converged).toBe(false);
    const byId = new Map(report.outcomes.map((o) => [o.actionId, o]));
    expect(byId.get("enable-service-identity")).toMatchObject({
      status: "failed",
      error: { code: "IdentityProvisioningFailed", message: "The identity could not be created." },
    });
    expect(byId.get("set-use-identity")).toMatchObject({ status: "skipped" });
    for (const a of report.plan)
      if (a.kind === "grantRole" && a.principal.kind === "service") expect(byId.get(a.id)?.status).toBe("skipped");
  });

  it("fails the enable clearly when the service comes back without a principalId, granting nothing to a missing identity", async () => {
    await harness.load(
      tenant({ servers: [eligibleServer(1)], syncGroups: [syncGroupOn("sg", ACCOUNT_A, "share1", [1])] }),
      { lroMode: "sync" },
    );
    // The service as ARM might answer while the identity is still being created: a type but no principalId.
    const arm = harness.connectWith({
      name: "service-without-principal",
      async sendRequest(request, next) {
        const response = await next(request);
        if (request.method === "GET" && /\/storageSyncServices\/sss\?/i.test(request.url) && response.bodyAsText) {
          const body = JSON.parse(response.bodyAsText) as { identity?: Record<string, unknown> };
          if (body.identity) body.identity.principalId = "00000000-0000-0000-0000-000000000000";
          response.bodyAsText = JSON.stringify(body);
        }
        return response;
      },
    });

    const report = await reconcileService(arm, SERVICE_ID, { dryRun: false, settings: SETTINGS });
    const byId = new Map(report.outcomes.map((o) => [o.actionId, o]));
    expect(byId.get("enable-service-identity")).toMatchObject({ status: "failed", error: { code: "NoPrincipalId" } });
    expect(byId.get("enable-service-identity")?.error?.message).toContain("no principalId");
    expect(byId.get("set-use-identity")).toMatchObject({ status: "skipped" });
    expect(report.converged).toBe(false);
    expect((await harness.emulator.admin.calls()).byOperation["RoleAssignments_Create"]?.writes).toBe(1); // the server's own grant only
  });
});
