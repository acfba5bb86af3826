import type { TokenCredential } from "@azure/core-auth";
import type { Config } from "../config";
import { createArmConnection, type ArmConnection } from "../azure/arm-connection";
import { isTransientArmError, toArmErrorInfo } from "../azure/arm-error";
import { getMachineIdentity, getRegisteredServer, listRegisteredServers, listStorageSyncServices } from "../azure/reads";
import { reconcileService } from "../reconcile";
import { isResourceAbsent, storageSyncServiceAbsence } from "../azure/service-existence";
import type { EnginePort } from "../ports/engine-port";
import { writeTookEffect } from "../azure/write-effects";
import { countSubscriptionRoleAssignments } from "../azure/role-assignment-quota";

/** Binds the app's EnginePort to the real engine and ARM reads over one connection. */
export function bindEngineToConnection(config: Config, arm: ArmConnection): EnginePort {
  const settings = {
    minAgentVersion: config.minAgentVersion,
    pruneStaleGrants: config.pruneStaleGrants,
    maxConcurrency: config.maxConcurrency,
    principalNotFoundRetries: config.principalNotFoundRetries,
    principalNotFoundBaseDelayMs: config.principalNotFoundBaseDelayMs,
  };
  return {
    reconcile: (serviceId, options) => reconcileService(arm, serviceId, { dryRun: options.dryRun, settings, hints: options.hints, journal: options.journal }),
    listServices: (scope) => listStorageSyncServices(arm, scope),
    countRoleAssignments: (subscriptionId) => countSubscriptionRoleAssignments(arm, subscriptionId),
    listServers: (serviceId) => listRegisteredServers(arm, serviceId),
    serviceAbsence: (serviceId) => storageSyncServiceAbsence(arm, serviceId),
    isAbsent: (error) => isResourceAbsent(toArmErrorInfo(error)),
    getServer: (id) => getRegisteredServer(arm, id),
    getMachineIdentity: (id) => getMachineIdentity(arm, id),
    writeTookEffect: (write) => writeTookEffect(arm, write),
    isTransient: (error) => isTransientArmError(error),
    errorInfo: (error) => toArmErrorInfo(error),
  };
}

export function bindEngine(config: Config, credential: TokenCredential, options: { lroPollIntervalMs?: number; retryDelayInMs?: number } = {}): EnginePort {
  return bindEngineToConnection(config, createArmConnection({ endpoint: config.armEndpoint, credential, ...options }));
}
