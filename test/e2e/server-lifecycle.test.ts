import { MicrosoftStorageSync } from "@azure/arm-storagesync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idKey } from "../../dev/emulator/resource-id";
import type { AppApiClient, RunStatus, ServiceDetail } from "../../dev/host/app-api-client";
import type { LocalStack } from "../../dev/host/local-stack";
import {
  E2E_TEST_TIMEOUT_MS,
  assignmentsOf,
  duplicateAssignments,
  emulatorCredential,
  eventually,
  serverReaches,
  serverStatus,
  startE2EStack,
} from "./support/e2e-stack";
import {
  BR02,
  BR02_VM,
  FILE_DATA_PRIVILEGED_CONTRIBUTOR,
  FINANCE_SHARE,
  FS01,
  FS01_MACHINE,
  FS06_MACHINE,
  HR_ACCOUNT,
  SSS_BRANCH,
  SSS_PROD,
  SUB2,
  demoSeedWithNewMachine,
} from "./support/seeds";

// The product end to end: emulator events → host webhook → app → queue → reconcile → status API.
describe("server lifecycle, end to end", () => {
  let stack: LocalStack;
  let api: AppApiClient;

  beforeAll(async () => {
    ({ stack, api } = await startE2EStack("life", { emulator: { seed: demoSeedWithNewMachine() } }));
  });

  afterAll(async () => {
    await stack?.stop();
  }, E2E_TEST_TIMEOUT_MS);

  it(
    "a server registers → event → reconcile → Switched → Active",
    async () => {
      const serverResourceId = await stack.emulator.admin.registerServer({
        serviceId: SSS_PROD,
        serverName: "fs06.contoso.local",
        agentVersion: "21.2.0.0",
      });
      const serverId = serverResourceId.split("/").pop() ?? "";
      const machinePrincipal = stack.emulator.core.state.machines.get(idKey(FS06_MACHINE))?.identity?.principalId;

      const active = await serverReaches(api, SSS_PROD, serverId, "Active");
      expect(active.principalId).toBe(machinePrincipal);
      expect(active).toMatchObject({ activeAuthType: "ManagedIdentity" });
      expect(active.switchAttempts).toBeGreaterThanOrEqual(1); // it went through Switched
      const raw = await stack.emulator.admin.getServer(serverResourceId);
      expect(raw).toMatchObject({ activeAuthType: "ManagedIdentity", applicationId: machinePrincipal });

      // The reconcile was triggered by the event, and the host saw the Event Grid delivery.
      expect(
        stack.host.logs.some(
          (e) =>
            e.functionName === "armEvents" && String(e.message).startsWith("Executed 'Functions.armEvents' (Succeeded"),
        ),
      ).toBe(true);
      const detail = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_PROD)}`);
      expect(detail.body.service).toMatchObject({ useIdentity: true });
      expect(detail.body.recentRuns.length).toBeGreaterThan(0);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "an Arc identity reset of a switched server: machine write event → repair (grant, then PATCH identity + applicationId) → Active",
    async () => {
      const before = await serverReaches(api, SSS_PROD, FS01, "Active");
      const newPrincipal = await stack.emulator.admin.setMachineIdentity(FS01_MACHINE, "reset");
      expect(newPrincipal).toBeTruthy();
      expect(newPrincipal).not.toBe(before.principalId);

      const after = await eventually(
        "fs01 Active on its new principal",
        async () => {
          const status = await serverStatus(api, SSS_PROD, FS01);
          return status?.state === "Active" && status.principalId === newPrincipal ? status : undefined;
        },
        45_000,
      );
      expect(after.activeAuthType).toBe("ManagedIdentity");
      // Switched again: the service now uses the new principal for fs01.
      const raw = await stack.emulator.admin.getServer(`${SSS_PROD}/registeredServers/${FS01}`);
      expect(raw).toMatchObject({ applicationId: newPrincipal, activeAuthType: "ManagedIdentity" });
      // The new identity holds the file-share role on fs01's share (sg-finance).
      expect(assignmentsOf(stack.emulator, newPrincipal ?? "")).toContainEqual({
        scope: FINANCE_SHARE,
        roleId: FILE_DATA_PRIVILEGED_CONTRIBUTOR,
      });
      // The agent could not report the new identity (broken trust): a run repaired it, after granting it.
      const detail = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_PROD)}`);
      const runs = await Promise.all(
        detail.body.recentRuns.map((r) => api.get<RunStatus>(`/runs/${encodeURIComponent(r.runId)}`)),
      );
      const repairRun = runs.map((r) => r.body).find((r) => r.plan?.some((a) => a.kind === "repairServer"));
      expect(repairRun?.plan?.map((a) => a.kind)).toEqual(["grantRole", "repairServer"]);
      expect(repairRun?.outcomes?.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "a server without identity stays so, and is brought over once its identity appears",
    async () => {
      const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_BRANCH });
      expect(accepted.status).toBe(202);
      const waiting = await serverReaches(api, SSS_BRANCH, BR02, "NoIdentity");
      expect(waiting.principalId).toBeUndefined();

      const principal = await stack.emulator.admin.setMachineIdentity(BR02_VM, "enable");
      const active = await eventually(
        "br02 Active once its VM identity appears",
        async () => {
          const status = await serverStatus(api, SSS_BRANCH, BR02);
          return status?.state === "Active" ? status : undefined;
        },
        30_000,
      );
      expect(active.principalId).toBe(principal);
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "a new cloud endpoint gets its grants",
    async () => {
      const client = new MicrosoftStorageSync(emulatorCredential(stack.emulator), SUB2, {
        endpoint: stack.emulator.armEndpoint,
        apiVersion: "2022-09-01",
      });
      await client.syncGroups.create("rg-branch", "sss-branch", "sg-hr-archive", {});
      await client.cloudEndpoints.beginCreateAndWait(
        "rg-branch",
        "sss-branch",
        "sg-hr-archive",
        "ce-hr-archive",
        { storageAccountResourceId: HR_ACCOUNT, azureFileShareName: "hr" },
        { updateIntervalInMs: 50 },
      );
      const servicePrincipal = stack.emulator.core.state.services.get(idKey(SSS_BRANCH))?.identity?.principalId;
      expect(servicePrincipal).toBeTruthy();
      const hrShare = `${HR_ACCOUNT}/fileServices/default/fileshares/hr`;
      await eventually("the service identity's grant on the new endpoint's share", async () =>
        assignmentsOf(stack.emulator, servicePrincipal ?? "").some(
          (a) => a.scope.toLowerCase() === hrShare.toLowerCase() && a.roleId === FILE_DATA_PRIVILEGED_CONTRIBUTOR,
        )
          ? true
          : undefined,
      );
      expect(duplicateAssignments(stack.emulator)).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
  it(
    "an Arc identity reset whose machine event is lost is repaired by the next full re-run, found from state",
    async () => {
      const before = await serverReaches(api, SSS_PROD, FS01, "Active");
      // The event never arrives: no webhook while the identity changes.
      await stack.emulator.admin.removeWebhook(stack.webhookUrl);
      const newPrincipal = await stack.emulator.admin.setMachineIdentity(FS01_MACHINE, "reset");
      await stack.emulator.admin.flushEvents();
      await stack.emulator.admin.addWebhook(stack.webhookUrl);
      expect(newPrincipal).toBeTruthy();
      expect(newPrincipal).not.toBe(before.principalId);

      const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { all: true });
      expect(accepted.status).toBe(202);
      const after = await eventually(
        "fs01 Active on its new principal after the full re-run",
        async () => {
          const status = await serverStatus(api, SSS_PROD, FS01);
          return status?.state === "Active" && status.principalId === newPrincipal ? status : undefined;
        },
        45_000,
      );
      expect(after.activeAuthType).toBe("ManagedIdentity");
      expect(assignmentsOf(stack.emulator, newPrincipal ?? "")).toContainEqual({
        scope: FINANCE_SHARE,
        roleId: FILE_DATA_PRIVILEGED_CONTRIBUTOR,
      });
      expect(duplicateAssignments(stack.emulator)).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
