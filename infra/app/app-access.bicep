// Data-plane roles of the app's identity on its own resources. Exactly what the
// Functions host and the app need, nothing broader (docs/deployment.md, Roles).
import { builtInRoles } from 'roles.bicep'

param principalId string
param storageAccountName string
param applicationInsightsName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var storageRoles = [
  builtInRoles.storageBlobDataOwner // host: Flex deployment package, timer/singleton leases, host secrets
  builtInRoles.storageQueueDataContributor // queue trigger (receive/delete/poison) and enqueueing reconcile requests
  builtInRoles.storageTableDataContributor // status tables (servers, services, runs) and their leases
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, builtInRoles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
