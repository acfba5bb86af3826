import { RestError } from "@azure/core-rest-pipeline";
import type { ArmConnection } from "../azure/arm-connection";
import { armUrl, sendArmJson } from "../azure/arm-request";
import { machineApiVersion, machineHostNames } from "../azure/machines";
import { toMachineIdentityView } from "../azure/views";
import type { MachineIdentity } from "./engine-port";

export { machineHostNames };

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
