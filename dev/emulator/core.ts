import { randomUUID } from "node:crypto";
import { AgentWorld, evaluateAgent } from "./agent";
import { AppliedWriteLog } from "./applied-writes";
import { DeploymentResources } from "./deployment";
import { ArmError } from "./arm-error";
import { CallRecorder } from "./calls";
import { SimulatedClock } from "./clock";
import { ArmThrottle, type ArmThrottleOptions } from "./faults/arm-throttle";
import { FaultInjector } from "./faults/fault-injector";
import { LatencyModel, type LatencyModelOptions } from "./faults/latency-model";
import { OrderViolationLog } from "./faults/order-violations";
import { LroTracker } from "./lro";
import { idKey } from "./resource-id";
import type { Seed } from "./seed";
import { loadSeedIntoState } from "./seed-loader";
import { SpecCatalog } from "../../src/lib/spec/catalog";
import { EmulatorState, type PrincipalRecord, type ServerRecord } from "./state";

export interface EmulatorDelays {
  /** After a machine identity appears, the agent reports it as latestApplicationId. */
  discoveryMs: number;
  /** After PATCH identity:true, the agent starts using its identity (if granted). */
  activationMs: number;
  /** A new principal is unknown to role assignment writes without principalType for this long. */
  principalReplicationMs: number;
  /** Duration of a long-running operation answered with 202. */
  lroMs: number;
  /** Retry-After of 202 answers. */
  retryAfterSeconds: number;
}

/** Short defaults: tests advance the simulated clock instead of waiting. */
export const DEFAULT_DELAYS: EmulatorDelays = {
  discoveryMs: 2_000,
  activationMs: 5_000,
  principalReplicationMs: 3_000,
  lroMs: 30,
  retryAfterSeconds: 0,
};

/** Receives every successful write (wired to the Event Grid publisher). */
export interface WriteListener {
  (write: {
    resourceUri: string;
    method: string;
    subscriptionId: string;
    callerOid: string;
    correlationId: string;
  }): void;
}

/** The emulator's state and behaviour, independent of HTTP. */
export class EmulatorCore {
  readonly state = new EmulatorState();
  readonly clock = new SimulatedClock();
  readonly lro = new LroTracker();
  readonly recorder = new CallRecorder();
  /** Every state-changing ARM request applied, with its client request id (the Activity Log's view). */
  readonly appliedWrites = new AppliedWriteLog();
  readonly faults = new FaultInjector();
  /** The deployed app's resources (function app, system topics) and provider registrations, served for reads. */
  readonly deployment = new DeploymentResources();
  /** Applied writes that broke the grant-before-switch order (see faults/order-violations.ts). */
  readonly violations = new OrderViolationLog();
  readonly throttle: ArmThrottle;
  readonly latency: LatencyModel;
  readonly catalog: SpecCatalog;
  delays: EmulatorDelays;
  lroMode: "sync" | "async";
  enforceRbac: boolean;
  /** Check every answer of a spec operation against the spec's response schema (problems land in the request log). */
  validateResponses: boolean;
  /** 0: every list is one page (as the specs say); n: lists answer n items per page with a nextLink. */
  listPageSize: number;
  /** Set once the HTTPS server listens. */
  armEndpoint = "";
  private readonly writeListeners: WriteListener[] = [];

  constructor(options: {
    seed: Seed;
    delays?: Partial<EmulatorDelays>;
    lroMode?: "sync" | "async";
    enforceRbac?: boolean;
    catalog?: SpecCatalog;
    throttle?: ArmThrottleOptions;
    latency?: LatencyModelOptions;
    validateResponses?: boolean;
    listPageSize?: number;
  }) {
    this.validateResponses = options.validateResponses ?? false;
    this.listPageSize = options.listPageSize ?? 0;
    this.throttle = new ArmThrottle(options.throttle);
    this.latency = new LatencyModel(options.latency);
    this.catalog = options.catalog ?? SpecCatalog.load();
    this.delays = { ...DEFAULT_DELAYS, ...options.delays };
    this.lroMode = options.lroMode ?? "async";
    this.enforceRbac = options.enforceRbac ?? false;
    this.loadSeed(options.seed);
  }

  loadSeed(seed: Seed): void {
    // Load into a fresh state first: a seed that fails validation half-way changes nothing.
    const next = new EmulatorState();
    loadSeedIntoState(next, seed, this.clock);
    this.state.replaceWith(next);
    this.deployment.clear();
    this.lro.clear();
    // Seeded identities are long discovered: materialise that now, not on first read.
    this.evaluateServers(this.state.servers.values());
  }

  onWrite(listener: WriteListener): void {
    this.writeListeners.push(listener);
  }

  wrote(resourceUri: string, method: string, callerOid: string, correlationId: string): void {
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(resourceUri)?.[1] ?? "";
    for (const l of this.writeListeners) l({ resourceUri, method, subscriptionId, callerOid, correlationId });
  }

  setDelays(partial: Partial<EmulatorDelays>): EmulatorDelays {
    for (const [k, v] of Object.entries(partial)) {
      if (!(k in DEFAULT_DELAYS))
        throw new ArmError(
          400,
          "InvalidDelays",
          `Unknown delay '${k}'; known: ${Object.keys(DEFAULT_DELAYS).join(", ")}`,
        );
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
        throw new ArmError(400, "InvalidDelays", `Delay '${k}' must be a non-negative number`);
    }
    this.delays = { ...this.delays, ...partial };
    return this.delays;
  }

  /** Completes due long-running operations (raising their write events). */
  settle(): void {
    const done = this.lro.settle(this.clock.now(), (_op, e) =>
      e instanceof ArmError ? e : new ArmError(500, "InternalServerError", String(e)),
    );
    for (const op of done) op.onSettled?.();
  }

  /** Brings the simulated agents of these servers up to now. */
  evaluateServers(servers: Iterable<ServerRecord>): void {
    const now = this.clock.now();
    const world = new AgentWorld(this.state);
    for (const s of servers) evaluateAgent(this.state, s, now, this.delays, world);
  }

  server(id: string): ServerRecord | undefined {
    const s = this.state.servers.get(idKey(id));
    if (s) this.evaluateServers([s]);
    return s;
  }

  /** Registers a new principal (a new managed identity) created now: subject to the replication delay. */
  newPrincipal(displayName: string, tenantId?: string): PrincipalRecord {
    return this.state.addPrincipal({
      principalId: randomUUID(),
      type: "ServicePrincipal",
      displayName,
      createdAtMs: this.clock.now(),
      ...(tenantId && tenantId !== this.state.tenantId ? { tenantId } : {}),
    });
  }
}
