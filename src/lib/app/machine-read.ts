import { RestError } from "@azure/core-rest-pipeline";
import type { ArmConnection } from "../azure/arm-connection";
import { armUrl, sendArmJson } from "../azure/arm-request";
import { machineApiVersion } from "../azure/machines";
import { toMachineIdentityView } from "../azure/views";
import type { MachineIdentity } from "./engine-port";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/**
 * The names a machine answers to. A VM's resource name often differs from its
 * computer name (vm-fs04 runs host fs04), and the agent registers the host
 * name, so every name ARM knows is a candidate: the resource name, Arc's
 * machineFqdn/dnsFqdn/displayName, the OS profile's computerName.
 */
export function machineHostNames(resourceName: string, body: unknown): string[] {
  const properties = obj(obj(body).properties);
  const names = [
    resourceName,
    text(properties.machineFqdn),
    text(properties.dnsFqdn),
    text(properties.displayName),
    text(obj(properties.osProfile).computerName),
  ].filter((n): n is string => n !== undefined);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** An Arc machine or VM with its identity and host names; undefined on 404. */
export async function readMachine(arm: ArmConnection, machineId: string): Promise<MachineIdentity | undefined> {
  try {
    const response = await sendArmJson(arm.raw, "GET", armUrl(arm.endpoint, machineId, machineApiVersion(machineId)));
    const view = toMachineIdentityView(response.body, machineId);
    return { ...view, hostNames: machineHostNames(view.name, response.body) };
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}
