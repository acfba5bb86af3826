import { type ArmConnection, toArmErrorInfo, armUrl, listArmJson, sendArmJson } from "../../lib/azure";
import { unmetSettings, requiredSettings } from "./app-settings";
import { check, type Check } from "./check";
import type { Estate } from "./estate";
import { deliversTo, eventSubscriptionGaps } from "./event-subscription";
import { permissionEntriesOf, type PermissionEntry } from "./permission-set";
import { rightsChecks, rightsScopes } from "./rights";

const WEB_API_VERSION = "2024-04-01";
const EVENT_GRID_API_VERSION = "2025-02-15";

interface App {
  id: string;
  hostName: string;
  principals: string[];
  hasSystemIdentity: boolean;
}

function appOf(id: string, body: unknown): App {
  const o = (body ?? {}) as {
    identity?: { principalId?: unknown; userAssignedIdentities?: Record<string, { principalId?: unknown }> };
    properties?: { defaultHostName?: unknown };
  };
  const system = typeof o.identity?.principalId === "string" ? [o.identity.principalId] : [];
  const user = Object.values(o.identity?.userAssignedIdentities ?? {}).flatMap((u) =>
    typeof u?.principalId === "string" ? [u.principalId] : [],
  );
  return {
    id,
    hostName: typeof o.properties?.defaultHostName === "string" ? o.properties.defaultHostName : "",
    principals: [...system, ...user],
    hasSystemIdentity: system.length > 0,
  };
}

/**
 * The permissions the app's identities hold at a scope: each assignment's role definition, with the assignment's
 * condition.
 */
async function appPermissions(
  arm: ArmConnection,
  scope: string,
  principals: string[],
  roleDefinitions: Map<string, unknown>,
): Promise<PermissionEntry[]> {
  const entries: PermissionEntry[] = [];
  for (const principal of principals) {
    const url = `${armUrl(arm.endpoint, `${scope}/providers/Microsoft.Authorization/roleAssignments`, "2022-04-01")}&$filter=${encodeURIComponent(`principalId eq '${principal}'`)}`;
    for (const item of await listArmJson(arm.raw, url)) {
      const p = (item as { properties?: { roleDefinitionId?: unknown; condition?: unknown } }).properties;
      if (typeof p?.roleDefinitionId !== "string") continue;
      const key = p.roleDefinitionId.toLowerCase();
      if (!roleDefinitions.has(key))
        roleDefinitions.set(
          key,
          (await sendArmJson(arm.raw, "GET", armUrl(arm.endpoint, p.roleDefinitionId, "2022-04-01"))).body,
        );
      const permissions = (roleDefinitions.get(key) as { properties?: { permissions?: unknown } } | undefined)
        ?.properties?.permissions;
      for (const e of permissionEntriesOf(Array.isArray(permissions) ? permissions : [])) {
        const conditions = [
          e.condition,
          typeof p.condition === "string" && p.condition !== "" ? p.condition : undefined,
        ].filter((c): c is string => c !== undefined);
        entries.push({
          ...e,
          ...(conditions.length > 0 ? { condition: conditions.map((c) => `(${c})`).join(" AND ") } : {}),
        });
      }
    }
  }
  return entries;
}

async function checkAppRights(arm: ArmConnection, app: App, estate: Estate, pruning: boolean): Promise<Check[]> {
  const checks: Check[] = [];
  const roleDefinitions = new Map<string, unknown>();
  for (const { scope, kind } of rightsScopes(estate)) {
    try {
      checks.push(
        ...rightsChecks(
          "the app's identity",
          scope,
          kind,
          await appPermissions(arm, scope, app.principals, roleDefinitions),
          pruning,
        ).map((c) => ({
          ...c,
          area: "wiring" as const,
        })),
      );
    } catch (error) {
      const info = toArmErrorInfo(error);
      checks.push(
        check("wiring", "warning", `cannot read the app's role assignments at ${scope}`, {
          detail: `${info.code}: ${info.message}`,
          remedy: "assign Reader there to the caller",
        }),
      );
    }
  }
  return checks;
}

async function checkEvents(arm: ArmConnection, app: App, estate: Estate): Promise<Check[]> {
  const checks: Check[] = [];
  const bySubscription = new Map<string, string[]>();
  for (const s of estate.services)
    bySubscription.set(s.subscriptionId, [...(bySubscription.get(s.subscriptionId) ?? []), s.serviceId]);
  for (const [sub, serviceIds] of bySubscription) {
    const topics = await listArmJson(
      arm.raw,
      armUrl(arm.endpoint, `/subscriptions/${sub}/providers/Microsoft.EventGrid/systemTopics`, EVENT_GRID_API_VERSION),
    );
    const topic = topics.find((t) => {
      const p = (t as { properties?: { topicType?: unknown; source?: unknown } }).properties;
      return (
        String(p?.topicType).toLowerCase() === "microsoft.resources.subscriptions" &&
        String(p?.source).toLowerCase() === `/subscriptions/${sub}`.toLowerCase()
      );
    }) as { id?: string } | undefined;
    if (!topic?.id) {
      checks.push(
        check(
          "wiring",
          "problem",
          `no Event Grid system topic of type Microsoft.Resources.Subscriptions for subscription ${sub}`,
          {
            detail: "the app learns of new servers and endpoints only from the periodic sweep",
            remedy: "provision the app with azd (infra/app/event-topic.bicep creates the topic and its subscription)",
          },
        ),
      );
      continue;
    }
    const subscriptions = await listArmJson(
      arm.raw,
      armUrl(arm.endpoint, `${topic.id}/eventSubscriptions`, EVENT_GRID_API_VERSION),
    );
    const ours = subscriptions.filter((s) => deliversTo(s, app.id, app.hostName));
    if (ours.length === 0) {
      checks.push(
        check(
          "wiring",
          "problem",
          `no event subscription on ${topic.id} delivers to the app's webhook (https://${app.hostName}/runtime/webhooks/eventgrid)`,
          {
            remedy: "provision the app with azd (infra/app/event-subscription.bicep)",
          },
        ),
      );
      continue;
    }
    for (const s of ours) {
      const name = String((s as { id?: unknown }).id ?? topic.id);
      const gaps = eventSubscriptionGaps(s, serviceIds);
      if (gaps.length === 0)
        checks.push(
          check(
            "wiring",
            "ok",
            `event subscription ${name} delivers the expected events to the app, with a dead-letter destination`,
          ),
        );
      for (const gap of gaps)
        checks.push(
          check("wiring", "problem", `event subscription ${name}: ${gap}`, {
            remedy: "provision the app with azd (infra/app/event-subscription.bicep)",
          }),
        );
    }
  }
  return checks;
}

async function checkSettings(arm: ArmConnection, app: App): Promise<Check[]> {
  let names: string[];
  try {
    // Values are emptied by the exchange log before this code sees the answer.
    const body = (
      await sendArmJson(arm.raw, "POST", armUrl(arm.endpoint, `${app.id}/config/appsettings/list`, WEB_API_VERSION))
    ).body as { properties?: Record<string, unknown> } | undefined;
    names = Object.keys(body?.properties ?? {});
  } catch (error) {
    const info = toArmErrorInfo(error);
    return [
      check("wiring", "warning", "app settings not checked", {
        detail: `${info.code}: ${info.message}; ARM lists app settings only through Microsoft.Web/sites/config/list/action, which Reader lacks`,
        remedy: `to check them, run the doctor as someone with Website Contributor (or Contributor) on ${app.id}`,
        evidence: { requestId: info.requestId },
      }),
    ];
  }
  const unmet = unmetSettings(names, requiredSettings(app.hasSystemIdentity));
  if (unmet.length === 0)
    return [
      check("wiring", "ok", `the app has the settings the product needs (${names.length} settings, checked by name)`),
    ];
  return unmet.map((r) =>
    check("wiring", "problem", `the app lacks the setting ${r.anyOf.map((a) => a.join(" + ")).join(" or ")}`, {
      detail: `needed for ${r.why}`,
      remedy: "provision the app with azd, or add the setting (see the README's Configuration table)",
    }),
  );
}

/** --app: the deployed app's identity and rights, its event subscription, its settings by name. */
export async function checkWiring(
  arm: ArmConnection,
  appId: string,
  estate: Estate,
  pruning: boolean,
): Promise<Check[]> {
  let app: App;
  try {
    app = appOf(appId, (await sendArmJson(arm.raw, "GET", armUrl(arm.endpoint, appId, WEB_API_VERSION))).body);
  } catch (error) {
    const info = toArmErrorInfo(error);
    return [
      check("wiring", "problem", `cannot read the function app ${appId}`, {
        detail: `${info.code}: ${info.message}`,
        remedy: "check the id; assign Reader on it to the caller",
        evidence: { requestId: info.requestId },
      }),
    ];
  }
  if (app.principals.length === 0)
    return [
      check("wiring", "problem", `the function app ${appId} has no managed identity`, {
        remedy: "provision the app with azd (it gives the app a user-assigned identity)",
      }),
    ];
  return [
    check("wiring", "ok", `the app signs in as ${app.principals.join(", ")}`),
    ...(await checkAppRights(arm, app, estate, pruning)),
    ...(await checkEvents(arm, app, estate)),
    ...(await checkSettings(arm, app)),
  ];
}
