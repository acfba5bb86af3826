// Resource group that holds the Event Grid system topic in a managed
// subscription (a system topic lives in its source's subscription).
targetScope = 'subscription'

param name string
param location string
param tags object = {}

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: name
  location: location
  tags: tags
}
