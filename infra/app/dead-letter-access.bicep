// Each Event Grid system topic dead-letters with its own system-assigned
// identity (deadLetterWithResourceIdentity); it may write blobs into the
// dead-letter container and nowhere else.
import { builtInRoles } from 'roles.bicep'

param storageAccountName string
param containerName string
@description('Principal ids of the system topics\' identities.')
param topicPrincipalIds array

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: containerName
}

resource deadLetterWriters 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in topicPrincipalIds: {
    name: guid(container.id, principalId, builtInRoles.storageBlobDataContributor)
    scope: container
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]
