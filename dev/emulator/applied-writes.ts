/**
 * The log of state-changing ARM requests the emulator applied, as ARM's
 * Activity Log records them (one entry per write, with the caller's
 * `x-ms-client-request-id` as `httpRequest.clientRequestId`). Refused requests
 * (4xx, 409, 429, 5xx, dropped connections) change nothing and are not here.
 */
export interface AppliedWrite {
  /** 1, 2, … in the order the changes took effect. */
  seq: number;
  /** Emulator wall-clock time the change took effect (ISO 8601). */
  at: string;
  method: string;
  /** The request's resource id (normalised path, no query). */
  path: string;
  /** The operation id of the request, e.g. RoleAssignments_Create. */
  kind: string;
  /** The request's `x-ms-client-request-id` header, or null when it had none. */
  clientRequestId: string | null;
  /** The emulator's `x-ms-request-id` of the request that made the change. */
  requestId: string;
  /** HTTP status of the final answer (of the long-running operation's result, for a 202). */
  status: number;
}

const MAX_WRITES = 100_000;

export class AppliedWriteLog {
  private entries: AppliedWrite[] = [];
  private nextSeq = 1;

  record(write: Omit<AppliedWrite, "seq" | "at">): void {
    this.entries.push({ seq: this.nextSeq++, at: new Date().toISOString(), ...write });
    if (this.entries.length > MAX_WRITES) this.entries.splice(0, this.entries.length - MAX_WRITES);
  }

  writes(): AppliedWrite[] {
    return this.entries.map((e) => ({ ...e }));
  }

  reset(): void {
    this.entries = [];
    this.nextSeq = 1;
  }
}
