import { decodeRow, flat, type FlatEntity } from "../tables/entity";
import { resourceKey, serverKey } from "../tables/keys";
import { SERVICE_JSON_COLUMNS, serverRowSchema, serviceRowSchema, type ServerRecord, type ServiceRecord } from "./rows";

export function serverToEntity(r: ServerRecord): FlatEntity {
  return flat({ partitionKey: resourceKey(r.serviceId), rowKey: serverKey(r.serverId) }, { ...r });
}

export function serverFromEntity(e: Record<string, unknown>): ServerRecord | undefined {
  return decodeRow(serverRowSchema, e);
}

export const SERVICE_PARTITION = "service";

export function serviceToEntity(r: ServiceRecord): FlatEntity {
  const { counts, warnings, roleAssignmentQuotas, ...rest } = r;
  return flat(
    { partitionKey: SERVICE_PARTITION, rowKey: resourceKey(r.serviceId) },
    {
      ...rest,
      counts: JSON.stringify(counts),
      warnings: JSON.stringify(warnings.slice(0, 20)),
      ...(roleAssignmentQuotas ? { roleAssignmentQuotas: JSON.stringify(roleAssignmentQuotas.slice(0, 20)) } : {}),
    },
  );
}

export function serviceFromEntity(e: Record<string, unknown>): ServiceRecord | undefined {
  return decodeRow(serviceRowSchema, e, SERVICE_JSON_COLUMNS);
}
