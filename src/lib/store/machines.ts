import type { TableClient } from "@azure/data-tables";
import { flat } from "../tables/entity";
import { odataString, resourceKey } from "../tables/keys";
import { isNotFound } from "../tables/table-errors";
import { decodeRow } from "../tables/entity";
import { machineRowSchema, type KnownMachine } from "./rows";

const ROW = "machine";

export async function getMachineRow(table: TableClient, machineId: string): Promise<KnownMachine | undefined> {
  try {
    const e = await table.getEntity<Record<string, unknown>>(resourceKey(machineId), ROW);
    return decodeRow(machineRowSchema, { machineId, ...e }, ["services"]);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function saveMachineRow(table: TableClient, machine: KnownMachine): Promise<void> {
  await table.upsertEntity(
    flat(
      { partitionKey: resourceKey(machine.machineId), rowKey: ROW },
      {
        machineId: machine.machineId,
        principalId: machine.principalId.toLowerCase(),
        seenAt: machine.seenAt,
        services: JSON.stringify(machine.services.slice(0, 50)),
      },
    ),
    "Replace",
  );
}

/** The machine last recorded with this principal (one filtered query), for tying a drifted server to its machine. */
export async function findMachineIdByPrincipal(table: TableClient, principalId: string): Promise<string | undefined> {
  const filter = `principalId eq ${odataString(principalId.toLowerCase())}`;
  let latest: KnownMachine | undefined;
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const machine = decodeRow(machineRowSchema, e, ["services"]);
    if (machine && (!latest || machine.seenAt > latest.seenAt)) latest = machine;
  }
  return latest?.machineId;
}
