import type { TokenCredential } from "@azure/core-auth";
import type { Config } from "../config";
import {
  createArmConnection,
  type ArmConnection,
  isTransientArmError,
  toArmErrorInfo,
  getMachineIdentity,
  getRegisteredServer,
  listRegisteredServers,
  listStorageSyncServices,
  isResourceDeleted,
  storageSyncServiceDeletion,
  writeTookEffect,
} from "../azure";
import { reconcileService } from "../reconcile";
import type { EnginePort } from "../ports/engine-port";

/** Binds the app's EnginePort to the real engine and ARM reads over one connection. */
export function bindEngineToConnection(config: Config, arm: ArmConnection): EnginePort {
  const settings = {
    minAgentVersion: config.minAgentVersion,
    pruneStaleGrants: config.pruneStaleGrants,
    maxConcurrency: config.maxConcurrency,
    principalNotFoundRetries: config.principalNotFoundRetries,
    principalNotFoundBaseDelayMs: config.principalNotFoundBaseDelayMs,
    machineScopes: config.managedScopes,
    roleAssignmentLimit: config.roleAssignmentLimit,
  };
  return {
    reconcile: (serviceId, options) =>
      reconcileService(arm, serviceId, {
        dryRun: options.dryRun,
        settings,
        hints: options.hints,
        journal: options.journal,
        ...(options.recordedMachineOf ? { recordedMachineOf: options.recordedMachineOf } : {}),
      }),
    listServices: (scope) => listStorageSyncServices(arm, scope),
    listServers: (serviceId) => listRegisteredServers(arm, serviceId),
    serviceDeletion: (serviceId) => storageSyncServiceDeletion(arm, serviceId),
    isDeleted: (error) => isResourceDeleted(toArmErrorInfo(error)),
    getServer: (id) => getRegisteredServer(arm, id),
    getMachineIdentity: (id) => getMachineIdentity(arm, id),
    writeTookEffect: (write) => writeTookEffect(arm, write),
    isTransient: (error) => isTransientArmError(error),
    errorInfo: (error) => toArmErrorInfo(error),
  };
}

export function bindEngine(
  config: Config,
  credential: TokenCredential,
  options: { lroPollIntervalMs?: number; retryDelayInMs?: number } = {},
): EnginePort {
  return bindEngineToConnection(config, createArmConnection({ endpoint: config.armEndpoint, credential, ...options }));
}
