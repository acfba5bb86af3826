// Azure Monitor log alerts on the app's telemetry (the custom events of
// src/lib/telemetry/events.ts in Application Insights' customEvents table):
// a server overdue, a run that failed or was poisoned, a service not converged
// for a day. Each fires per service (dimension serviceId). With an e-mail
// address, an action group mails it; without one the alerts show in the
// portal only. docs/operations.md (Telemetry and alerts) shows the same queries.
param location string
param tags object = {}
param applicationInsightsName string
@description('Prefix of the alert rule and action group names.')
param namePrefix string
@description('Where alerts are mailed; no action group is created when empty.')
param alertEmailAddress string = ''

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var sendMail = !empty(alertEmailAddress)

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (sendMail) {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    // At most 12 characters: the short name appears in the e-mail's subject.
    groupShortName: 'afs-identity'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

var rules = [
  {
    name: 'server-overdue'
    displayName: 'File Sync server still on its certificate after the activation window'
    description: 'A server was switched to its managed identity but still authenticates with its certificate after ACTIVATION_WINDOW (AfsIdentityServerOverdue). The event carries the server and the remedy.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: '''
customEvents
| where name == "AfsIdentityServerOverdue"
| extend serviceId = tostring(customDimensions.serviceId), server = tostring(customDimensions.name), remedy = tostring(customDimensions.remedy)
| project timestamp, serviceId, server, remedy
'''
  }
  {
    name: 'run-failed'
    displayName: 'Reconcile run failed or poisoned'
    description: 'A reconcile run ended failed (a terminal ARM error such as 403) or poisoned (transient errors on every attempt) (AfsIdentityRun).'
    severity: 1
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: '''
customEvents
| where name == "AfsIdentityRun"
| extend serviceId = tostring(customDimensions.serviceId), status = tostring(customDimensions.status), errorCode = tostring(customDimensions.errorCode)
| where status in ("failed", "poisoned")
| project timestamp, serviceId, status, errorCode
'''
  }
  {
    name: 'service-not-converged'
    displayName: 'Storage Sync Service not converged for a day'
    description: 'Every finished (non-dry) run of the service in the last 24 hours left work undone, failed or was poisoned (AfsIdentityRun).'
    severity: 2
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    query: '''
customEvents
| where name == "AfsIdentityRun" and tostring(customDimensions.dryRun) == "false"
| extend serviceId = tostring(customDimensions.serviceId), status = tostring(customDimensions.status)
| where status != "retrying"
| summarize runs = count(), convergedRuns = countif(tostring(customDimensions.converged) == "true") by serviceId
| where convergedRuns == 0
'''
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: 'alert-${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsights.id
      ]
      evaluationFrequency: rule.evaluationFrequency
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            dimensions: [
              {
                name: 'serviceId'
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: sendMail ? [actionGroup.id] : []
      }
    }
  }
]

output alertRuleNames array = [for (rule, i) in rules: alertRules[i].name]
output actionGroupId string = sendMail ? actionGroup.id : ''
