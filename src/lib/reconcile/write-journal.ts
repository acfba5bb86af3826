import type { WriteKind } from "../azure";

/** One ARM write the engine is about to make, with the client request id it will carry. */
export interface WriteIntent {
  /** The planned action this write carries out. */
  actionId: string;
  kind: WriteKind;
  method: "PUT" | "PATCH" | "DELETE";
  /** The resource id written. */
  target: string;
  principalId?: string;
  roleDefinitionGuid?: string;
  scope?: string;
  /** Sent as `x-ms-client-request-id`: ARM's Activity Log records it as `httpRequest.clientRequestId`. */
  clientRequestId: string;
}

/** What ARM did with the write. */
export interface WriteResult {
  status: "applied" | "alreadyPresent" | "failed";
  armRequestId?: string;
  errorCode?: string;
  error?: string;
}

/**
 * The engine's narrow port to the ARM write journal: `intend` must be durable
 * before the write is sent (so a write of a killed attempt is on record), and
 * `complete` records what ARM answered.
 */
export interface WriteJournal {
  intend(intent: WriteIntent): Promise<void>;
  complete(clientRequestId: string, result: WriteResult): Promise<void>;
}

/** For callers that keep no journal (the CLI): the writes still carry their client request ids. */
export const NO_JOURNAL: WriteJournal = {
  intend: () => Promise.resolve(),
  complete: () => Promise.resolve(),
};
