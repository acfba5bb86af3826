import type { Config } from "../config";
import type { EnginePort } from "../ports/engine-port";
import type { SchedulerDeps } from "../scheduling/schedule";
import type { StoreTables } from "../tables/clients";
import type { AppLog } from "../ports/log";
import { isWithinScopes, resourceIdKey } from "../azure";
import type { Trigger } from "../queue/messages";
import { requestReconcile, type Scheduled } from "../scheduling/schedule";
import { listServerRowsByPrincipal, listAllServerRows, getMachineRow, saveMachineRow } from "../store";
import { classifyArmEvent } from "./classify";
import { hostNamesMatch } from "../reconcile";

/** What handling an ARM event needs. */
export interface ArmEventDeps {
  config: Pick<Config, "managedScopes" | "discoveryRecheckDelaysMs">;
  tables: Pick<StoreTables, "servers" | "machines">;
  engine: Pick<EnginePort, "listServices" | "listServers" | "getMachineIdentity" | "isTransient" | "errorInfo">;
  scheduler: SchedulerDeps;
  now(): Date;
}

export type ArmEventResult =
  | { result: "scheduled"; runs: Scheduled[]; note?: string }
  | { result: "ignored"; reason: string }
  | { result: "rejected"; reason: string };

/**
 * One Event Grid delivery. Bad or irrelevant events are logged and
 * acknowledged (returning normally): Event Grid would otherwise redeliver them
 * for a day. Only failures to reach ARM or storage throw, so a real event is
 * not lost.
 */
export async function handleArmEvent(deps: ArmEventDeps, raw: unknown, log: AppLog): Promise<ArmEventResult> {
  const action = classifyArmEvent(raw, deps.config.managedScopes);
  switch (action.action) {
    case "reject":
      log.error(`ARM event rejected: ${action.reason}`);
      return { result: "rejected", reason: action.reason };
    case "ignore":
      log.info(`ARM event ignored: ${action.reason}`);
      return { result: "ignored", reason: action.reason };
    case "reconcileService": {
      const run = await requestReconcile(
        deps.scheduler,
        { serviceId: action.serviceId, trigger: action.trigger },
        deps.now(),
        log,
      );
      log.info(`${action.serviceId}: reconcile ${run.coalesced ? "merged into queued" : "queued as"} run ${run.runId}`);
      return { result: "scheduled", runs: [run] };
    }
    case "inspectMachine":
      try {
        return await inspectMachine(deps, action.machineId, action.trigger, log);
      } catch (error) {
        // Throttling or an outage: throw, so Event Grid delivers the event again later.
        if (deps.engine.isTransient(error)) throw error;
        // 403/404/400 will not heal by redelivery: acknowledge, loudly. The sweep catches up once fixed.
        const info = deps.engine.errorInfo(error);
        const reason = `${action.machineId}: ${info.code}: ${info.message}`;
        log.error(`ARM event for a machine could not be handled: ${reason}`);
        return { result: "rejected", reason };
      }
  }
}

/**
 * An Arc machine or VM was written: maybe its system-assigned identity is new
 * (first enabled, or reset by `azcmagent disconnect`/reconnect). The agent
 * reports it to File Sync later with no event, so the services of the servers
 * it backs get delayed reconciles that look for it, with back-off.
 */
async function inspectMachine(
  deps: ArmEventDeps,
  machineId: string,
  trigger: Trigger,
  log: AppLog,
): Promise<ArmEventResult> {
  const machine = await deps.engine.getMachineIdentity(machineId);
  if (!machine) return ignored(log, `${machineId} no longer exists`);
  if (!machine.principalId) return ignored(log, `${machineId} has no system-assigned identity`);
  const principalId = machine.principalId.toLowerCase();
  const known = await getMachineRow(deps.tables.machines, machineId);
  if (known?.principalId === principalId) return ignored(log, `${machineId}: principal ${principalId} already handled`);

  // Already reported by the agent (the table knows principals) → the services are known.
  const byPrincipal = await listServerRowsByPrincipal(deps.tables.servers, principalId);
  // A switched server still bound to the machine's previous principal has lost its trust (the agent
  // cannot report the new one): its run repairs it, found by that previous principal.
  const previousPrincipalId = known && known.principalId !== principalId ? known.principalId : undefined;
  const byPrevious =
    byPrincipal.length === 0 && previousPrincipalId
      ? await listServerRowsByPrincipal(deps.tables.servers, previousPrincipalId)
      : [];
  let serviceIds = unique([...byPrincipal, ...byPrevious].map((s) => s.serviceId));
  let how = byPrincipal.length > 0 ? "principal" : "previous principal";
  if (serviceIds.length === 0) {
    how = "host name";
    serviceIds = unique(
      (await listAllServerRows(deps.tables.servers))
        .filter((s) => matchesAny(machine.hostNames, [s.name]))
        .map((s) => s.serviceId),
    );
  }
  if (serviceIds.length === 0) {
    // Not in our records (a server registered while events were lost): ask ARM.
    how = "host name (ARM)";
    serviceIds = await findServicesByHostName(deps, machine.hostNames);
  }
  serviceIds = serviceIds.filter((id) => isWithinScopes(id, deps.config.managedScopes));

  const runs: Scheduled[] = [];
  const watch = {
    machineId,
    principalId,
    attempt: 0,
    hostNames: machine.hostNames.slice(0, 10),
    ...(previousPrincipalId ? { previousPrincipalId } : {}),
    ...(machine.tenantId ? { tenantId: machine.tenantId } : {}),
    ...(machine.status ? { status: machine.status.slice(0, 40) } : {}),
  };
  // A repair cannot wait for the agent (it will never report): no delay when a server was bound before.
  const firstDelay = byPrevious.length > 0 ? 0 : (deps.config.discoveryRecheckDelaysMs[0] ?? 0);
  for (const serviceId of serviceIds) {
    runs.push(
      byPrincipal.length > 0
        ? await requestReconcile(deps.scheduler, { serviceId, trigger }, deps.now(), log)
        : await requestReconcile(
            deps.scheduler,
            { serviceId, trigger, discovery: [watch], delayMs: firstDelay },
            deps.now(),
          ),
    );
  }
  // Remembered only after the runs are queued: a failure above makes Event Grid deliver again.
  await saveMachineRow(deps.tables.machines, {
    machineId,
    principalId,
    seenAt: deps.now().toISOString(),
    services: serviceIds,
  });
  if (runs.length === 0)
    return ignored(log, `${machineId} (principal ${principalId}) backs no registered server in scope`);
  const note = `${machineId}: new principal ${principalId}, matched by ${how} to ${serviceIds.length} service(s)`;
  log.info(note);
  return { result: "scheduled", runs, note };
}

const matchesAny = (machineNames: string[], serverNames: Array<string | undefined>): boolean =>
  machineNames.some((name) => hostNamesMatch(name, serverNames));

async function findServicesByHostName(deps: ArmEventDeps, machineNames: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const scope of deps.config.managedScopes) {
    for (const serviceId of await deps.engine.listServices(scope)) {
      const servers = await deps.engine.listServers(serviceId);
      if (servers.some((s) => matchesAny(machineNames, [s.friendlyName, s.serverName, s.name]))) found.push(serviceId);
    }
  }
  return unique(found);
}

function unique(ids: string[]): string[] {
  const seen = new Map<string, string>();
  for (const id of ids) if (!seen.has(resourceIdKey(id))) seen.set(resourceIdKey(id), id);
  return [...seen.values()];
}

function ignored(log: AppLog, reason: string): ArmEventResult {
  log.info(`ARM event ignored: ${reason}`);
  return { result: "ignored", reason };
}
