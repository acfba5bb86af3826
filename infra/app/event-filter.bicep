// What the events function reacts to. ARM raises ResourceWriteSuccess for every
// write in a subscription; only these five operations can make a server
// eligible or change who needs which grant. test/infra checks
// this list against the operations the app's event handler accepts.

@export()
var resourceWriteSuccess = 'Microsoft.Resources.ResourceWriteSuccess'

@export()
var handledOperationNames = [
  'Microsoft.StorageSync/storageSyncServices/registeredServers/write'
  'Microsoft.StorageSync/storageSyncServices/syncGroups/cloudEndpoints/write'
  'Microsoft.StorageSync/storageSyncServices/syncGroups/serverEndpoints/write'
  'Microsoft.HybridCompute/machines/write'
  'Microsoft.Compute/virtualMachines/write'
]
