// Optional Entra sign-in for the status page: App Service Authentication
// (authsettingsV2) in front of the Function App. Requests without a session
// still reach the app (AllowAnonymous), so scripts and Event Grid keep using
// function keys on /api/* and the webhook; the page (/api/page, anonymous at
// the Functions level when STATUS_PAGE_SIGN_IN=entra) sends users without a
// session to /.auth/login/aad. The platform validates sessions and tokens,
// enforces the allowed group, and sets the X-MS-CLIENT-PRINCIPAL* headers the
// page and the reconcile API record as the caller (it removes such headers
// from incoming requests):
// https://learn.microsoft.com/azure/app-service/overview-authentication-authorization
// https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad

@description('Name of the existing Function App.')
param functionAppName string

@minLength(36)
@maxLength(36)
@description('Application (client) id of the Entra app registration users sign in to (single tenant, ID tokens enabled, redirect URI https://<app host>/.auth/login/aad/callback).')
param clientId string

@description('Object id of an Entra security group whose members may sign in; empty lets every user of this tenant sign in. The app registration must emit the groups claim (groupMembershipClaims: SecurityGroup).')
param allowedGroupId string = ''

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// Only tokens issued by this tenant are accepted: the issuer is the tenant's own v2.0 endpoint.
var issuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    login: {
      tokenStore: {
        enabled: true
      }
      preserveUrlFragmentsForLogins: false
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: issuer
        }
        validation: {
          allowedAudiences: [
            clientId
            'api://${clientId}'
          ]
          defaultAuthorizationPolicy: {
            allowedPrincipals: empty(allowedGroupId) ? {} : { groups: [allowedGroupId] }
          }
        }
      }
    }
  }
}

output loginPath string = '/.auth/login/aad'
