import type { MachineIdentity, RegisteredServerView, ArmErrorInfo, JournaledWrite } from "../azure";
import type { EngineHints, ReconcileReport, WriteJournal } from "../reconcile";

/**
 * The registered-server fields the app reads (the engine's normalized view: zero GUIDs absent, enums as ARM spells
 * them).
 */
export type RegisteredServerSnapshot = Pick<
  RegisteredServerView,
  | "resourceId"
  | "serverId"
  | "serviceId"
  | "name"
  | "serverName"
  | "friendlyName"
  | "applicationId"
  | "latestApplicationId"
  | "activeAuthType"
>;

/**
 * What the app needs from the engine and ARM, as one narrow interface: the
 * composition root binds it to src/lib/reconcile and src/lib/azure, so the
 * app's logic never builds SDK clients itself.
 */
export interface EnginePort {
  reconcile(
    serviceId: string,
    options: {
      dryRun: boolean;
      hints?: EngineHints;
      journal?: WriteJournal;
      /**
       * The machine the app recorded with a principal: ties a switched server whose machine identity changed to that
       * machine.
       */
      recordedMachineOf?: (principalId: string) => Promise<string | undefined>;
    },
  ): Promise<ReconcileReport>;
  /** Storage Sync Service ids in a subscription or resource group scope. */
  listServices(scope: string): Promise<string[]>;
  listServers(serviceId: string): Promise<RegisteredServerSnapshot[]>;
  /**
   * One ARM GET of the service: undefined when it exists, ARM's error when ARM
   * says it does not (404 ResourceNotFound / ResourceGroupNotFound /
   * SubscriptionNotFound); other failures are thrown.
   */
  serviceDeletion(serviceId: string): Promise<ArmErrorInfo | undefined>;
  /** True for an error saying a resource, its group or its subscription does not exist. */
  isDeleted(error: unknown): boolean;
  /** undefined when the server no longer exists (404). */
  getServer(serverResourceId: string): Promise<RegisteredServerSnapshot | undefined>;
  /** undefined when the machine no longer exists (404). */
  getMachineIdentity(machineId: string): Promise<MachineIdentity | undefined>;
  /** Whether a journaled write whose answer was never recorded took effect, read from ARM. */
  writeTookEffect(write: JournaledWrite): Promise<boolean>;
  /** 429/5xx/network: retrying later can help. */
  isTransient(error: unknown): boolean;
  errorInfo(error: unknown): ArmErrorInfo;
}
