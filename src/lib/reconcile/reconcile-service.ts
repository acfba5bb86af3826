import { countArmCalls, type ArmConnection, type RoleAssignmentQuota } from "../azure";
import type { PlannedAction } from "./actions";
import { apply, type ApplyResult } from "./apply";
import { observe } from "./observe";
import { plan as makePlan, type Plan } from "./plan";
import type { ActionOutcome, ReconcileReport, ServerVerdict } from "./report";
import type { EngineSettings } from "./settings";
import type { EngineHints } from "./hints";
import type { WriteJournal } from "./write-journal";
import { MachineDirectory } from "./machine-directory";
import { QuotaReader } from "./quota-reader";
import { reclaimableNote } from "./replaced-grants";
import { repairActionId } from "./server-writes";
import { refuseGrantsBeyondQuota, subscriptionOfScope, type RefusedGrant } from "./role-assignment-headroom";

export interface ReconcileOptions {
  dryRun: boolean;
  /** What the app knows beyond ARM: machine identity changes, overdue switches. */
  hints?: EngineHints;
  settings: EngineSettings;
  onProgress?: (message: string) => void;
  /** Told the plan once it is made (for progress displays). */
  onPlan?: (plan: Plan) => void;
  /** Told each action's outcome as it is known. */
  onOutcome?: (outcome: ActionOutcome) => void;
  signal?: AbortSignal;
  /** Once aborted, nothing new starts; writes in flight finish (see ApplyOptions.stop). */
  stop?: AbortSignal;
  /**
   * Asked with the plan before anything is written (when there is something to
   * write); false turns the run into a dry run. Lets the CLI execute exactly
   * the plan it showed, without observing twice.
   */
  confirm?: (plan: Plan) => boolean | Promise<boolean>;
  /** The ARM write journal (the worker's Writes table); the CLI keeps none. */
  journal?: WriteJournal;
  /** The run's machine lists, shared by every service a run reconciles (default: one for this service). */
  machines?: MachineDirectory;
  /** The machine the app recorded with a principal (the Machines table), for tying a drifted server to its machine. */
  recordedMachineOf?: (principalId: string) => Promise<string | undefined>;
  /** The run's role-assignment counts per subscription (default: one reader for this service). */
  quotas?: QuotaReader;
}

const isOk = (o: ActionOutcome | undefined) => o?.status === "succeeded" || o?.status === "alreadyPresent";

/** Verdicts after apply: switched servers, and servers whose own grant or switch failed. */
function finalVerdicts(plan: Plan, applied: ApplyResult | undefined, stopped: boolean): ServerVerdict[] {
  return outcomeVerdicts(plan, applied, stopped).map((verdict) => {
    // A storage account's prerequisite warning stays on the server's status whatever happened to it.
    const notes = plan.serverWarnings.get(verdict.serverId);
    if (!notes) return verdict;
    return {
      ...verdict,
      reason: [verdict.reason, ...notes.map((n) => `Warning: ${n.message}`)].join(" "),
      remedy: [verdict.remedy, ...notes.map((n) => n.remedy)].filter((r): r is string => !!r).join(" "),
    };
  });
}

function outcomeVerdicts(plan: Plan, applied: ApplyResult | undefined, stopped: boolean): ServerVerdict[] {
  if (!applied) return plan.servers;
  const byId = new Map(applied.outcomes.map((o) => [o.actionId, o]));
  const actionById = new Map(plan.actions.map((a) => [a.id, a]));
  return plan.servers.map((verdict) => {
    const repairOutcome = byId.get(`repair:${verdict.serverId}`);
    const switchOutcome = byId.get(`switch:${verdict.serverId}`) ?? repairOutcome;
    if (isOk(switchOutcome)) {
      const readBack = applied.switchedServers.get(verdict.serverId);
      const repaired = repairOutcome !== undefined;
      const resent = plan.actions.some((a) => a.kind === "switchServer" && a.serverId === verdict.serverId && a.resend);
      return {
        ...verdict,
        state: "Switched",
        activeAuthType: readBack?.activeAuthType ?? verdict.activeAuthType,
        // A re-sent switch keeps the plan's reason: it names the likely cause of the first one not taking.
        reason: resent
          ? verdict.reason
          : repaired
            ? `Repaired this run: the service now trusts the machine's new identity ${verdict.principalId} (read back); the agent picks it up within the activation window.`
            : `Switched to identity ${verdict.principalId} this run; the agent picks it up within the activation window.`,
        switchedThisRun: true,
      };
    }
    // The first failed action among this server's grants or its switch explains why it was not brought over.
    const own = plan.actions.filter(
      (a) =>
        ((a.kind === "switchServer" || a.kind === "repairServer") && a.serverId === verdict.serverId) ||
        (a.kind === "grantRole" && a.principal.kind === "server" && a.principal.serverIds.includes(verdict.serverId)),
    );
    const failed = own.map((a) => byId.get(a.id)).find((o) => o?.status === "failed");
    if (failed) {
      const action = actionById.get(failed.actionId);
      return {
        ...verdict,
        state: "Failed",
        reason: `${action?.description ?? failed.actionId} failed: ${failed.error?.code}: ${failed.error?.message}`,
        error: failed.error,
        remedy: failed.remedy,
      };
    }
    if (switchOutcome?.status === "skipped") {
      // A stopped run (the CLI's Ctrl-C) skipped it: nothing failed, the server waits for the next run.
      if (stopped)
        return { ...verdict, reason: `Not switched: the run was stopped before its switch (${verdict.reason})` };
      return { ...verdict, state: "Failed", reason: `Not switched: ${switchOutcome.skippedBecause}.` };
    }
    return verdict;
  });
}

/**
 * Each subscription's count once this run's created grants are added (read before the run, so the status is current).
 */
function quotasAfter(
  quotas: RoleAssignmentQuota[],
  actions: PlannedAction[],
  outcomes: ActionOutcome[],
): RoleAssignmentQuota[] {
  const created = new Set(outcomes.filter((o) => o.status === "succeeded").map((o) => o.actionId));
  return quotas.map((q) => ({
    ...q,
    count:
      q.count +
      actions.filter(
        (a) => a.kind === "grantRole" && created.has(a.id) && subscriptionOfScope(a.scope) === q.subscriptionId,
      ).length,
  }));
}

/**
 * One reconcile of one Storage Sync Service: observe → plan → (unless dry run)
 * apply. Throws ReconcileError when the service cannot even be observed;
 * everything after that is reported per action and per server.
 */
export async function reconcileService(
  arm: ArmConnection,
  serviceId: string,
  options: ReconcileOptions,
): Promise<ReconcileReport<PlannedAction>> {
  const startedAt = new Date().toISOString();
  const { result, calls } = await countArmCalls(async () => {
    // Every non-dry run compares switched servers with their machines: events only make a repair sooner.
    const drift = options.dryRun
      ? undefined
      : options.recordedMachineOf
        ? { recordedMachineOf: options.recordedMachineOf }
        : {};
    const machines = options.machines ?? new MachineDirectory(arm, options.settings.machineScopes);
    const snapshot = await observe(arm, serviceId, { ...options, hints: options.hints, drift, machines });
    const plan = makePlan(snapshot, options.settings);
    // Each subscription a grant lands in is counted once before anything is sent there: grants that cannot fit are
    // never sent.
    const grantSubscriptions = plan.actions.flatMap((a) =>
      a.kind === "grantRole" ? [subscriptionOfScope(a.scope)] : [],
    );
    let quotas: RoleAssignmentQuota[] = [];
    let refusedGrants = new Map<string, RefusedGrant>();
    if (grantSubscriptions.length > 0) {
      const reader = options.quotas ?? new QuotaReader(arm, options.settings.roleAssignmentLimit);
      const read = await reader.quotasOf(grantSubscriptions, { abortSignal: options.signal });
      quotas = [...read.quotas.values()];
      refusedGrants = refuseGrantsBeyondQuota(plan.actions, read.quotas);
      for (const u of read.unreadable)
        plan.warnings.push(
          `The role assignments of subscription ${u} cannot be counted: grants there are sent without knowing its headroom.`,
        );
    }
    options.onProgress?.(
      `${snapshot.service.name}: ${plan.actions.length} action(s) planned${options.dryRun ? " (dry run)" : ""}`,
    );
    options.onPlan?.(plan);
    const refused =
      !options.dryRun && plan.actions.length > 0 && options.confirm !== undefined && !(await options.confirm(plan));
    const dryRun = options.dryRun || refused;
    const applied =
      dryRun || plan.actions.length === 0 ? undefined : await apply(arm, plan, { ...options, refused: refusedGrants });
    return { plan, applied, current: snapshot.service, dryRun, refused, quotas };
  });
  const { plan, applied, current, dryRun, refused, quotas } = result;
  const outcomes: ActionOutcome[] =
    applied?.outcomes ??
    plan.actions.map((a) => ({
      actionId: a.id,
      status: "skipped",
      attempts: 0,
      durationMs: 0,
      skippedBecause: refused ? "not confirmed" : "dry run",
    }));
  const servers = finalVerdicts(plan, applied, options.stop?.aborted === true);
  const service = applied?.service
    ? {
        serviceId: plan.serviceId,
        identityType: applied.service.identity.type,
        principalId: applied.service.identity.principalId,
        useIdentity: applied.service.useIdentity,
      }
    : dryRun
      ? plan.service
      : {
          serviceId: plan.serviceId,
          identityType: current.identity.type,
          principalId: current.identity.principalId,
          useIdentity: current.useIdentity,
        };
  // A replaced identity's grants that stay (no PRUNE_STALE_GRANTS): reported once its server's repair took.
  for (const r of plan.reclaimable ?? []) {
    const repair = outcomes.find((o) => o.actionId === repairActionId(r.serverId));
    if (dryRun || isOk(repair)) plan.warnings.push(reclaimableNote(r));
  }
  const converged = !plan.blocked && (dryRun ? plan.actions.length === 0 : outcomes.every(isOk));
  return {
    serviceId: plan.serviceId,
    dryRun,
    startedAt,
    finishedAt: new Date().toISOString(),
    service,
    plan: plan.actions,
    outcomes,
    servers,
    armCalls: calls,
    converged,
    warnings: plan.warnings,
    ...(quotas.length > 0 ? { roleAssignmentQuotas: quotasAfter(quotas, plan.actions, outcomes) } : {}),
  };
}
