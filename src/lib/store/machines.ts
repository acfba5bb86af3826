import type { TableClient } from "@azure/data-tables";
import { flat } from "../tables/entity";
import { resourceKey } from "../tables/keys";
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
