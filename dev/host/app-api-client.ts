/**
 * A small client of the app's HTTP API (status and re-run) as served by the
 * local host, with the function key. Used by `npm start`'s story and the
 * end-to-end tests.
 */

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class AppApiClient {
  constructor(
    readonly apiUrl: string,
    private readonly functionKey: string,
  ) {}

  /** key: null sends no key at all. */
  async get<T = unknown>(pathAndQuery: string, key: string | null = this.functionKey): Promise<ApiResult<T>> {
    return this.send<T>("GET", pathAndQuery, undefined, key);
  }

  async post<T = unknown>(
    pathAndQuery: string,
    body: unknown,
    key: string | null = this.functionKey,
  ): Promise<ApiResult<T>> {
    return this.send<T>("POST", pathAndQuery, body, key);
  }

  private async send<T>(
    method: string,
    pathAndQuery: string,
    body: unknown,
    key: string | null,
  ): Promise<ApiResult<T>> {
    const response = await fetch(`${this.apiUrl}${pathAndQuery}`, {
      method,
      headers: {
        ...(key !== null ? { "x-functions-key": key } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

/** Status API shapes the story and tests read (see src/lib/store/rows.ts). */
export interface ServerStatus {
  serverId: string;
  name: string;
  state: string;
  reason: string;
  principalId?: string;
  activeAuthType?: string;
  remedy?: string;
  lastRunId?: string;
  switchAttempts?: number;
}

export interface ServiceStatus {
  serviceId: string;
  principalId?: string;
  useIdentity?: boolean;
  counts: Record<string, number>;
  lastRunId?: string;
  lastRunStatus?: string;
  lastError?: string;
  poisonedAt?: string;
  poisonReason?: string;
}

export interface ServiceDetail {
  service: ServiceStatus;
  servers: ServerStatus[];
  recentRuns: { runId: string; status: string }[];
}

export interface RunStatus {
  runId: string;
  serviceId: string;
  status: string;
  outcomes?: { actionId: string; status: string }[];
  plan?: { id: string; kind: string; description: string }[];
  armReads?: number;
  armWrites?: number;
}
