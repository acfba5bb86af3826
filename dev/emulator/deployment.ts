import { z } from "zod";
import { idKey } from "./resource-id";

/**
 * What a deployment of the app puts into Azure besides the File Sync estate,
 * as the doctor reads it: the function app (its identities and app settings),
 * Event Grid system topics with their event subscriptions, and the resource
 * providers registered per subscription. The emulator only serves these for
 * reading (ARM writes to them are not emulated); tests and the local stack set
 * them through the admin API (`POST /_admin/deployment`).
 */
const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a GUID");

const functionAppSchema = z
  .object({
    /** /subscriptions/…/resourceGroups/…/providers/Microsoft.Web/sites/{name} */
    id: z.string().regex(/\/providers\/Microsoft\.Web\/sites\/[^/]+$/i, "must be a Microsoft.Web/sites resource id"),
    location: z.string().default("westeurope"),
    /** Default: {name}.azurewebsites.net */
    defaultHostName: z.string().optional(),
    systemAssignedPrincipalId: guid.optional(),
    /** User-assigned identity resource id → its principal id. */
    userAssigned: z.record(z.string(), z.object({ principalId: guid, clientId: guid }).strict()).default({}),
    appSettings: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const systemTopicSchema = z
  .object({
    id: z
      .string()
      .regex(
        /\/providers\/Microsoft\.EventGrid\/systemTopics\/[^/]+$/i,
        "must be a Microsoft.EventGrid/systemTopics resource id",
      ),
    location: z.string().default("global"),
    /** The topic's source: a subscription id path for Microsoft.Resources.Subscriptions. */
    source: z.string(),
    topicType: z.string().default("Microsoft.Resources.Subscriptions"),
    principalId: guid.optional(),
    /** Event subscriptions as ARM returns their `properties` (destination, filter, deadLetter…). */
    eventSubscriptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  })
  .strict();

export const deploymentSchema = z
  .object({
    functionApps: z.array(functionAppSchema).default([]),
    systemTopics: z.array(systemTopicSchema).default([]),
    /** Per subscription id: provider namespaces that are NOT registered (everything else is "Registered"). */
    unregisteredProviders: z.record(z.string(), z.array(z.string())).default({}),
  })
  .strict();

export type DeploymentInput = z.input<typeof deploymentSchema>;
export type FunctionAppRecord = z.infer<typeof functionAppSchema>;
export type SystemTopicRecord = z.infer<typeof systemTopicSchema>;

export class DeploymentResources {
  readonly functionApps = new Map<string, FunctionAppRecord>();
  readonly systemTopics = new Map<string, SystemTopicRecord>();
  private unregistered = new Map<string, Set<string>>();

  /** Adds (or replaces, by id) what the input names; throws an Error naming each bad field. */
  load(input: unknown): void {
    const parsed = deploymentSchema.safeParse(input);
    if (!parsed.success)
      throw new Error(parsed.error.issues.map((i) => `${i.path.join(".") || "(deployment)"}: ${i.message}`).join("; "));
    for (const app of parsed.data.functionApps) this.functionApps.set(idKey(app.id), app);
    for (const topic of parsed.data.systemTopics) this.systemTopics.set(idKey(topic.id), topic);
    for (const [sub, namespaces] of Object.entries(parsed.data.unregisteredProviders)) {
      this.unregistered.set(sub.toLowerCase(), new Set(namespaces.map((n) => n.toLowerCase())));
    }
  }

  /** Loading a seed replaces the world, the deployment's resources included. */
  clear(): void {
    this.functionApps.clear();
    this.systemTopics.clear();
    this.unregistered = new Map();
  }

  isRegistered(subscriptionId: string, namespace: string): boolean {
    return !this.unregistered.get(subscriptionId.toLowerCase())?.has(namespace.toLowerCase());
  }
}
