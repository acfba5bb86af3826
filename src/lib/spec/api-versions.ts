/**
 * api-versions ARM has registered per resource type (from the public
 * providers list; close enough for an emulator). ARM accepts any registered
 * version, not only the one a spec file describes, so the spec examples that
 * carry older versions (StorageSyncServices_Delete 2022-06-01,
 * RoleAssignments_Get 2020-10-01-preview) are valid requests. The emulator
 * always answers with the shape of the vendored spec's version.
 */
const STORAGE_SYNC = [
  "2017-06-05-preview",
  "2018-04-02",
  "2018-07-01",
  "2018-10-01",
  "2019-02-01",
  "2019-03-01",
  "2019-06-01",
  "2019-10-01",
  "2020-03-01",
  "2020-09-01",
  "2022-06-01",
  "2022-09-01",
];
const ROLE_ASSIGNMENTS = [
  "2015-07-01",
  "2017-10-01-preview",
  "2018-01-01-preview",
  "2018-09-01-preview",
  "2020-03-01-preview",
  "2020-04-01-preview",
  "2020-08-01-preview",
  "2020-10-01-preview",
  "2022-01-01-preview",
  "2022-04-01",
];
const ROLE_DEFINITIONS = ["2015-07-01", "2018-01-01-preview", "2022-04-01", "2022-05-01-preview"];
const STORAGE = [
  "2016-01-01",
  "2016-05-01",
  "2016-12-01",
  "2017-06-01",
  "2017-10-01",
  "2018-02-01",
  "2018-07-01",
  "2018-11-01",
  "2019-04-01",
  "2019-06-01",
  "2021-01-01",
  "2021-02-01",
  "2021-04-01",
  "2021-06-01",
  "2021-08-01",
  "2021-09-01",
  "2022-05-01",
  "2022-09-01",
  "2023-01-01",
  "2023-04-01",
  "2023-05-01",
  "2024-01-01",
  "2025-01-01",
];
const HYBRID_COMPUTE = [
  "2019-12-12",
  "2020-08-02",
  "2021-05-20",
  "2022-03-10",
  "2022-11-10",
  "2022-12-27",
  "2023-10-03-preview",
  "2024-03-31-preview",
  "2024-07-10",
  "2024-11-10-preview",
  "2025-01-13",
];
const COMPUTE = [
  "2017-03-30",
  "2017-12-01",
  "2018-04-01",
  "2018-06-01",
  "2018-10-01",
  "2019-03-01",
  "2019-07-01",
  "2019-12-01",
  "2020-06-01",
  "2020-12-01",
  "2021-03-01",
  "2021-04-01",
  "2021-07-01",
  "2021-11-01",
  "2022-03-01",
  "2022-08-01",
  "2022-11-01",
  "2023-03-01",
  "2023-07-01",
  "2023-09-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
];

const SUBSCRIPTIONS = [
  "2014-04-01",
  "2015-01-01",
  "2016-06-01",
  "2018-06-01",
  "2019-06-01",
  "2019-11-01",
  "2020-01-01",
  "2021-01-01",
  "2022-01-01",
  "2022-09-01",
  "2022-12-01",
];

const PROVIDERS = [
  "2019-10-01",
  "2020-06-01",
  "2021-01-01",
  "2021-04-01",
  "2022-09-01",
  "2023-07-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
  "2025-03-01",
];
const EVENT_GRID = [
  "2020-06-01",
  "2021-12-01",
  "2022-06-15",
  "2023-12-15-preview",
  "2024-06-01-preview",
  "2024-12-15-preview",
  "2025-02-15",
];
const WEB = ["2021-02-01", "2022-03-01", "2022-09-01", "2023-01-01", "2023-12-01", "2024-04-01", "2024-11-01"];

const BY_RESOURCE_TYPE: Record<string, readonly string[]> = {
  "microsoft.resources/subscriptions": SUBSCRIPTIONS,
  "microsoft.storagesync": STORAGE_SYNC,
  "microsoft.authorization/roleassignments": ROLE_ASSIGNMENTS,
  "microsoft.authorization/roledefinitions": ROLE_DEFINITIONS,
  "microsoft.authorization/permissions": ROLE_DEFINITIONS,
  "microsoft.storage": STORAGE,
  "microsoft.hybridcompute": HYBRID_COMPUTE,
  "microsoft.compute": COMPUTE,
  "microsoft.resources/providers": PROVIDERS,
  "microsoft.eventgrid": EVENT_GRID,
  "microsoft.web": WEB,
};

/**
 * The resource type a template addresses, for version look-up and messages:
 * the namespace after the last literal `providers/` and its first type
 * segment (e.g. "Microsoft.Authorization/roleAssignments").
 */
export function resourceTypeOf(template: string): string {
  const segments = template.split("/").filter((s) => s !== "");
  for (let i = segments.length - 2; i >= 0; i--) {
    const namespace = segments[i + 1]!;
    if (segments[i]!.toLowerCase() === "providers" && !namespace.startsWith("{")) {
      const type = segments[i + 2];
      return type && !type.startsWith("{") ? `${namespace}/${type}` : namespace;
    }
  }
  return "";
}

export function supportedApiVersions(resourceType: string): readonly string[] {
  const lower = resourceType.toLowerCase();
  return BY_RESOURCE_TYPE[lower] ?? BY_RESOURCE_TYPE[lower.split("/")[0]!] ?? [];
}

/** ARM's api-version shape: yyyy-mm-dd with an optional -preview/-beta/… suffix. */
export const API_VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/i;
