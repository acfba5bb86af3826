import { registeredServerHandlers } from "./registered-servers";
import { serviceHandlers } from "./storage-sync-services";
import { endpointHandlers, syncGroupHandlers } from "./sync-groups";
import type { Handler } from "./types";

/** Microsoft.StorageSync 2022-09-01: services, registered servers, sync groups, endpoints. */
export const storageSyncHandlers: Record<string, Handler> = {
  ...serviceHandlers,
  ...registeredServerHandlers,
  ...syncGroupHandlers,
  ...endpointHandlers,
};
