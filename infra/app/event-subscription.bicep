// One managed scope's event subscription on its subscription's system topic:
// ResourceWriteSuccess for the handled operations only, delivered to the events
// function's webhook, retried, and dead-lettered with the topic's identity.
import { handledOperationNames, resourceWriteSuccess } from 'event-filter.bicep'

param systemTopicName string
param name string
@description('The managed scope followed by a slash; narrows a subscription-wide topic to the scope.')
param subjectBeginsWith string
@secure()
@description('https://{app}/runtime/webhooks/eventgrid?functionName={fn}&code={eventgrid_extension key}')
param endpointUrl string
param deadLetterStorageAccountId string
param deadLetterContainerName string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource toEventsFunction 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: name
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: endpointUrl
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      subjectBeginsWith: subjectBeginsWith
      isSubjectCaseSensitive: false
      includedEventTypes: [
        resourceWriteSuccess
      ]
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: handledOperationNames
        }
      ]
    }
    // The function only enqueues, so retries are cheap; a day covers an outage.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}
