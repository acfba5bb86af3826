import type { ArmConnection } from "./arm-connection";
import { armUrl, sendArmJson } from "./arm-request";
import { parseResourceId } from "./resource-id";
import { toMachineIdentityView, type MachineIdentityView } from "./views";

/** api-versions for the machine resources whose system-assigned identity a server uses. */
const MACHINE_API_VERSIONS: Record<string, string> = {
  "microsoft.hybridcompute/machines": "2024-07-10",
  "microsoft.compute/virtualmachines": "2024-07-01",
};

export function machineApiVersion(machineResourceId: string): string {
  const type = parseResourceId(machineResourceId).resourceType?.toLowerCase() ?? "";
  const version = MACHINE_API_VERSIONS[type];
  if (!version) {
    throw new Error(`"${machineResourceId}" is neither an Arc-enabled server (Microsoft.HybridCompute/machines) nor an Azure VM (Microsoft.Compute/virtualMachines)`);
  }
  return version;
}

export async function getMachine(arm: ArmConnection, machineResourceId: string, options: { abortSignal?: AbortSignal } = {}): Promise<MachineIdentityView> {
  const response = await sendArmJson(arm.raw, "GET", armUrl(arm.endpoint, machineResourceId, machineApiVersion(machineResourceId)), options);
  return toMachineIdentityView(response.body, machineResourceId);
}
