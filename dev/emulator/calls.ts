/** Per-operation call counters and the request log, for tests and benchmarks. */

export interface OperationCalls {
  reads: number;
  writes: number;
}

export interface CallCounts {
  byOperation: Record<string, OperationCalls>;
  reads: number;
  writes: number;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  /** Path as received (may contain the SDK's double slash). */
  path: string;
  query: Record<string, string>;
  operationId?: string;
  status: number;
  /** ARM error code when the answer was an error. */
  errorCode?: string;
  /** With `validateResponses`: where the answer departs from the spec's response schema. */
  responseProblems?: string[];
  caller?: string;
  requestId: string;
  correlationId: string;
  /** Parsed JSON body of a write request. */
  body?: unknown;
}

const MAX_LOG = 10_000;

export class CallRecorder {
  private counts = new Map<string, OperationCalls>();
  private log: RequestLogEntry[] = [];

  count(operationId: string, isWrite: boolean): void {
    const c = this.counts.get(operationId) ?? { reads: 0, writes: 0 };
    if (isWrite) c.writes++;
    else c.reads++;
    this.counts.set(operationId, c);
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
  }

  calls(): CallCounts {
    const byOperation: Record<string, OperationCalls> = {};
    let reads = 0;
    let writes = 0;
    for (const [op, c] of [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      byOperation[op] = { ...c };
      reads += c.reads;
      writes += c.writes;
    }
    return { byOperation, reads, writes };
  }

  requests(): RequestLogEntry[] {
    return [...this.log];
  }

  reset(): void {
    this.counts.clear();
    this.log = [];
  }
}
