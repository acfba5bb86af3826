/**
 * The two deployments azd makes, as Bicep evaluates them for given inputs:
 * main.bicep (provision) and event-subscriptions.bicep (postdeploy hook, fed
 * with main.bicep's outputs as the hook does), and reading role assignments
 * out of the result.
 */
import { BicepServer, type PredictedResource, type Snapshot } from "./bicep-cli";

export const ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments";
export const ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions";

/** azd's inputs for main.bicep; the parameters file passes these. */
export interface MainInputs {
  environmentName?: string;
  managedScopes: string;
  accessOption?: "FileSyncAdministrator" | "RbacAdministratorWithCondition";
  existingSystemTopicIds?: string;
  appSettingOverrides?: Record<string, string>;
  alertEmailAddress?: string;
  statusPageSignInClientId?: string;
  statusPageSignInGroupId?: string;
}

export interface Deployment {
  main: Snapshot;
  events: Snapshot;
}

/** The provisioning deployment (main.bicep) for one set of inputs. */
export function deployMain(server: BicepServer, inputs: MainInputs): Promise<Snapshot> {
  return server.snapshot("infra/main.bicep", {
    location: "westeurope",
    ...inputs,
    environmentName: inputs.environmentName ?? "prod",
  });
}

/** Both deployments for one set of inputs. */
export async function deploy(server: BicepServer, inputs: MainInputs): Promise<Deployment> {
  const environmentName = inputs.environmentName ?? "prod";
  const main = await deployMain(server, inputs);
  // What postdeploy.sh / .ps1 pass: azd's values and main.bicep's outputs.
  const events = await server.snapshot("infra/event-subscriptions.bicep", {
    environmentName,
    functionAppResourceGroup: main.outputs.AZURE_RESOURCE_GROUP,
    functionAppName: main.outputs.AZURE_FUNCTION_APP_NAME,
    deliveries: main.outputs.AZURE_EVENT_GRID_DELIVERIES,
    deadLetterStorageAccountId: main.outputs.AZURE_STORAGE_ACCOUNT_ID,
    deadLetterContainerName: main.outputs.AZURE_DEAD_LETTER_CONTAINER,
  });
  return { main, events };
}

export function ofType(snapshot: Snapshot, type: string): PredictedResource[] {
  return snapshot.predictedResources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

/** The one resource of a type; fails naming how many there were. */
export function single(snapshot: Snapshot, type: string): PredictedResource {
  const found = ofType(snapshot, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as PredictedResource;
}

const quoted = (text: string) => [...text.matchAll(/'([^']*)'/g)].map((m) => m[1] as string);

/**
 * The scope a role assignment (or other extension resource) is created at, from
 * its id: a literal id, or the ARM function Bicep left for deployment time
 * (extensionResourceId(scope, …), subscriptionResourceId(sub, …), resourceId(sub, rg, …)).
 */
export function scopeOf(resource: PredictedResource): string {
  const { id } = resource;
  const literal = /^(.*)\/providers\/Microsoft\.Authorization\/\w+\/[^/]+$/i.exec(id);
  if (literal) return literal[1] as string;
  const [first, second] = quoted(id);
  if (id.startsWith("[extensionResourceId(") && first) return first;
  if (id.startsWith("[subscriptionResourceId(") && first) return `/subscriptions/${first}`;
  if (id.startsWith("[resourceId(") && first && second) return `/subscriptions/${first}/resourceGroups/${second}`;
  throw new Error(`cannot read the scope of ${id}`);
}

/** The role a role assignment grants: a built-in role's GUID, or the custom role's definition id expression. */
export function roleOf(assignment: PredictedResource): string {
  const id = String(assignment.properties?.roleDefinitionId ?? "");
  return /\/roleDefinitions\/([0-9a-f-]{36})$/i.exec(id)?.[1]?.toLowerCase() ?? id;
}
