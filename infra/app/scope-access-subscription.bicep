// The app identity's roles over one managed subscription.
// Twin of scope-access-resource-group.bicep (a module has one target scope).
targetScope = 'subscription'

import { delegationCondition, delegationConditionVersion } from 'roles.bicep'

param principalId string
@description('Roles to assign: { roleId, constrained }; constrained ones carry the delegation condition.')
param grants array

resource grantsAtScope 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for grant in grants: {
    name: guid(subscription().id, principalId, grant.roleId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
      condition: grant.constrained ? delegationCondition : null
      conditionVersion: grant.constrained ? delegationConditionVersion : null
      description: 'AFS identity reconciler'
    }
  }
]
