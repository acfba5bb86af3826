// The Function App on Flex Consumption (FC1), running as the user-assigned
// identity, with app settings that match src/lib/config.ts (checked by
// test/infra/settings.test.ts).
param name string
param planName string
param location string
param tags object = {}
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
@description('Normalized managed scopes, same format as the MANAGED_SCOPES setting.')
param managedScopes array
param reconcileQueueName string
@description('Replaces any tunable below, e.g. { ACTIVATION_WINDOW: \'PT15M\' }. Cannot replace identity wiring.')
param appSettingOverrides object = {}
param maximumInstanceCount int = 40
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Behaviour knobs, with the defaults of src/lib/config.ts.
var tunables = {
  RECONCILE_QUEUE_NAME: reconcileQueueName
  TABLE_NAME_PREFIX: 'afsIdentity'
  ACTIVATION_WINDOW: 'PT1H'
  ACTIVATION_CHECK_SCHEDULE: '0 */5 * * * *'
  FULL_SWEEP_SCHEDULE: '0 30 2 * * *'
  MIN_AGENT_VERSION: '20.0.0.0'
  PRUNE_STALE_GRANTS: 'false'
  MAX_CONCURRENCY: '4'
  ROLE_ASSIGNMENT_LIMIT: '4000'
  PRINCIPAL_NOT_FOUND_RETRIES: '6'
  PRINCIPAL_NOT_FOUND_BASE_DELAY: 'PT2S'
  RECONCILE_COALESCE_DELAY: 'PT15S'
  LEASE_DURATION: 'PT10M'
  DISCOVERY_RECHECK_DELAYS: 'PT2M,PT5M,PT15M,PT30M,PT1H'
}

// Identity-based connections; applied last so overrides cannot weaken them.
// No AzureWebJobsStorage connection string: shared keys are disabled.
var wiring = {
  ARM_ENDPOINT: environment().resourceManager
  MANAGED_SCOPES: join(managedScopes, ',')
  AZURE_CLIENT_ID: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(tunables, appSettingOverrides, wiring)
}

// azd deploys with an Entra token; no FTP or SCM basic-auth credentials needed.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
