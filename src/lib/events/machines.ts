import type { TableClient } from "@azure/data-tables";
import { flat } from "../status/entities";
import { resourceKey } from "../status/keys";
import { isNotFound } from "../status/table-errors";

/** Arc machines and VMs whose current principal the app has already acted on. */
export interface KnownMachine {
  machineId: string;
  principalId: string;
  seenAt: string;
  services: string[];
}

const ROW = "machine";

export async function getKnownMachine(table: TableClient, machineId: string): Promise<KnownMachine | undefined> {
  try {
    const e = await table.getEntity<Record<string, unknown>>(resourceKey(machineId), ROW);
    if (typeof e.principalId !== "string") return undefined;
    let services: string[] = [];
    try {
      const parsed = JSON.parse(String(e.services ?? "[]")) as unknown;
      if (Array.isArray(parsed)) services = parsed.filter((s): s is string => typeof s === "string");
    } catch {
      services = [];
    }
    return { machineId: String(e.machineId ?? machineId), principalId: e.principalId, seenAt: String(e.seenAt ?? ""), services };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function rememberMachine(table: TableClient, machine: KnownMachine): Promise<void> {
  await table.upsertEntity(
    flat(
      { partitionKey: resourceKey(machine.machineId), rowKey: ROW },
      { machineId: machine.machineId, principalId: machine.principalId.toLowerCase(), seenAt: machine.seenAt, services: JSON.stringify(machine.services.slice(0, 50)) },
    ),
    "Replace",
  );
}
