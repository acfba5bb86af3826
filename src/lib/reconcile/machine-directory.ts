import { isRestError } from "@azure/core-rest-pipeline";
import {
  type ArmConnection,
  listMachinesAt,
  type MachineIdentity,
  isSameOrDescendantScope,
  resourceIdKey,
} from "../azure";
import { ReconcileError } from "./errors";

/** The machines a run compares switched servers with, and the scopes it could not read. */
export interface ListedMachines {
  machines: MachineIdentity[];
  unreadable: Array<{ scope: string; reason: string }>;
}

/** Scopes without those inside another one of them (a resource group inside a listed subscription). */
export function outermostScopes(scopes: string[]): string[] {
  const unique = [...new Map(scopes.map((s) => [resourceIdKey(s), s.replace(/\/+$/, "")])).values()];
  return unique.filter((s) => !unique.some((other) => other !== s && isSameOrDescendantScope(s, other)));
}

/**
 * The Arc machines and VMs of the managed scopes, listed at most once per
 * scope for the whole run (two list calls each: Arc machines and VMs) and
 * reused by every service the run reconciles. Without configured scopes
 * (the CLI), the service's own subscription is the scope.
 */
export class MachineDirectory {
  private readonly lists = new Map<string, Promise<MachineIdentity[] | { unreadable: string }>>();

  constructor(
    private readonly arm: ArmConnection,
    private readonly scopes: string[] | undefined,
  ) {}

  async machinesFor(serviceSubscriptionId: string, call: { abortSignal?: AbortSignal }): Promise<ListedMachines> {
    const scopes = outermostScopes(
      this.scopes && this.scopes.length > 0 ? this.scopes : [`/subscriptions/${serviceSubscriptionId}`],
    );
    const result: ListedMachines = { machines: [], unreadable: [] };
    for (const scope of scopes) {
      const listed = await this.list(scope, call);
      if ("unreadable" in listed) result.unreadable.push({ scope, reason: listed.unreadable });
      else result.machines.push(...listed);
    }
    return result;
  }

  private list(
    scope: string,
    call: { abortSignal?: AbortSignal },
  ): Promise<MachineIdentity[] | { unreadable: string }> {
    const key = resourceIdKey(scope);
    let listed = this.lists.get(key);
    if (!listed) {
      listed = listMachinesAt(this.arm, scope, call).catch((error: unknown) => {
        // No read right on the machines (403), or a scope that is gone (404): drift there is reported as unchecked.
        if (isRestError(error) && (error.statusCode === 403 || error.statusCode === 404 || error.statusCode === 401)) {
          return { unreadable: `${error.code ?? error.statusCode}: ${error.message.slice(0, 300)}` };
        }
        this.lists.delete(key); // a transient failure is not remembered: a later service of this run tries again
        throw new ReconcileError(`Cannot list the Arc machines and VMs of ${scope}`, error);
      });
      this.lists.set(key, listed);
    }
    return listed;
  }
}
