import { idKey } from "./resource-id";
import type { RoleAssignmentRecord } from "./state";

interface Indexed {
  principal: string;
  /** Lower-cased subscription id of the scope, when it is at or below a subscription. */
  subscription?: string;
  /** `idKey` of the scope. */
  scopeKey: string;
}

/**
 * The emulator's role assignments (keyed by `idKey(id)`), indexed by principal and counted per subscription as
 * they change. An estate holds tens of thousands of assignments; a list or a create that scanned them all, case-
 * folding every scope, made the emulator's CPU, not ARM's buckets, set the pace of estate-scale benchmarks.
 * What the emulator answers is unchanged: the same records, in the same (insertion) order.
 */
export class RoleAssignmentStore extends Map<string, RoleAssignmentRecord> {
  private readonly indexed = new Map<string, Indexed>();
  private readonly byPrincipal = new Map<string, Set<string>>();
  private readonly perSubscription = new Map<string, number>();

  override set(key: string, record: RoleAssignmentRecord): this {
    super.set(key, record);
    // The base constructor calls nothing here (no iterable is passed), so the fields exist.
    this.index(key, record);
    return this;
  }

  override delete(key: string): boolean {
    this.unindex(key);
    return super.delete(key);
  }

  override clear(): void {
    super.clear();
    this.indexed.clear();
    this.byPrincipal.clear();
    this.perSubscription.clear();
  }

  /** After records were changed in place (a restore), their principal or scope may differ: index them again. */
  reindex(): void {
    this.indexed.clear();
    this.byPrincipal.clear();
    this.perSubscription.clear();
    for (const [key, record] of this) this.index(key, record);
  }

  /** The assignments of one principal (any case), in insertion order. */
  ofPrincipal(principalId: string): RoleAssignmentRecord[] {
    return this.scoped(principalId).map((s) => s.record);
  }

  /**
   * Each assignment with the `idKey` of its scope (computed once, when stored), in insertion order: of one principal
   * (any case), or all of them.
   */
  scoped(principalId?: string): Array<{ record: RoleAssignmentRecord; scopeKey: string }> {
    const keys = principalId === undefined ? this.keys() : (this.byPrincipal.get(principalId.toLowerCase()) ?? []);
    const out: Array<{ record: RoleAssignmentRecord; scopeKey: string }> = [];
    for (const key of keys) {
      const record = this.get(key);
      const indexed = this.indexed.get(key);
      if (record && indexed) out.push({ record, scopeKey: indexed.scopeKey });
    }
    return out;
  }

  /** Assignments at subscription, resource-group or resource scope within one subscription (Azure's quota count). */
  countInSubscription(subscriptionId: string): number {
    return this.perSubscription.get(subscriptionId.toLowerCase()) ?? 0;
  }

  private index(key: string, record: RoleAssignmentRecord): void {
    const scopeKey = idKey(record.scope);
    const next: Indexed = {
      principal: record.principalId.toLowerCase(),
      subscription: /^\/subscriptions\/([^/]+)/.exec(scopeKey)?.[1],
      scopeKey,
    };
    const before = this.indexed.get(key);
    if (before && before.principal === next.principal && before.subscription === next.subscription) {
      this.indexed.set(key, next);
      return; // keeps its place in the principal's set, so lists keep the Map's order
    }
    if (before) {
      // A record that moved to another principal or subscription (never in ARM, which refuses such updates): index
      // everything again, so each principal's records stay in the Map's order.
      this.reindex();
      return;
    }
    this.indexed.set(key, next);
    let keys = this.byPrincipal.get(next.principal);
    if (!keys) this.byPrincipal.set(next.principal, (keys = new Set()));
    keys.add(key);
    if (next.subscription)
      this.perSubscription.set(next.subscription, (this.perSubscription.get(next.subscription) ?? 0) + 1);
  }

  private unindex(key: string): void {
    const before = this.indexed.get(key);
    if (!before) return;
    this.indexed.delete(key);
    const keys = this.byPrincipal.get(before.principal);
    keys?.delete(key);
    if (keys?.size === 0) this.byPrincipal.delete(before.principal);
    if (before.subscription) {
      const left = (this.perSubscription.get(before.subscription) ?? 1) - 1;
      if (left > 0) this.perSubscription.set(before.subscription, left);
      else this.perSubscription.delete(before.subscription);
    }
  }
}
