import type { SwaggerSchema } from "./swagger-types";

/**
 * Operations of providers whose full specs are not vendored (Microsoft.Storage,
 * Microsoft.HybridCompute, Microsoft.Compute, Microsoft.Resources providers,
 * Microsoft.EventGrid, Microsoft.Web): only what the product, its doctor and
 * the emulator's scope resolution need. Bodies are checked for JSON shape and
 * the identity block only; response schemas keep the fields the product reads,
 * with the types and required-ness of the public specs (storage 2023-05-01,
 * hybridcompute 2024-07-10, compute 2024-07-01, resources 2021-04-01,
 * eventgrid 2025-02-15, web 2024-04-01).
 */
export interface BuiltinOperation {
  operationId: string;
  method: "GET" | "PUT" | "PATCH" | "DELETE" | "POST";
  pathTemplate: string;
  longRunning: boolean;
  /** For paths without a provider segment (a subscription itself). */
  resourceType?: string;
  requestBody?: { required: boolean; schema: SwaggerSchema };
  responseSchema?: SwaggerSchema;
}

const RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers";
const SUB = "/subscriptions/{subscriptionId}/providers";

const readOnlyString: SwaggerSchema = { type: "string", readOnly: true };

function identitySchema(types: string[]): SwaggerSchema {
  return {
    type: "object",
    required: ["type"],
    properties: {
      type: { type: "string", enum: types },
      principalId: readOnlyString,
      tenantId: readOnlyString,
      userAssignedIdentities: { type: "object" },
    },
  };
}

function resourceBody(identityTypes: string[], requireLocation: boolean): SwaggerSchema {
  return {
    type: "object",
    required: requireLocation ? ["location"] : [],
    properties: {
      id: readOnlyString,
      name: readOnlyString,
      type: readOnlyString,
      location: { type: "string" },
      tags: { type: "object", additionalProperties: { type: "string" } },
      identity: identitySchema(identityTypes),
      properties: { type: "object" },
    },
  };
}

const resourceResponse: SwaggerSchema = {
  type: "object",
  required: ["id", "name", "type"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    type: { type: "string" },
    location: { type: "string" },
    properties: { type: "object" },
  },
};
const listResponse: SwaggerSchema = {
  type: "object",
  required: ["value"],
  properties: { value: { type: "array", items: resourceResponse }, nextLink: { type: "string" } },
};

// Arc machines only ever have a system-assigned identity; VMs allow the full set.
const ARC_IDENTITY = ["SystemAssigned"];
const VM_IDENTITY = ["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"];

const ACCOUNT = `${RG}/Microsoft.Storage/storageAccounts/{accountName}`;
const MACHINE = `${RG}/Microsoft.HybridCompute/machines/{machineName}`;
const VM = `${RG}/Microsoft.Compute/virtualMachines/{vmName}`;

const providerSchema: SwaggerSchema = {
  type: "object",
  required: ["namespace", "registrationState"],
  properties: {
    id: { type: "string" },
    namespace: { type: "string" },
    registrationState: { type: "string" },
    registrationPolicy: { type: "string" },
  },
};
const systemTopicSchema: SwaggerSchema = {
  type: "object",
  required: ["id", "name", "type", "properties"],
  properties: {
    ...resourceResponse.properties,
    properties: {
      type: "object",
      required: ["source", "topicType"],
      properties: { source: { type: "string" }, topicType: { type: "string" } },
    },
  },
};
const eventSubscriptionSchema: SwaggerSchema = {
  type: "object",
  required: ["id", "name", "type", "properties"],
  properties: {
    ...resourceResponse.properties,
    properties: {
      type: "object",
      properties: {
        destination: {
          type: "object",
          required: ["endpointType"],
          properties: { endpointType: { type: "string" }, properties: { type: "object" } },
        },
        filter: {
          type: "object",
          properties: {
            subjectBeginsWith: { type: "string" },
            includedEventTypes: { type: "array", items: { type: "string" } },
            advancedFilters: {
              type: "array",
              items: {
                type: "object",
                required: ["operatorType"],
                properties: { operatorType: { type: "string" }, key: { type: "string" } },
              },
            },
          },
        },
        deadLetterDestination: {
          type: "object",
          required: ["endpointType"],
          properties: { endpointType: { type: "string" } },
        },
        deadLetterWithResourceIdentity: { type: "object" },
      },
    },
  },
};
const siteSchema: SwaggerSchema = {
  type: "object",
  required: ["id", "name", "type"],
  properties: {
    ...resourceResponse.properties,
    identity: {
      type: "object",
      properties: {
        type: { type: "string" },
        principalId: { type: "string" },
        userAssignedIdentities: { type: "object" },
      },
    },
    properties: {
      type: "object",
      properties: { defaultHostName: { type: "string" }, hostNames: { type: "array", items: { type: "string" } } },
    },
  },
};
const stringDictionarySchema: SwaggerSchema = {
  type: "object",
  properties: {
    ...resourceResponse.properties,
    properties: { type: "object", additionalProperties: { type: "string" } },
  },
};
const list = (items: SwaggerSchema): SwaggerSchema => ({
  type: "object",
  required: ["value"],
  properties: { value: { type: "array", items }, nextLink: { type: "string" } },
});

const TOPIC = `${RG}/Microsoft.EventGrid/systemTopics/{systemTopicName}`;
const SITE = `${RG}/Microsoft.Web/sites/{name}`;

export const BUILTIN_OPERATIONS: readonly BuiltinOperation[] = [
  // Microsoft.Resources 2022-12-01 Subscriptions_Get: the subscription's tenantId tells which Entra tenant its
  // resources belong to.
  {
    operationId: "Subscriptions_Get",
    method: "GET",
    pathTemplate: "/subscriptions/{subscriptionId}",
    longRunning: false,
    resourceType: "Microsoft.Resources/subscriptions",
    responseSchema: {
      type: "object",
      required: ["id", "subscriptionId", "tenantId", "state"],
      properties: {
        id: { type: "string" },
        subscriptionId: { type: "string" },
        tenantId: { type: "string" },
        displayName: { type: "string" },
        state: { type: "string" },
      },
    },
  },
  {
    operationId: "StorageAccounts_GetProperties",
    method: "GET",
    pathTemplate: ACCOUNT,
    longRunning: false,
    responseSchema: resourceResponse,
  },
  {
    operationId: "StorageAccounts_ListByResourceGroup",
    method: "GET",
    pathTemplate: `${RG}/Microsoft.Storage/storageAccounts`,
    longRunning: false,
    responseSchema: listResponse,
  },
  {
    operationId: "StorageAccounts_List",
    method: "GET",
    pathTemplate: `${SUB}/Microsoft.Storage/storageAccounts`,
    longRunning: false,
    responseSchema: listResponse,
  },
  {
    operationId: "FileServices_GetServiceProperties",
    method: "GET",
    pathTemplate: `${ACCOUNT}/fileServices/{fileServicesName}`,
    longRunning: false,
    responseSchema: resourceResponse,
  },
  {
    operationId: "FileShares_Get",
    method: "GET",
    pathTemplate: `${ACCOUNT}/fileServices/{fileServicesName}/shares/{shareName}`,
    longRunning: false,
    responseSchema: resourceResponse,
  },
  // Role-assignment scopes written by Set-AzStorageSyncServiceIdentity use "fileshares"; ARM resolves both spellings.
  {
    operationId: "FileShares_Get",
    method: "GET",
    pathTemplate: `${ACCOUNT}/fileServices/{fileServicesName}/fileshares/{shareName}`,
    longRunning: false,
    responseSchema: resourceResponse,
  },
  {
    operationId: "FileShares_List",
    method: "GET",
    pathTemplate: `${ACCOUNT}/fileServices/{fileServicesName}/shares`,
    longRunning: false,
    responseSchema: listResponse,
  },

  {
    operationId: "Machines_Get",
    method: "GET",
    pathTemplate: MACHINE,
    longRunning: false,
    responseSchema: resourceResponse,
  },
  {
    operationId: "Machines_CreateOrUpdate",
    method: "PUT",
    pathTemplate: MACHINE,
    longRunning: false,
    requestBody: { required: true, schema: resourceBody(ARC_IDENTITY, true) },
    responseSchema: resourceResponse,
  },
  {
    operationId: "Machines_Update",
    method: "PATCH",
    pathTemplate: MACHINE,
    longRunning: false,
    requestBody: { required: true, schema: resourceBody(ARC_IDENTITY, false) },
    responseSchema: resourceResponse,
  },
  { operationId: "Machines_Delete", method: "DELETE", pathTemplate: MACHINE, longRunning: false },
  {
    operationId: "Machines_ListByResourceGroup",
    method: "GET",
    pathTemplate: `${RG}/Microsoft.HybridCompute/machines`,
    longRunning: false,
    responseSchema: listResponse,
  },
  {
    operationId: "Machines_ListBySubscription",
    method: "GET",
    pathTemplate: `${SUB}/Microsoft.HybridCompute/machines`,
    longRunning: false,
    responseSchema: listResponse,
  },

  {
    operationId: "VirtualMachines_Get",
    method: "GET",
    pathTemplate: VM,
    longRunning: false,
    responseSchema: resourceResponse,
  },
  {
    operationId: "VirtualMachines_CreateOrUpdate",
    method: "PUT",
    pathTemplate: VM,
    longRunning: true,
    requestBody: { required: true, schema: resourceBody(VM_IDENTITY, true) },
    responseSchema: resourceResponse,
  },
  {
    operationId: "VirtualMachines_Update",
    method: "PATCH",
    pathTemplate: VM,
    longRunning: true,
    requestBody: { required: true, schema: resourceBody(VM_IDENTITY, false) },
    responseSchema: resourceResponse,
  },
  { operationId: "VirtualMachines_Delete", method: "DELETE", pathTemplate: VM, longRunning: true },
  {
    operationId: "VirtualMachines_List",
    method: "GET",
    pathTemplate: `${RG}/Microsoft.Compute/virtualMachines`,
    longRunning: false,
    responseSchema: listResponse,
  },
  {
    operationId: "VirtualMachines_ListAll",
    method: "GET",
    pathTemplate: `${SUB}/Microsoft.Compute/virtualMachines`,
    longRunning: false,
    responseSchema: listResponse,
  },

  // Microsoft.Resources 2021-04-01: registration state of every provider of a subscription.
  {
    operationId: "Providers_List",
    method: "GET",
    pathTemplate: "/subscriptions/{subscriptionId}/providers",
    longRunning: false,
    resourceType: "Microsoft.Resources/providers",
    responseSchema: list(providerSchema),
  },
  {
    operationId: "SystemTopics_ListBySubscription",
    method: "GET",
    pathTemplate: `${SUB}/Microsoft.EventGrid/systemTopics`,
    longRunning: false,
    responseSchema: list(systemTopicSchema),
  },
  {
    operationId: "SystemTopics_Get",
    method: "GET",
    pathTemplate: TOPIC,
    longRunning: false,
    responseSchema: systemTopicSchema,
  },
  {
    operationId: "SystemTopicEventSubscriptions_List",
    method: "GET",
    pathTemplate: `${TOPIC}/eventSubscriptions`,
    longRunning: false,
    responseSchema: list(eventSubscriptionSchema),
  },
  {
    operationId: "SystemTopicEventSubscriptions_Get",
    method: "GET",
    pathTemplate: `${TOPIC}/eventSubscriptions/{eventSubscriptionName}`,
    longRunning: false,
    responseSchema: eventSubscriptionSchema,
  },
  { operationId: "WebApps_Get", method: "GET", pathTemplate: SITE, longRunning: false, responseSchema: siteSchema },
  // The only way ARM lists app settings: a POST action (Microsoft.Web/sites/config/list/action) that changes nothing.
  {
    operationId: "WebApps_ListApplicationSettings",
    method: "POST",
    pathTemplate: `${SITE}/config/appsettings/list`,
    longRunning: false,
    responseSchema: stringDictionarySchema,
  },
];
