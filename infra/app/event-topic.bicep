// The Microsoft.Resources.Subscriptions system topic of one managed
// subscription. Azure allows one per subscription, so an existing one can be
// reused; it must then have a system-assigned identity (docs/deployment.md, Event Grid wiring).
param name string
param reuseExisting bool
param tags object = {}

resource created 'Microsoft.EventGrid/systemTopics@2025-02-15' = if (!reuseExisting) {
  name: name
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned' // dead-letters with this identity, no storage keys
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource reused 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = if (reuseExisting) {
  name: name
}

output id string = reuseExisting ? reused.id : created.id
// Each branch reads the topic its condition deploys or references, so neither is null there.
output principalId string = reuseExisting ? reused!.identity.principalId : created!.identity.principalId
