import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idKey } from "../../dev/emulator/resource-id";
import type { AppApiClient, RunStatus, ServiceDetail } from "../../dev/host/app-api-client";
import type { LocalStack } from "../../dev/host/local-stack";
import {
  E2E_TEST_TIMEOUT_MS,
  assignmentIds,
  duplicateAssignments,
  eventually,
  startE2EStack,
  undeterministicAssignments,
} from "./support/e2e-stack";
import { SSS_PROD } from "./support/seeds";
import { createStoreTables } from "../../src/lib/tables/clients";
import { decodeRow } from "../../src/lib/tables/entity";
import { claimsWrite, writeRowSchema, type WriteRecord } from "../../src/lib/store/rows";
import { getRun, listDuplicateDeliveries } from "../../src/lib/store/run";
import { parseRunId } from "../../src/lib/tables/run-id";
import { QueueClient } from "@azure/storage-queue";

// The host dies (SIGKILL) in the middle of a reconcile; started again, it finishes the work without duplicating
// anything.
describe("host killed mid-reconcile, end to end", () => {
  let stack: LocalStack;
  let api: AppApiClient;

  beforeAll(async () => {
    // A short app lease, so the dead worker's lease on the service expires soon.
    ({ stack, api } = await startE2EStack("crash", { appSettings: { LEASE_DURATION: "PT4S" } }));
  });

  afterAll(async () => {
    await stack?.stop();
  }, E2E_TEST_TIMEOUT_MS);

  it(
    "completes the work after a restart, with no duplicate role assignments",
    async () => {
      // Slow role-assignment writes keep the reconcile in flight long enough to kill it mid-way.
      await stack.emulator.admin.addFault({
        match: { pathContains: "/roleAssignments/", method: "PUT" },
        effect: { kind: "latency", ms: 1_500 },
      });
      const seeded = assignmentIds(stack.emulator);
      const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_PROD });
      expect(accepted.status).toBe(202);

      // Mid-reconcile: the worker started and the service identity exists (it was enabled by this run), grants still
      // pending.
      await stack.host.waitForLog((e) => String(e.message).startsWith("Executing 'Functions.reconcileWorker'"), 30_000);
      await eventually("the run to have written the service identity", async () =>
        stack.emulator.core.state.services.get(idKey(SSS_PROD))?.identity?.principalId ? true : undefined,
      );
      const killed = stack.host;
      await killed.kill();
      expect(killed.child.signalCode).toBe("SIGKILL");
      expect(
        killed.logs.some((e) => String(e.message).startsWith("Executed 'Functions.reconcileWorker' (Succeeded")),
      ).toBe(false);

      await stack.emulator.admin.clearFaults();
      const restarted = await stack.restartHost();
      expect(restarted.pid).not.toBe(killed.pid);

      const detail = await eventually(
        "the service to converge after the restart",
        async () => {
          const d = await api.get<ServiceDetail>(`/service?id=${encodeURIComponent(SSS_PROD)}`);
          return d.status === 200 &&
            d.body.service.useIdentity === true &&
            d.body.servers.some((s) => s.state === "Switched" || s.state === "Active")
            ? d.body
            : undefined;
        },
        60_000,
      );
      expect(detail.service.lastRunStatus).toMatch(/succeeded|completedWithFailures/);
      // The message the killed host held was never settled: it came back to the restarted host (dequeueCount 2 or
      // more).
      const redelivered = restarted.logs.filter(
        (e) =>
          String(e.message).startsWith("Executing 'Functions.reconcileWorker'") &&
          Number((e.trigger as { dequeueCount?: number } | undefined)?.dequeueCount) >= 2,
      );
      expect(redelivered.length).toBeGreaterThan(0);
      expect(
        restarted.logs.some((e) => String(e.message).startsWith("Executed 'Functions.reconcileWorker' (Succeeded")),
      ).toBe(true);
      expect(duplicateAssignments(stack.emulator)).toEqual([]);
      expect(assignmentIds(stack.emulator).size).toBeGreaterThan(seeded.size);
      expect(undeterministicAssignments(stack.emulator, seeded)).toEqual([]);

      // Exactly-once audit: every role assignment ARM applied (including the write the killed attempt sent and never
      // saw answered)
      // has exactly one journal entry claiming it, by its client request id; no intent is left open.
      const tables = createStoreTables(
        { connectionString: stack.connectionString },
        stack.appSettings.TABLE_NAME_PREFIX ?? "",
      );
      const journal: WriteRecord[] = [];
      for await (const e of tables.writes.listEntities<Record<string, unknown>>()) {
        const row = decodeRow(writeRowSchema, e);
        if (row) journal.push(row);
      }
      const grantsApplied = stack.emulator.core.appliedWrites
        .writes()
        .filter((w) => w.kind === "RoleAssignments_Create");
      expect(grantsApplied.length).toBeGreaterThan(0);
      for (const w of grantsApplied) {
        expect(
          journal
            .filter((j) => j.clientRequestId === w.clientRequestId && claimsWrite(j.status))
            .map((j) => j.target.toLowerCase()),
        ).toEqual([w.path.toLowerCase()]);
      }
      expect(journal.filter((j) => j.status === "intended")).toEqual([]);
      // The grants in flight when the host died were left as intents and resolved by the next run, reading ARM.
      expect(journal.filter((j) => j.resolvedBy !== undefined && j.kind === "grantRole").length).toBeGreaterThan(0);
      expect(
        journal.filter(
          (j) =>
            j.status === "applied" &&
            !stack.emulator.core.appliedWrites.writes().some((w) => w.clientRequestId === j.clientRequestId),
        ),
      ).toEqual([]);
      // The run shows its attempts: the killed one interrupted, the last one finished.
      const run = await getRun(tables.runs, accepted.body.runs[0]?.runId ?? "");
      expect(run?.attempts[0]?.status).toBe("interrupted");
      expect(run?.attempts.at(-1)?.status).toMatch(/succeeded|completedWithFailures/);

      // The platform delivers the finished run's message once more (base64 JSON, same runId): the host acknowledges it,
      // the run's row stays exactly as it was (ETag included), and the duplicate is recorded.
      const keys = parseRunId(run?.runId ?? "");
      const runRow = () => tables.runs.getEntity<Record<string, unknown>>(keys?.partitionKey ?? "", keys?.rowKey ?? "");
      const before = await runRow();
      const message = {
        v: 1,
        kind: "reconcile",
        serviceId: SSS_PROD,
        runId: run?.runId,
        dryRun: false,
        trigger: run?.trigger,
        requestedAt: run?.queuedAt,
      };
      const queue = new QueueClient(stack.connectionString, stack.appSettings.RECONCILE_QUEUE_NAME ?? "");
      await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString("base64"));
      await eventually("the duplicate delivery to be recorded", async () =>
        (await listDuplicateDeliveries(tables.runs)).some((d) => d.runId === run?.runId) ? true : undefined,
      );
      expect(await runRow()).toEqual(before);

      // Nothing was left half-done: planning the service again finds no action to take.
      const dryRun = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_PROD, dryRun: true });
      expect(dryRun.status).toBe(202);
      const plan = await eventually("the dry run's plan", async () => {
        const run = await api.get<RunStatus>(`/runs/${dryRun.body.runs[0]?.runId}`);
        return run.status === 200 && run.body.status === "dryRun" ? (run.body.plan ?? []) : undefined;
      });
      expect(plan.map((a) => a.description)).toEqual([]);
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
