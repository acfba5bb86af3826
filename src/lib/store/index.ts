/**
 * The app's state in Table Storage, one module per record, each the only code
 * that reads and writes its table:
 *   run.ts           a run and its attempts (Runs), rejected messages and duplicate deliveries beside them
 *   journal.ts       every ARM write, intended before it is sent and resolved after (Writes)
 *   server.ts        a registered server's state, merged run over run (Servers)
 *   service.ts       a Storage Sync Service's counts, last run, poisoning, deletion (Services)
 *   lease.ts         one lease per service, so one run at a time (Leases)
 *   pending-marker.ts the run waiting on the queue that new triggers merge into (Pending)
 *   due-index.ts     activation checks, by the minute they fall due (Due)
 *   machines.ts      the Arc and VM principals already seen, to tell an identity change (Machines)
 *   estate.ts        the estate per day and what each scope listed, kept by full sweeps (Services, own partitions)
 * quota-usage.ts reads the role-assignment quotas a service row keeps.
 * rows.ts holds the zod schema of every row. Everything outside comes in
 * through this file.
 */
export { acquireLease, getCurrentLease, releaseLease, renewLease, type Lease, type LeaseResult } from "./lease";
export { createOrMergePending, getPending, markPendingQueued } from "./pending-marker";
export { deleteDueEntry, listDueEntries, type StoredDueEntry } from "./due-index";
export { findMachineIdByPrincipal, getMachineRow, saveMachineRow } from "./machines";
export { recordReconcileResult, type RecordedReconcile } from "./record-reconcile";
export {
  QUOTA_WARNING_RATIO,
  isQuotaNearlyFull,
  mergeQuotas,
  quotaUsageText,
  quotasBySubscription,
} from "./quota-usage";
export { countByState, emptyCounts, isServerState, sumCounts } from "./records";
export {
  SERVER_STATES,
  duplicateRowSchema,
  roleAssignmentQuotaSchema,
  runRowSchema,
  serverRowSchema,
  serverStateSchema,
  serviceRowSchema,
  stateCountsSchema,
  writeRowSchema,
  type RoleAssignmentQuotaRecord,
  type RunAttempt,
  type RunRecord,
  type RunServerSummary,
  type RunStatus,
  type ServerRecord,
  type ServiceRecord,
  type StateCounts,
  type WriteRecord,
} from "./rows";
export {
  addLateTriggers,
  deleteRun,
  finishFailedRun,
  finishReconciledRun,
  finishedRun,
  getRun,
  listDuplicateDeliveries,
  listDuplicateDeliveriesOf,
  listRejectedMessages,
  recordDuplicateDelivery,
  recordRejectedMessage,
  recordRunQueued,
  runFromEntity,
  startRun,
  withAbandonment,
} from "./run";
export { FINAL_RUN_STATUSES, isFinalRunStatus, type AttemptEnd } from "./run-attempts";
export {
  resolveIntent,
  resolveInterruptedWrites,
  listRunWrites,
  tableWriteJournal,
  listUnresolvedIntents,
  type ResolutionOutcome,
  type StoredWrite,
} from "./journal";
export {
  getServerRow,
  listAllServerRows,
  listServerRows,
  listServerRowsByPrincipal,
  listServerRowsByState,
  serverToEntity,
} from "./server";
export { getServiceRow, listServiceRows, markServiceDeleted, recordRunFailure, updateServiceRow } from "./service";
export {
  ESTATE_HISTORY_DAYS,
  listEstateDays,
  listEstateScopes,
  recordEstateDay,
  recordEstateScope,
  utcDay,
  type EstateDay,
  type EstateScope,
} from "./estate";
