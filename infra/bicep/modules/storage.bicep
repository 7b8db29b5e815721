// Storage account for the whole app: Azure Tables (domain data), Queues and Blobs (the durable task hub's
// control/work-item queues, history/instance tables and lease blobs) and the Flex Consumption deployment
// container. Shared keys are off: every caller uses Entra ID (the app through its managed identity).

import { Tags, RoleGrant } from 'types.bicep'

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure location.')
param location string

@description('Resource tags.')
param tags Tags

@description('Replication SKU (Standard_LRS for dev, Standard_ZRS or Standard_GZRS for production).')
param skuName 'Standard_LRS' | 'Standard_ZRS' | 'Standard_GRS' | 'Standard_GZRS'

@description('Blob container that holds the Function app package (Flex Consumption deploys from it).')
param deploymentContainerName string

@description('Name of the app user-assigned identity (same resource group); it gets the data-plane roles listed in roleGrants.')
param appIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

// Blob Data Owner (not Contributor) because the Functions host and Flex deployment take blob leases and manage
// containers on AzureWebJobsStorage; Queue and Table Data Contributor for the durable task hub and the app's tables.
var roleGrants RoleGrant[] = [
  {
    roleDefinitionId: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
    reason: 'Storage Blob Data Owner: Functions host leases, durable task hub blobs, Flex deployment package.'
  }
  {
    roleDefinitionId: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
    reason: 'Storage Queue Data Contributor: durable task hub control and work-item queues, app queues.'
  }
  {
    roleDefinitionId: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
    reason: 'Storage Table Data Contributor: durable history/instance tables and AISTO domain tables.'
  }
]

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: {
        enabled: true
        days: 7
      }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'
  }

  resource tableService 'tableServices' = {
    name: 'default'
  }
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for grant in roleGrants: {
    name: guid(account.id, appIdentity.id, grant.roleDefinitionId)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
      description: grant.reason
    }
  }
]

@description('Storage account name.')
output name string = account.name

@description('Blob service endpoint, for example https://<name>.blob.core.windows.net/.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue service endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table service endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table

@description('Name of the deployment container.')
output deploymentContainerName string = account::blobService::deploymentContainer.name
