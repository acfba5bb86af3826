// azd entry point: `azd up` provisions everything below, deploys the code, then
// the postdeploy hook (hooks/postdeploy.*) deploys event-subscriptions.bicep,
// which needs the deployed events function's Event Grid key.
targetScope = 'subscription'

import { builtInRoles } from 'app/roles.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region of the resource group and the Function App; must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@minLength(1)
@description('Comma-separated scopes the app manages: /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}. Include the subscriptions of the storage accounts behind cloud endpoints.')
param managedScopes string

@allowed([
  'FileSyncAdministrator'
  'RbacAdministratorWithCondition'
])
@description('Delegation role over each managed scope; both carry the ABAC condition of app/roles.bicep. See docs/deployment.md (Roles) for why FileSyncAdministrator is the default.')
param accessOption string = 'FileSyncAdministrator'

@description('Comma-separated resource ids of existing Microsoft.Resources.Subscriptions system topics to reuse (one per subscription is allowed); subscriptions not named here get a new topic.')
param existingSystemTopicIds string = ''

@description('Overrides for the app\'s tunable settings, e.g. { "ACTIVATION_WINDOW": "PT15M" }.')
param appSettingOverrides object = {}

@description('Name of the queue the reconcile worker listens on (RECONCILE_QUEUE_NAME).')
param reconcileQueueName string = 'reconcile'

@description('E-mail address the alert rules (server overdue, run failed or poisoned, service not converged for a day) mail to; empty creates the rules without an action group. See docs/operations.md (Telemetry and alerts).')
param alertEmailAddress string = ''

param resourceGroupName string = ''

@description('Status page sign-in (off when empty): the application (client) id of an Entra app registration. When set, the app is put behind App Service Authentication with Entra ID and the page at /api/page signs users in instead of asking for a function key; see docs/deployment.md (Status page sign-in with Entra ID).')
param statusPageSignInClientId string = ''

@description('With status page sign-in: object id of the Entra group whose members may sign in; empty lets every user of the tenant sign in.')
param statusPageSignInGroupId string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-afsid-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var deadLetterContainerName = 'eventgrid-deadletter'
var eventGridResourceGroupName = 'rg-${environmentName}-events'

// MANAGED_SCOPES format: trimmed, without trailing slashes (the preprovision hook
// has already checked each entry with the app's own rules).
var trimmedScopes = filter(map(split(managedScopes, ','), s => trim(s)), s => !empty(s))
var scopes = map(trimmedScopes, s => '/${join(filter(split(s, '/'), part => !empty(part)), '/')}')
// '/subscriptions/{id}' splits into 3 parts, '/subscriptions/{id}/resourceGroups/{name}' into 5.
var scopeParts = map(scopes, s => {
  id: s
  subscriptionId: toLower(split(s, '/')[2])
  resourceGroup: length(split(s, '/')) == 5 ? split(s, '/')[4] : ''
})
var subscriptionScopes = filter(scopeParts, s => empty(s.resourceGroup))
var resourceGroupScopes = filter(scopeParts, s => !empty(s.resourceGroup))
// union() keeps one of each: one system topic per managed subscription.
var managedSubscriptionIds = union(map(scopeParts, s => s.subscriptionId), [])

var reusableTopicIds = filter(map(split(existingSystemTopicIds, ','), t => trim(t)), t => !empty(t))
// subscription id (lower case) → id of the topic to reuse there.
var reusableTopicBySubscription = toObject(reusableTopicIds, t => toLower(split(t, '/')[2]), t => t)
var topicChoices = map(managedSubscriptionIds, sub => {
  subscriptionId: sub
  existingId: reusableTopicBySubscription[?sub] ?? ''
})
var eventTopics = map(topicChoices, c => {
  subscriptionId: c.subscriptionId
  reuse: !empty(c.existingId)
  resourceGroup: empty(c.existingId) ? eventGridResourceGroupName : split(c.existingId, '/')[4]
  name: empty(c.existingId) ? 'evgt-afsid-${resourceToken}' : last(split(c.existingId, '/'))
})
var createdEventResourceGroupIds = map(filter(eventTopics, t => !t.reuse), t => '/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroup}')

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-afsid-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
      deadLetterContainerName
    ]
    queueNames: [
      reconcileQueueName
    ]
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-afsid-${resourceToken}'
    applicationInsightsName: 'appi-afsid-${resourceToken}'
    location: location
    tags: tags
  }
}

module appAccess 'app/app-access.bicep' = {
  name: 'app-access'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-afsid-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    managedScopes: scopes
    reconcileQueueName: reconcileQueueName
    // The page's routes become anonymous at the Functions level only together with the platform's sign-in (app/auth.bicep).
    appSettingOverrides: union(appSettingOverrides, empty(statusPageSignInClientId) ? {} : { STATUS_PAGE_SIGN_IN: 'entra' })
  }
  // The host starts as soon as the app exists; let it find its storage roles.
  dependsOn: [
    appAccess
  ]
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    namePrefix: 'afsid-${resourceToken}'
    alertEmailAddress: alertEmailAddress
  }
}

module statusPageSignIn 'app/auth.bicep' = if (!empty(statusPageSignInClientId)) {
  name: 'status-page-sign-in'
  scope: rg
  params: {
    functionAppName: api.outputs.name
    clientId: statusPageSignInClientId
    allowedGroupId: statusPageSignInGroupId
  }
}

// ---- Roles over the managed scopes ----

var useFileSyncAdministrator = accessOption == 'FileSyncAdministrator'

module customRoles 'app/custom-roles.bicep' = {
  name: 'custom-roles-${resourceToken}'
  scope: subscription(scopeParts[0].subscriptionId)
  params: {
    nameSuffix: '${environmentName}-${resourceToken}'
    assignableScopes: scopes
    includeStorageSyncOperator: !useFileSyncAdministrator
  }
}

// The only role over the managed scopes that can assign roles; the scope-access
// modules always attach the delegation condition of app/roles.bicep to it.
var delegationRoleId = useFileSyncAdministrator ? builtInRoles.azureFileSyncAdministrator : builtInRoles.roleBasedAccessControlAdministrator
// Read-only custom role, plus Storage Sync writes when the delegation role lacks them
// (Azure File Sync Administrator already has them).
var customRoleIds = useFileSyncAdministrator ? [customRoles.outputs.scopeReaderRoleId] : [customRoles.outputs.scopeReaderRoleId, customRoles.outputs.storageSyncOperatorRoleId]

module subscriptionAccess 'app/scope-access-subscription.bicep' = [
  for s in subscriptionScopes: {
    name: 'scope-access-${uniqueString(s.id, environmentName)}'
    scope: subscription(s.subscriptionId)
    params: {
      principalId: identity.outputs.principalId
      delegationRoleId: delegationRoleId
      customRoleIds: customRoleIds
    }
  }
]

module resourceGroupAccess 'app/scope-access-resource-group.bicep' = [
  for s in resourceGroupScopes: {
    name: 'scope-access-${uniqueString(s.id, environmentName)}'
    scope: resourceGroup(s.subscriptionId, s.resourceGroup)
    params: {
      principalId: identity.outputs.principalId
      delegationRoleId: delegationRoleId
      customRoleIds: customRoleIds
    }
  }
]

// ---- Event Grid: one system topic per managed subscription ----

module eventResourceGroups 'app/event-resource-group.bicep' = [
  for t in eventTopics: if (!t.reuse) {
    name: 'events-rg-${uniqueString(t.subscriptionId, environmentName)}'
    scope: subscription(t.subscriptionId)
    params: {
      name: t.resourceGroup
      location: location
      tags: tags
    }
  }
]

module eventTopicModules 'app/event-topic.bicep' = [
  for t in eventTopics: {
    name: 'events-topic-${uniqueString(t.subscriptionId, environmentName)}'
    scope: resourceGroup(t.subscriptionId, t.resourceGroup)
    params: {
      name: t.name
      reuseExisting: t.reuse
      tags: tags
    }
    dependsOn: [
      eventResourceGroups
    ]
  }
]

module deadLetterAccess 'app/dead-letter-access.bicep' = {
  name: 'dead-letter-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    containerName: deadLetterContainerName
    topicPrincipalIds: [for (t, i) in eventTopics: eventTopicModules[i].outputs.principalId]
  }
}

// ---- Outputs (azd stores them in .azure/<env>/.env for the hooks) ----

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = api.outputs.defaultHostName
output AZURE_FUNCTION_APP_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id
output AZURE_DEAD_LETTER_CONTAINER string = deadLetterContainerName
output AZURE_MANAGED_SCOPES string = join(scopes, ',')
output AZURE_CUSTOM_ROLE_IDS string = useFileSyncAdministrator ? customRoles.outputs.scopeReaderRoleId : '${customRoles.outputs.scopeReaderRoleId},${customRoles.outputs.storageSyncOperatorRoleId}'
output AZURE_CUSTOM_ROLE_SUBSCRIPTION_ID string = scopeParts[0].subscriptionId
output AZURE_EVENT_GRID_CREATED_RESOURCE_GROUPS string = join(createdEventResourceGroupIds, ',')
// One entry per managed scope: which system topic delivers its events.
output AZURE_EVENT_GRID_DELIVERIES array = [
  for s in scopeParts: {
    scope: s.id
    topicId: eventTopicModules[indexOf(managedSubscriptionIds, s.subscriptionId)].outputs.id
  }
]
output SERVICE_API_NAME string = api.outputs.name
output AZURE_STATUS_PAGE_URL string = 'https://${api.outputs.defaultHostName}/api/page'
