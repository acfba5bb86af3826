import type { ArmConnection } from "./arm-connection";
import { armUrl, listArmJson, sendArmJson } from "./arm-request";
import { parseResourceId } from "./resource-id";
import { toMachineIdentityView, type MachineIdentityView } from "./views";

/** An Arc machine or VM: its system-assigned identity and every name it answers to. */
export interface MachineIdentity extends MachineIdentityView {
  /** Every name the machine answers to (resource name, FQDN, computer name), lower-cased. */
  hostNames: string[];
}

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

/** api-versions for the machine resources whose system-assigned identity a server uses. */
const MACHINE_API_VERSIONS: Record<string, string> = {
  "microsoft.hybridcompute/machines": "2024-07-10",
  "microsoft.compute/virtualmachines": "2024-07-01",
};

function machineApiVersion(machineResourceId: string): string {
  const type = parseResourceId(machineResourceId).resourceType?.toLowerCase() ?? "";
  const version = MACHINE_API_VERSIONS[type];
  if (!version) {
    throw new Error(
      `"${machineResourceId}" is neither an Arc-enabled server (Microsoft.HybridCompute/machines) nor an Azure VM (Microsoft.Compute/virtualMachines)`,
    );
  }
  return version;
}

export async function getMachine(
  arm: ArmConnection,
  machineResourceId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<MachineIdentity> {
  const response = await sendArmJson(
    arm.raw,
    "GET",
    armUrl(arm.endpoint, machineResourceId, machineApiVersion(machineResourceId)),
    options,
  );
  const view = toMachineIdentityView(response.body, machineResourceId);
  return { ...view, hostNames: machineHostNames(view.name, response.body) };
}

/**
 * Every Arc machine and VM at a subscription or resource-group scope, with its
 * system-assigned identity (never a user-assigned one: File Sync's agent uses
 * `identity.principalId`) and host names: one list per machine type, followed across pages.
 */
export async function listMachinesAt(
  arm: ArmConnection,
  scope: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<MachineIdentity[]> {
  const base = scope.replace(/\/+$/, "");
  const lists = await Promise.all(
    Object.entries(MACHINE_API_VERSIONS).map(async ([type, version]) => {
      const provider =
        type === "microsoft.hybridcompute/machines"
          ? "Microsoft.HybridCompute/machines"
          : "Microsoft.Compute/virtualMachines";
      return listArmJson(arm.raw, armUrl(arm.endpoint, `${base}/providers/${provider}`, version), options);
    }),
  );
  return lists.flat().map((item) => {
    const view = toMachineIdentityView(item, "");
    return { ...view, hostNames: machineHostNames(view.name, item) };
  });
}
