import type { RegisteredServerView } from "../azure/views";
import type { ArmErrorInfo, ReconcileReport } from "../reconcile/report";
import type { EngineHints } from "../reconcile/hints";

/**
 * What the app needs from the engine and ARM, as one narrow interface: the
 * composition root binds it to src/lib/reconcile and src/lib/azure, so the
 * app's logic never builds SDK clients itself.
 */
export interface MachineIdentity {
  resourceId: string;
  name: string;
  /** Every name the machine answers to (resource name, FQDN, computer name), lower-cased. */
  hostNames: string[];
  principalId?: string;
  tenantId?: string;
  /** Arc properties.status, when the machine is an Arc machine. */
  status?: string;
}

/** The registered-server fields the app reads (the engine's normalized view: zero GUIDs absent, enums as ARM spells them). */
export type RegisteredServerSnapshot = Pick<
  RegisteredServerView,
  "resourceId" | "serverId" | "serviceId" | "name" | "serverName" | "friendlyName" | "applicationId" | "latestApplicationId" | "activeAuthType"
>;

export interface EnginePort {
  reconcile(serviceId: string, options: { dryRun: boolean; hints?: EngineHints }): Promise<ReconcileReport>;
  /** Storage Sync Service ids in a subscription or resource group scope. */
  listServices(scope: string): Promise<string[]>;
  listServers(serviceId: string): Promise<RegisteredServerSnapshot[]>;
  /** undefined when the server no longer exists (404). */
  getServer(serverResourceId: string): Promise<RegisteredServerSnapshot | undefined>;
  /** undefined when the machine no longer exists (404). */
  getMachineIdentity(machineId: string): Promise<MachineIdentity | undefined>;
  /** 429/5xx/network: retrying later can help. */
  isTransient(error: unknown): boolean;
  errorInfo(error: unknown): ArmErrorInfo;
}
