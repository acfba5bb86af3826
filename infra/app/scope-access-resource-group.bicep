// The app identity's roles over one managed resource group.
// Twin of scope-access-subscription.bicep (a module has one target scope).
targetScope = 'resourceGroup'

import { delegationCondition, delegationConditionVersion } from 'roles.bicep'

param principalId string
@description('The one role that can assign roles; always constrained by the delegation condition.')
param delegationRoleId string
@description('Custom roles without any Microsoft.Authorization write action.')
param customRoleIds array

resource delegation 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, delegationRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', delegationRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    condition: delegationCondition
    conditionVersion: delegationConditionVersion
    description: 'AFS identity reconciler: may assign only the two File Sync roles, only to service principals'
  }
}

resource customRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in customRoleIds: {
    name: guid(resourceGroup().id, principalId, roleId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
      description: 'AFS identity reconciler'
    }
  }
]
