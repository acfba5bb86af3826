// Every role this deployment assigns or lets the app assign, in one place.
// docs/deployment.md (Roles) has the table of each role, its scope and why it is needed;
// test/infra checks that no other role id appears anywhere in infra/.

@export()
@description('Built-in roles assigned by this deployment (role definition GUIDs).')
var builtInRoles = {
  // Over each managed scope (one of the two, chosen by accessOption).
  azureFileSyncAdministrator: '92b92042-07d9-4307-87f7-36a593fc5850'
  roleBasedAccessControlAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'
  // On the function's own storage account.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // For each Event Grid system topic's identity, on the dead-letter container only.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // On Application Insights (local auth disabled, so telemetry needs Entra).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

@export()
@description('The only roles the app itself may assign (what Set-AzStorageSyncServiceIdentity assigns).')
var assignableRoles = {
  storageAccountContributor: '17d1049b-9a84-46fb-8f53-869881c3d3ab'
  storageFileDataPrivilegedContributor: '69566ab7-960f-475b-8e7c-b3118f30c6bd'
}

// ABAC condition (version 2.0) attached to the app's delegation role over each
// managed scope: it may create or delete role assignments only for the two
// roles above and only for service principals (managed identities). Writes are
// checked on the request, deletes on the existing assignment.
@export()
var delegationConditionVersion = '2.0'

@export()
var delegationCondition = '''
(
 (
  !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
 )
 OR
 (
  @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {17d1049b-9a84-46fb-8f53-869881c3d3ab, 69566ab7-960f-475b-8e7c-b3118f30c6bd}
  AND
  @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}
 )
)
AND
(
 (
  !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
 )
 OR
 (
  @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {17d1049b-9a84-46fb-8f53-869881c3d3ab, 69566ab7-960f-475b-8e7c-b3118f30c6bd}
  AND
  @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}
 )
)
'''

@export()
@description('Actions of the custom read role over each managed scope: what the app reads besides Storage Sync.')
var scopeReaderActions = [
  'Microsoft.HybridCompute/machines/read' // Arc-enabled servers: identity.principalId, host name
  'Microsoft.Compute/virtualMachines/read' // Azure VMs: identity.principalId, host name
  'Microsoft.Storage/storageAccounts/read' // storage accounts behind cloud endpoints (existence, subscription)
  'Microsoft.Authorization/roleAssignments/read' // which grants already exist, at the scope or above
]

@export()
@description('Actions of the custom Storage Sync role, needed only with the RBAC-administrator option.')
var storageSyncOperatorActions = [
  'Microsoft.StorageSync/*/read' // services, registered servers, sync groups, endpoints, operation status
  'Microsoft.StorageSync/storageSyncServices/write' // PATCH identity / useIdentity
  'Microsoft.StorageSync/storageSyncServices/registeredServers/write' // PATCH identity: true (switch a server)
]
