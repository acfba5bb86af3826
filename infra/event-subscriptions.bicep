// Second deployment step, run by the postdeploy hook once the code is deployed:
// an Event Grid trigger's webhook only exists (and only has its
// eventgrid_extension system key) after the host has loaded the function.
// The key is read here with listKeys and never passes through the shell.
targetScope = 'subscription'

param environmentName string
param functionAppResourceGroup string
param functionAppName string
@description('Name the app registers its Event Grid trigger under (app.eventGrid(name, ...)).')
param eventsFunctionName string = 'armEvents'
@description('Output AZURE_EVENT_GRID_DELIVERIES of main.bicep: [{ scope, topicId }].')
param deliveries array
param deadLetterStorageAccountId string
param deadLetterContainerName string

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
  scope: resourceGroup(functionAppResourceGroup)
}

// The host's keys: Microsoft.Web/sites/host has no resource type in Bicep's
// type index (it is only an action target), so listKeys() takes its id.
var hostKeys = listKeys('${app.id}/host/default', '2024-04-01')

module eventSubscriptions 'app/event-subscription.bicep' = [
  for d in deliveries: {
    name: 'events-sub-${uniqueString(d.scope, environmentName)}'
    scope: resourceGroup(split(d.topicId, '/')[2], split(d.topicId, '/')[4])
    params: {
      systemTopicName: last(split(d.topicId, '/'))
      name: '${take('afsid-${environmentName}', 44)}-${uniqueString(d.scope)}' // at most 64 characters
      subjectBeginsWith: '${d.scope}/'
      endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/eventgrid?functionName=${eventsFunctionName}&code=${hostKeys.systemKeys.eventgrid_extension}'
      deadLetterStorageAccountId: deadLetterStorageAccountId
      deadLetterContainerName: deadLetterContainerName
    }
  }
]
