// Custom roles narrower than Reader, defined once (in the first managed
// subscription) and assignable at every managed scope.
targetScope = 'subscription'

import { scopeReaderActions, storageSyncOperatorActions } from 'roles.bicep'

@description('Makes role names unique in the tenant (role names are tenant-wide).')
param nameSuffix string
param assignableScopes array
@description('Also define the Storage Sync role (needed with the RBAC-administrator option only).')
param includeStorageSyncOperator bool

resource scopeReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(tenant().tenantId, 'afs-identity-scope-reader', nameSuffix)
  properties: {
    roleName: 'AFS identity reconciler reader (${nameSuffix})'
    description: 'Reads Arc machines, VMs, storage accounts and role assignments: what the File Sync identity reconciler looks at besides Storage Sync.'
    type: 'CustomRole'
    assignableScopes: assignableScopes
    permissions: [
      {
        actions: scopeReaderActions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

resource storageSyncOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (includeStorageSyncOperator) {
  name: guid(tenant().tenantId, 'afs-identity-storage-sync-operator', nameSuffix)
  properties: {
    roleName: 'AFS identity reconciler Storage Sync operator (${nameSuffix})'
    description: 'Reads Storage Sync resources, enables a service identity and switches registered servers to their identities.'
    type: 'CustomRole'
    assignableScopes: assignableScopes
    permissions: [
      {
        actions: storageSyncOperatorActions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

output scopeReaderRoleId string = scopeReader.name
output storageSyncOperatorRoleId string = includeStorageSyncOperator ? storageSyncOperator.name : ''
