import { request } from "node:https";
import { rootCertificates } from "node:tls";
import type {
  AddPrincipalRequest,
  ArcMachineStatus,
  EmulatorDelays,
  EmulatorSettings,
  FaultRule,
  MachineIdentityAction,
  RegisterServerRequest,
  StorageAccountChange,
} from "./admin-types";
import type { AppliedWrite } from "./applied-writes";
import type { DeploymentInput } from "./deployment";
import type { CallCounts, RequestLogEntry } from "./calls";
import type { SeedInput } from "./seed";
import type { OrderViolation } from "./faults/order-violations";
import type {
  CloudEndpointRecord,
  FileShareRecord,
  MachineRecord,
  ResourceGroupRecord,
  RoleAssignmentRecord,
  ServerEndpointRecord,
  ServiceRecord,
  StorageAccountRecord,
  SubscriptionRecord,
  SyncGroupRecord,
} from "./state";

export type { AppliedWrite } from "./applied-writes";
export type { CallCounts, RequestLogEntry } from "./calls";

/** A failed admin call, with the emulator's error code. */
export class EmulatorAdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "EmulatorAdminError";
  }
}

/** What `getServer` returns: the stored record, including the simulated agent's fields. */
export interface RawServer {
  id: string;
  serviceId: string;
  serverId: string;
  serverName: string;
  serverRole: string;
  clusterId: string;
  agentVersion: string;
  applicationId?: string;
  latestApplicationId?: string;
  activeAuthType: "Certificate" | "ManagedIdentity";
  identity: boolean;
  pendingSwitch?: { principalId: string; sinceMs: number; fromIdentity?: boolean };
  /** Simulated agent fault: it never picks up a switch. */
  agentIgnoresSwitch?: boolean;
  /** e.g. "0x80c86063" while the identity lacks access to a share. */
  agentError?: string;
  serverManagementErrorCode: number;
  lastHeartBeat: string;
}

/** What `state()` returns: every stored record (servers with their simulated agent fields). */
export interface StateDump {
  now: string;
  tenantId: string;
  callerPrincipalId: string;
  subscriptions: SubscriptionRecord[];
  resourceGroups: ResourceGroupRecord[];
  services: ServiceRecord[];
  servers: RawServer[];
  syncGroups: SyncGroupRecord[];
  cloudEndpoints: CloudEndpointRecord[];
  serverEndpoints: ServerEndpointRecord[];
  storageAccounts: StorageAccountRecord[];
  fileShares: FileShareRecord[];
  machines: MachineRecord[];
  roleAssignments: RoleAssignmentRecord[];
  principals: PrincipalInfo[];
}

export interface PrincipalInfo {
  principalId: string;
  type: string;
  displayName: string;
  createdAtMs: number;
  tenantId?: string;
}

export interface WebhookInfo {
  registered: string[];
  stats: { published: number; delivered: number; failed: number; duplicated: number; retries: number; pending: number };
  deliveries: { url: string; eventId: string; attempts: number; outcome: string; lastError?: string }[];
}

/**
 * Typed client of the emulator's admin API (`{adminUrl}/…`), usable in the
 * test process and from other processes given the URL and the CA certificate.
 */
export class EmulatorAdminClient {
  constructor(
    readonly adminUrl: string,
    private readonly caCertPem: string,
  ) {}

  calls(): Promise<CallCounts> {
    return this.send("GET", "/calls");
  }
  async resetCalls(): Promise<void> {
    await this.send("POST", "/calls/reset");
  }
  /** The state-changing ARM requests applied so far, in order (refused ones are not listed). */
  async writes(): Promise<AppliedWrite[]> {
    return (await this.send<{ writes: AppliedWrite[] }>("GET", "/writes")).writes;
  }
  async resetWrites(): Promise<void> {
    await this.send("POST", "/writes/reset");
  }
  requests(): Promise<RequestLogEntry[]> {
    return this.send("GET", "/requests");
  }
  async loadSeed(seed: SeedInput): Promise<void> {
    await this.send("POST", "/seed", seed);
  }
  /** Moves the simulated clock forward; returns the new simulated time. */
  async advanceTime(ms: number): Promise<string> {
    return (await this.send<{ now: string }>("POST", "/time/advance", { ms })).now;
  }
  setDelays(delays: Partial<EmulatorDelays>): Promise<EmulatorDelays> {
    return this.send("POST", "/delays", delays);
  }
  delays(): Promise<EmulatorDelays> {
    return this.send("GET", "/delays");
  }
  setSettings(settings: Partial<EmulatorSettings>): Promise<EmulatorSettings> {
    return this.send("POST", "/settings", settings);
  }
  /** Registers a server as the agent would (raises the registeredServers/write event); returns its resource id. */
  async registerServer(req: RegisterServerRequest): Promise<string> {
    return (await this.send<{ id: string }>("POST", "/servers", req)).id;
  }
  /**
   * Enables, resets or disables an Arc machine's or VM's system identity (raises its write event); returns the
   * principal id.
   */
  async setMachineIdentity(machineId: string, action: MachineIdentityAction): Promise<string | null> {
    return (await this.send<{ principalId: string | null }>("POST", "/machines/identity", { machineId, action }))
      .principalId;
  }
  /** Sets an Arc machine's `properties.status` (as its agent's heartbeats would; no event). */
  async setMachineStatus(machineId: string, status: ArcMachineStatus): Promise<void> {
    await this.send("POST", "/machines/status", { machineId, status });
  }
  /** Flags a server's simulated agent as one that never picks up a switch (or clears the flag). */
  setAgentIgnoresSwitch(serverResourceId: string, ignoresSwitch: boolean): Promise<RawServer> {
    return this.send("POST", "/servers/agent", { id: serverResourceId, ignoresSwitch });
  }
  /**
   * Changes a storage account's network rules or shared key setting (as someone in the portal; raises its write event).
   */
  setStorageAccount(change: StorageAccountChange): Promise<StorageAccountRecord> {
    return this.send("POST", "/storage-accounts", change);
  }
  addPrincipal(req: AddPrincipalRequest = {}): Promise<PrincipalInfo> {
    return this.send("POST", "/principals", req);
  }
  async deleteRoleAssignment(id: string): Promise<void> {
    await this.send("DELETE", `/role-assignments?id=${encodeURIComponent(id)}`);
  }
  /** Adds (or replaces, by id) a function app, system topics and provider registrations (see deployment.ts). */
  async setDeployment(deployment: DeploymentInput): Promise<void> {
    await this.send("POST", "/deployment", deployment);
  }

  async addFault(rule: FaultRule): Promise<string> {
    return (await this.send<{ id: string }>("POST", "/faults", rule)).id;
  }
  /** Applied writes that broke the grant-before-switch order (see faults/order-violations.ts). */
  async violations(): Promise<OrderViolation[]> {
    return (await this.send<{ violations: OrderViolation[] }>("GET", "/violations")).violations;
  }
  async resetViolations(): Promise<void> {
    await this.send("POST", "/violations/reset");
  }
  async removeFault(id: string): Promise<void> {
    await this.send("DELETE", `/faults?id=${encodeURIComponent(id)}`);
  }
  async clearFaults(): Promise<void> {
    await this.send("DELETE", "/faults");
  }
  async addWebhook(url: string): Promise<void> {
    await this.send("POST", "/webhooks", { url });
  }
  async removeWebhook(url: string): Promise<void> {
    await this.send("DELETE", `/webhooks?url=${encodeURIComponent(url)}`);
  }
  webhooks(): Promise<WebhookInfo> {
    return this.send("GET", "/webhooks");
  }
  /** Waits until every event delivery started so far has finished. */
  async flushEvents(): Promise<WebhookInfo["stats"]> {
    return this.send("POST", "/events/flush");
  }
  state(): Promise<StateDump> {
    return this.send("GET", "/state");
  }
  getServer(serverResourceId: string): Promise<RawServer> {
    return this.send("GET", `/servers?id=${encodeURIComponent(serverResourceId)}`);
  }

  private send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(this.adminUrl.replace(/\/$/, "") + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: [...rootCertificates, this.caCertPem],
          headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = text;
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(parsed as T);
            const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
            reject(
              new EmulatorAdminError(
                status,
                err?.code ?? "Unknown",
                `${method} ${path}: HTTP ${status} ${err?.code ?? ""}: ${err?.message ?? text}`,
              ),
            );
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
}
