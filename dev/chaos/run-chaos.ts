import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startAzurite, type AzuriteHandle } from "../azurite/start-azurite";
import { ids, startEmulator, type EmulatorHandle, type LocalTls } from "../emulator";
import { SIMULATED_ACTOR_OID } from "../emulator/admin-api";
import { PROJECT_DIR, stackAppSettings, withoutForeignCredentials } from "../host/local-stack";
import { estateIds, generateEstate, type EstateOptions } from "../seeds/generate-estate";
import {
  auditWithoutWrite,
  duplicateAssignments,
  FINAL_RUN_STATUSES,
  historyOf,
  requestsLost,
  type OutsideDeletion,
  unresolvedIntents,
  writesUndoneByOthers,
  writesWithoutAudit,
} from "./checks";
import { unconvergedServices } from "./convergence";
import { countByKind, faultSchedule, type ChaosKind, type ChaosStep } from "./fault-schedule";
import { HostPool } from "./host-pool";
import { journalRows } from "./observe";
import { between, seededRandom } from "./prng";

export interface ChaosOptions {
  seed: number;
  services: number;
  serversPerService: number;
  syncGroupsPerService: number;
  /** How long faults are injected. */
  faultSeconds: number;
  /** How long, after the faults stop, the estate has to converge. */
  convergeTimeoutSeconds: number;
  hosts: number;
  /** An Azurite already running (tests share one); otherwise one is started. */
  azuriteConnectionString?: string;
  /** The emulator's certificate (tests pass the run's, which the test process trusts). */
  tls?: LocalTls;
  log?: (line: string) => void;
}

export const DEFAULT_CHAOS: Omit<ChaosOptions, "seed"> = {
  services: 20,
  serversPerService: 5,
  syncGroupsPerService: 2,
  faultSeconds: 90,
  convergeTimeoutSeconds: 150,
  hosts: 2,
};

/** The six figures the run must bring to 0 (plus unresolved journal intents, which the contract also forbids). */
export interface ChaosCounts {
  requestsLost: number;
  duplicateAssignments: number;
  orderViolations: number;
  armWritesWithoutAudit: number;
  auditEntriesWithoutArmWrite: number;
  unresolvedIntents: number;
  servicesNotConverged: number;
}

export interface ChaosReport {
  seed: number;
  services: number;
  servers: number;
  faultsByKind: Record<ChaosKind, number>;
  killsOnWrite: number;
  hostKills: number;
  /** Hosts stopped (SIGSTOP) past the lease and woken again (SIGCONT). */
  hostPauses: number;
  hostRestarts: number;
  acceptedRuns: number;
  armWrites: number;
  journalRows: number;
  /**
   * Writes of interrupted attempts that the deleteGrant step undid before a run looked: journaled notApplied ("not in
   * effect when looked at"); only ARM's Activity Log still shows them.
   */
  writesUndoneByOthers: number;
  events: { published: number; delivered: number; duplicated: number; failed: number };
  counts: ChaosCounts;
  /**
   * Seconds from the end of the faults until every service converged and every accepted run was final; undefined: not
   * within the bound.
   */
  convergenceSeconds: number | undefined;
  /** What each non-zero count stands for (at most 10 items each). */
  details: Partial<Record<keyof ChaosCounts, string[]>>;
  /** For each write or journal row the audit checks name: every journal row and ARM write of its target. */
  histories: string[];
}

/** Names of the counts that are not 0. */
export function failedCounts(report: ChaosReport): (keyof ChaosCounts)[] {
  return (Object.keys(report.counts) as (keyof ChaosCounts)[]).filter((k) => report.counts[k] !== 0);
}

const SUBSCRIPTION = "5ca1e000-0000-4000-8000-000000000001";

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const estate: Partial<EstateOptions> & Pick<EstateOptions, "subscriptionId"> = {
    services: options.services,
    serversPerService: options.serversPerService,
    syncGroupsPerService: options.syncGroupsPerService,
    accountsPerService: 1,
    endpointsPerServer: 1,
    subscriptionId: SUBSCRIPTION,
    arcMachines: true,
  };
  const random = seededRandom(options.seed ^ 0x5eed);
  let azurite: AzuriteHandle | undefined;
  let emulator: EmulatorHandle | undefined;
  let pool: HostPool | undefined;
  try {
    if (!options.azuriteConnectionString) azurite = await startAzurite();
    const connectionString = options.azuriteConnectionString ?? azurite?.connectionString ?? "";
    emulator = await startEmulator({
      seed: generateEstate(estate),
      lroMode: "sync",
      ...(options.tls ? { tls: options.tls } : {}),
      delays: { discoveryMs: 500, activationMs: 1_000, principalReplicationMs: 500, lroMs: 20, retryAfterSeconds: 0 },
      // Duplicated and reordered events; enough attempts to outlast a host's restart.
      events: { duplicateProbability: 0.3, delayJitterMs: 1_500, maxAttempts: 10, retryDelayMs: 200 },
    });
    const em = emulator;
    const namespace = `chaos${options.seed.toString(36)}${Date.now().toString(36)}`;
    const appSettings = stackAppSettings(connectionString, em, namespace);
    const tablePrefix = appSettings.TABLE_NAME_PREFIX ?? "";
    pool = new HostPool(
      PROJECT_DIR,
      {
        ...appSettings,
        LEASE_DURATION: "PT4S",
        AFS_HOST_QUEUES: JSON.stringify({ visibilityTimeout: "00:00:00", maxPollingInterval: "00:00:00.250" }),
        AFS_HOST_QUEUE_LEASE_MS: "3000",
      },
      withoutForeignCredentials(process.env),
      options.hosts,
      process.env.CHAOS_TRACE ? (i, e) => log(`host ${i}: ${JSON.stringify(e).slice(0, 400)}`) : undefined,
    );
    const hosts = pool;
    for (let i = 0; i < options.hosts; i++) {
      const host = await hosts.start(i);
      const grid = host.logs
        .map((e) => e.ready as { functions?: { name: string; kind: string }[] } | undefined)
        .find((r) => r?.functions)
        ?.functions?.find((f) => f.kind === "eventGrid");
      if (!grid) throw new Error("the app registers no Event Grid function");
      await em.admin.addWebhook(
        `${host.url}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(grid.name)}&code=${encodeURIComponent(host.functionKey)}`,
      );
    }
    log(`stack up: Azurite, emulator, ${options.hosts} hosts on queue ${appSettings.RECONCILE_QUEUE_NAME}`);

    const accepted: string[] = [];
    const serviceId = (s: number) => estateIds.serviceId(estate, s);
    /** POST /api/reconcile on whichever host answers; an accepted run id is recorded. */
    const requestRun = async (s: number): Promise<void> => {
      for (let attempt = 0; attempt < 40; attempt++) {
        for (const url of hosts.liveUrls()) {
          try {
            const response = await fetch(`${url}/api/reconcile`, {
              method: "POST",
              headers: { "x-functions-key": hosts.key, "content-type": "application/json" },
              body: JSON.stringify({ serviceId: serviceId(s) }),
            });
            if (response.status !== 202) continue;
            const body = (await response.json()) as { runs: { runId: string }[] };
            for (const run of body.runs) accepted.push(run.runId);
            return;
          } catch {
            // that host was just killed: try the next
          }
        }
        await sleep(500);
      }
      throw new Error(`no host accepted a re-run of ${serviceId(s)} for 20 s`);
    };

    // Kill every host the moment a product write is applied: its answer, and so its journal update, never comes.
    let killOnWrite: number | undefined;
    const deletions: OutsideDeletion[] = [];
    let killsOnWrite = 0;
    em.core.onWrite((w) => {
      if (process.env.CHAOS_TRACE) log(`write ${w.method} ${w.resourceUri} by ${w.callerOid} armed=${killOnWrite}`);
      if (killOnWrite === undefined || w.callerOid === SIMULATED_ACTOR_OID) return;
      const downMs = killOnWrite;
      killOnWrite = undefined;
      let killed = false;
      for (let i = 0; i < hosts.size; i++) killed = hosts.killNow(i) || killed;
      if (killed) killsOnWrite++;
      for (let i = 0; i < hosts.size; i++) hosts.restartLater(i, downMs);
    });

    const act = async (step: ChaosStep): Promise<void> => {
      switch (step.kind) {
        case "throttleStorm":
          await em.admin.addFault({
            match: {},
            effect: { kind: "status", status: 429, retryAfterSeconds: 1 },
            times: step.times,
          });
          return;
        case "serverErrors":
          await em.admin.addFault({ match: {}, effect: { kind: "status", status: step.status }, times: step.times });
          return;
        case "dropAfterApply":
          await em.admin.addFault({ match: { isWrite: true }, effect: { kind: "dropAfterApply" }, times: step.times });
          return;
        case "dropBeforeApply":
          await em.admin.addFault({ match: {}, effect: { kind: "drop" }, times: step.times });
          return;
        case "killHost":
          hosts.killNow(step.host);
          hosts.restartLater(step.host, step.downMs);
          return;
        case "killOnNextWrite":
          killOnWrite = step.downMs;
          return;
        case "pauseHost":
          hosts.pauseFor(step.host, step.pauseMs);
          return;
        case "resetIdentity": {
          const name = estateIds.machineName(`fs${step.service}-${step.server}.contoso.com`);
          await em.admin.setMachineIdentity(
            ids.arcMachine(
              estateIds.serviceSubscription(estate, step.service),
              estateIds.resourceGroup(step.service),
              name,
            ),
            "reset",
          );
          return;
        }
        case "deleteGrant": {
          const inGroup = `/resourcegroups/${estateIds.resourceGroup(step.service)}/`;
          const made = [...em.core.state.roleAssignments.values()]
            .filter((a) => a.scope.toLowerCase().includes(inGroup))
            .sort((a, b) => a.id.localeCompare(b.id));
          const victim = made[between(random, 0, Math.max(0, made.length - 1))];
          if (victim) {
            await em.admin.deleteRoleAssignment(victim.id);
            deletions.push({ target: victim.id, at: new Date().toISOString() });
          }
          return;
        }
        case "reconcileRequest":
          await requestRun(step.service);
          return;
      }
    };

    const schedule = faultSchedule(options.seed, {
      durationMs: options.faultSeconds * 1000,
      services: options.services,
      serversPerService: options.serversPerService,
      hosts: options.hosts,
    });
    for (let s = 0; s < options.services; s++) await requestRun(s);
    log(`faults for ${options.faultSeconds} s: ${schedule.length} steps (seed ${options.seed})`);
    const started = performance.now();
    for (const { atMs, step } of schedule) {
      const wait = atMs - (performance.now() - started);
      if (wait > 0) await sleep(wait);
      try {
        await act(step);
      } catch (error) {
        log(`step ${step.kind} failed: ${(error as Error).message}`);
      }
    }
    const wait = options.faultSeconds * 1000 - (performance.now() - started);
    if (wait > 0) await sleep(wait);

    // Faults stop; every host runs; each service is asked for once more (as the nightly sweep would).
    killOnWrite = undefined;
    await em.admin.clearFaults();
    await hosts.allUp();
    log("faults stopped; waiting for convergence");
    const quiet = performance.now();
    for (let s = 0; s < options.services; s++) await requestRun(s);

    const statusOf = new Map<string, string | undefined>();
    const pollRuns = async (): Promise<void> => {
      for (const runId of new Set(accepted)) {
        if (FINAL_RUN_STATUSES.has(statusOf.get(runId) ?? "")) continue;
        const url = hosts.liveUrls()[0];
        if (!url) return;
        const response = await fetch(`${url}/api/runs/${encodeURIComponent(runId)}`, {
          headers: { "x-functions-key": hosts.key },
        });
        statusOf.set(
          runId,
          response.status === 200 ? ((await response.json()) as { status?: string }).status : undefined,
        );
      }
    };
    let convergenceSeconds: number | undefined;
    let unconverged = new Map<string, string[]>();
    const deadline = quiet + options.convergeTimeoutSeconds * 1000;
    for (;;) {
      em.core.settle();
      em.core.evaluateServers(em.core.state.servers.values());
      unconverged = unconvergedServices(em.core.state);
      await pollRuns().catch(() => undefined);
      const pendingRuns = requestsLost(accepted, statusOf);
      if (unconverged.size === 0 && pendingRuns.length === 0) {
        convergenceSeconds = (performance.now() - quiet) / 1000;
        break;
      }
      if (performance.now() > deadline) break;
      await sleep(1_000);
    }
    await em.admin.flushEvents();

    const writes = await em.admin.writes();
    const journal = await journalRows(connectionString, tablePrefix);
    const violations = await em.admin.violations();
    const details: ChaosReport["details"] = {
      requestsLost: requestsLost(accepted, statusOf),
      duplicateAssignments: duplicateAssignments(em.core.state.roleAssignments.values()),
      orderViolations: violations.map(
        (v) => `${v.kind} ${v.resourceId}${v.missing.length ? ` (missing ${v.missing.join(", ")})` : ""}`,
      ),
      armWritesWithoutAudit: writesWithoutAudit(writes, journal, deletions),
      auditEntriesWithoutArmWrite: auditWithoutWrite(writes, journal),
      unresolvedIntents: unresolvedIntents(journal),
      servicesNotConverged: [...unconverged].map(([id, reasons]) => `${id}: ${reasons.slice(0, 3).join("; ")}`),
    };
    const counts = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, v.length])) as unknown as ChaosCounts;
    const auditTargets = new Set<string>();
    for (const w of writes)
      if ((details.armWritesWithoutAudit ?? []).some((line) => line.includes(` ${w.path} `))) auditTargets.add(w.path);
    for (const r of journal)
      if ((details.auditEntriesWithoutArmWrite ?? []).some((line) => line.includes(r.clientRequestId)))
        auditTargets.add(r.target);
    const histories = [...auditTargets]
      .slice(0, 5)
      .flatMap((target) => [`${target}:`, ...historyOf(target, writes, journal).map((l) => `  ${l}`)]);
    for (const k of Object.keys(details) as (keyof ChaosCounts)[]) details[k] = details[k]?.slice(0, 10);
    const stats = (await em.admin.webhooks()).stats;
    return {
      seed: options.seed,
      services: options.services,
      servers: options.services * options.serversPerService,
      faultsByKind: countByKind(schedule),
      killsOnWrite,
      hostKills: hosts.kills,
      hostPauses: hosts.pauses,
      hostRestarts: hosts.restarts,
      acceptedRuns: new Set(accepted).size,
      armWrites: writes.length,
      journalRows: journal.length,
      writesUndoneByOthers: writesUndoneByOthers(writes, journal, deletions).length,
      events: {
        published: stats.published,
        delivered: stats.delivered,
        duplicated: stats.duplicated,
        failed: stats.failed,
      },
      counts,
      convergenceSeconds,
      details,
      histories,
    };
  } finally {
    await pool?.stop();
    await emulator?.close();
    await azurite?.stop();
  }
}
