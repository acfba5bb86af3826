/**
 * The built-in role definitions the emulator knows, with the control-plane
 * actions that RBAC enforcement evaluates. Ids and names are Azure's.
 */
export interface BuiltInRole {
  guid: string;
  roleName: string;
  description: string;
  actions: string[];
  notActions: string[];
  dataActions: string[];
  /**
   * An ABAC condition (version 2.0) built into the role's permissions, as
   * ARM returns it (Azure File Sync Administrator limits the role
   * assignments it may write to the three File Sync roles).
   */
  condition?: string;
}

export const ROLE_IDS = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  rbacAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  storageAccountContributor: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
  storageFileDataPrivilegedContributor: "69566ab7-960f-475b-8e7c-b3118f30c6bd",
  readerAndDataAccess: "c12c1c16-33a1-487b-954d-41c89c60f349",
  azureFileSyncAdministrator: "92b92042-07d9-4307-87f7-36a593fc5850",
} as const;

const FILE_DATA_ACTIONS = [
  "Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read",
  "Microsoft.Storage/storageAccounts/fileServices/fileshares/files/write",
  "Microsoft.Storage/storageAccounts/fileServices/fileshares/files/delete",
  "Microsoft.Storage/storageAccounts/fileServices/fileshares/files/modifypermissions/action",
  "Microsoft.Storage/storageAccounts/fileServices/readFileBackupSemantics/action",
  "Microsoft.Storage/storageAccounts/fileServices/writeFileBackupSemantics/action",
];

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  {
    guid: ROLE_IDS.owner,
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: ["*"],
    notActions: [],
    dataActions: [],
  },
  {
    guid: ROLE_IDS.contributor,
    roleName: "Contributor",
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
    ],
    dataActions: [],
  },
  {
    guid: ROLE_IDS.reader,
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    actions: ["*/read"],
    notActions: [],
    dataActions: [],
  },
  {
    guid: ROLE_IDS.userAccessAdministrator,
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
    notActions: [],
    dataActions: [],
  },
  {
    guid: ROLE_IDS.rbacAdministrator,
    roleName: "Role Based Access Control Administrator",
    description:
      "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "*/read",
      "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
  },
  {
    guid: ROLE_IDS.storageAccountContributor,
    roleName: "Storage Account Contributor",
    description:
      "Lets you manage storage accounts, including accessing storage account keys which provide full access to storage account data.",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Storage/storageAccounts/*",
      "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
  },
  {
    guid: ROLE_IDS.storageFileDataPrivilegedContributor,
    roleName: "Storage File Data Privileged Contributor",
    description: "Customer has read, write, delete and modify NTFS permission access on Azure Storage file shares.",
    actions: [],
    notActions: [],
    dataActions: FILE_DATA_ACTIONS,
  },
  {
    guid: ROLE_IDS.readerAndDataAccess,
    roleName: "Reader and Data Access",
    description:
      "Lets you view everything but will not let you delete or create a storage account or contained resource.",
    actions: ["Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Storage/storageAccounts/read"],
    notActions: [],
    dataActions: [],
  },
  {
    // As GET /providers/Microsoft.Authorization/roleDefinitions/92b92042-07d9-4307-87f7-36a593fc5850 returns it
    // (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage#azure-file-sync-administrator):
    // role assignment writes only for the File Sync roles, and no roleAssignments/delete at all.
    guid: ROLE_IDS.azureFileSyncAdministrator,
    roleName: "Azure File Sync Administrator",
    description: "Provides full access to manage all Azure File Sync (Storage Sync Service) resources.",
    actions: [
      "Microsoft.StorageSync/register/action",
      "Microsoft.StorageSync/unregister/action",
      "Microsoft.StorageSync/locations/*",
      "Microsoft.StorageSync/deployments/preflight/action",
      "Microsoft.StorageSync/storageSyncServices/*",
      "Microsoft.StorageSync/operations/read",
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Insights/AlertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Storage/storageAccounts/fileServices/shares/read",
      "Microsoft.Storage/storageAccounts/fileServices/read",
      "Microsoft.Support/*",
      "Microsoft.Authorization/*/read",
    ],
    notActions: [],
    dataActions: [],
    condition: `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ROLE_IDS.readerAndDataAccess}, ${ROLE_IDS.storageFileDataPrivilegedContributor}, ${ROLE_IDS.storageAccountContributor}}))`,
  },
];

const byGuid = new Map(BUILT_IN_ROLES.map((r) => [r.guid, r]));
const byName = new Map(BUILT_IN_ROLES.map((r) => [r.roleName.toLowerCase(), r]));

/** Finds a built-in role by GUID, by full role definition id, or by name. */
export function findRole(ref: string): BuiltInRole | undefined {
  const tail = ref.split("/").pop()?.toLowerCase() ?? "";
  return byGuid.get(tail) ?? byName.get(ref.toLowerCase());
}

/** ARM action matching: `*` wildcards, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp("^" + pattern.split("*").map(escapeRegExp).join(".*") + "$", "i");
  return re.test(action);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export function roleAllows(role: BuiltInRole, action: string): boolean {
  return role.actions.some((a) => actionMatches(a, action)) && !role.notActions.some((a) => actionMatches(a, action));
}

/** The role definition resource as `GET …/roleDefinitions/{id}` returns it. */
export function roleDefinitionBody(role: BuiltInRole, scope: string): Record<string, unknown> {
  const prefix = scope === "/" || scope === "" ? "" : scope.replace(/\/$/, "");
  return {
    id: `${prefix}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
    name: role.guid,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: role.roleName,
      type: "BuiltInRole",
      description: role.description,
      assignableScopes: ["/"],
      permissions: [
        {
          actions: role.actions,
          notActions: role.notActions,
          dataActions: role.dataActions,
          notDataActions: [],
          ...(role.condition ? { condition: role.condition, conditionVersion: "2.0" } : {}),
        },
      ],
      createdOn: "2015-02-02T21:55:09.8806423Z",
      updatedOn: "2024-01-01T00:00:00.0000000Z",
      createdBy: null,
      updatedBy: null,
    },
  };
}
