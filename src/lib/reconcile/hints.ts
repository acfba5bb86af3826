/**
 * What the app knows that ARM's Storage Sync resources do not say, handed to
 * one run. Registered servers hold no link to their machine, and an agent
 * whose trust is broken reports nothing, so only the machine's write event
 * (read by the app) tells that a switched server's identity changed.
 */
export interface IdentityChange {
  machineId: string;
  /** The machine's current system-assigned principal. */
  principalId: string;
  /** The principal the app recorded for the machine before (what the server is bound to), when known. */
  previousPrincipalId?: string;
  /** Every name the machine answers to, lower-cased (resource name, FQDN, computer name). */
  hostNames: string[];
  /** The Entra tenant of the machine's identity. */
  tenantId?: string;
  /** Arc properties.status (Connected, Disconnected, Error, Expired), when the machine is an Arc machine. */
  status?: string;
}

export interface EngineHints {
  identityChanges?: IdentityChange[];
  /** Servers the activation check found still on Certificate after the window: the switch is sent again. */
  overdueServerIds?: string[];
}
