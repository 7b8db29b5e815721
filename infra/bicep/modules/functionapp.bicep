// Function app on the Flex Consumption plan: .NET isolated worker, user-assigned managed identity for every
// connection (host storage, deployment package, Key Vault references, telemetry). The app settings arrive
// fully built from main.bicep; this module adds only the telemetry wiring.

import { Tags, AppSettings } from 'types.bicep'

@description('Flex Consumption plan name.')
param planName string

@description('Function app name (also the default host name prefix).')
param appName string

@description('Azure location.')
param location string

@description('Resource tags (the app additionally gets azd-service-name so azd deploy finds it).')
param tags Tags

@description('Service name azd uses to find this app (matches services in azure.yaml).')
param azdServiceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Blob endpoint of the storage account that holds the deployment container.')
param blobEndpoint string

@description('Deployment container name (Flex Consumption pulls the app package from it).')
param deploymentContainerName string

@description('Worker runtime name; this is where FUNCTIONS_WORKER_RUNTIME lives on Flex Consumption.')
param runtimeName 'dotnet-isolated'

@description('Worker runtime version (.NET major.minor).')
param runtimeVersion string

@description('Maximum number of instances the plan scales out to (40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB (512, 2048 or 4096).')
param instanceMemoryMB 512 | 2048 | 4096

@description('Instances kept warm for HTTP triggers (0 for pure scale-to-zero).')
@minValue(0)
param alwaysReadyHttpInstances int

@description('App settings, already including identity-based connections and Key Vault references.')
param appSettings AppSettings

@description('Application Insights component in this resource group that receives the app telemetry.')
param appInsightsName string

@description('Client id of the app identity (telemetry is sent with Entra ID because the component has local auth off).')
param identityClientId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Telemetry wiring is platform plumbing, not an AISTO setting, so it is added here rather than in main.bicep.
var telemetrySettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyHttpInstances > 0
          ? [
              {
                name: 'http'
                instanceCount: alwaysReadyHttpInstances
              }
            ]
          : []
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(telemetrySettings, appSettings)
  }

  // Publishing goes through Entra ID (azd / az functionapp deploy); basic-auth FTP and SCM users stay off.
  resource ftpBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmBasicAuth 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

@description('Function app name.')
output name string = app.name

@description('Default host name of the app (the API base is https://<host>/api).')
output defaultHostName string = app.properties.defaultHostName
