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
 * before the write is sent (so a write of a killed attempt is on record),
 * `complete` records what ARM answered, and `fence` runs before every attempt
 * of the write (the SDK's retries included) and throws once the writer may no
 * longer write.
 */
export interface WriteJournal {
  intend(intent: WriteIntent): Promise<void>;
  complete(clientRequestId: string, result: WriteResult): Promise<void>;
  /** The call ended without telling whether ARM applied it: the intent stays open, but nothing of it is in flight. */
  unanswered(clientRequestId: string, error: { errorCode?: string; error: string }): Promise<void>;
  fence(): void;
}

/** For callers that keep no journal (the CLI): the writes still carry their client request ids. */
export const NO_JOURNAL: WriteJournal = {
  intend: () => Promise.resolve(),
  complete: () => Promise.resolve(),
  unanswered: () => Promise.resolve(),
  fence: () => undefined,
};
