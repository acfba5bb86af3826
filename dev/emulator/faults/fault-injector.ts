import { randomUUID } from "node:crypto";
import { parseFaultRule, type FaultEffect, type FaultRule } from "./fault-rule";

export type { FaultEffect, FaultMatch, FaultRule } from "./fault-rule";
export { parseFaultRule } from "./fault-rule";

/** What the server knows about a request when it asks whether to fail it. */
export interface FaultRequest {
  operationId?: string;
  method: string;
  path: string;
  isWrite: boolean;
}

/** A rule as stored: its id is fixed and `remaining` counts down (undefined = unlimited). */
export interface ActiveFaultRule extends FaultRule {
  id: string;
  remaining: number | undefined;
  /** How many requests this rule has been applied to. */
  applied: number;
}

export interface FaultInjectorOptions {
  /** Source of randomness for `probability`; injectable so tests are deterministic. */
  random?: () => number;
}

/**
 * Per-operation or per-path fault rules. Rules are tried in the order they
 * were added; the first that matches the request (and wins its probability
 * draw) applies and uses up one of its `times`. A rule whose draw fails is
 * not consumed and the next rule is tried.
 */
export class FaultInjector {
  private rules: ActiveFaultRule[] = [];
  private readonly random: () => number;

  constructor(options: FaultInjectorOptions = {}) {
    this.random = options.random ?? Math.random;
  }

  /** Adds a rule (validated; throws on a malformed one) and returns its id. Re-using an id replaces that rule. */
  add(rule: FaultRule): string {
    const parsed = parseFaultRule(rule);
    const id = parsed.id ?? randomUUID();
    this.rules = this.rules.filter((r) => r.id !== id);
    this.rules.push({ ...parsed, id, remaining: parsed.times, applied: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  decide(request: FaultRequest): FaultEffect | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, request)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.applied++;
      if (rule.remaining !== undefined) {
        rule.remaining--;
        if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      }
      return rule.effect;
    }
    return undefined;
  }
}

function matches(rule: FaultRule, request: FaultRequest): boolean {
  const { operationId, method, pathContains, isWrite } = rule.match;
  if (operationId !== undefined && operationId.toLowerCase() !== (request.operationId ?? "").toLowerCase())
    return false;
  if (method !== undefined && method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (pathContains !== undefined && !request.path.toLowerCase().includes(pathContains.toLowerCase())) return false;
  if (isWrite !== undefined && isWrite !== request.isWrite) return false;
  return true;
}
