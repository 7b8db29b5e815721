// Service Bus namespace with the DePIN intake queue. Sessions keep each project's tasks in order (session id =
// project id), expired messages go to the dead-letter queue, and a poison message is dead-lettered after
// maxDeliveryCount attempts. Local (SAS) auth is off: the app connects with its managed identity.

import { Tags, RoleGrant } from 'types.bicep'

@description('Namespace name.')
param name string

@description('Azure location.')
param location string

@description('Resource tags.')
param tags Tags

@description('Tier: Standard (pay per operation) or Premium (dedicated messaging units, namespace partitions).')
param sku 'Standard' | 'Premium'

@description('Messaging units when the tier is Premium (1, 2, 4, 8 or 16); ignored for Standard.')
param premiumCapacity 1 | 2 | 4 | 8 | 16

@description('Namespace partitions when the tier is Premium (1 = not partitioned, 2 or 4); fixed at creation.')
param premiumPartitions 1 | 2 | 4

@description('Partition the queue on Standard (16 brokers instead of one, higher throughput); fixed at creation.')
param standardQueuePartitioning bool

@description('Name of the DePIN task intake queue.')
param queueName string

@description('Deliveries before a message is dead-lettered.')
@minValue(1)
@maxValue(2000)
param maxDeliveryCount int

@description('Time a message lives before it expires (and is dead-lettered), ISO 8601 duration.')
param messageTimeToLive string

@description('Peek-lock duration, ISO 8601 duration (at most PT5M).')
param lockDuration string

@description('Name of the app user-assigned identity (same resource group); it gets Data Receiver and Data Sender on the namespace.')
param appIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

// Receiver + Sender instead of Data Owner: the app reads and writes messages but never manages entities.
var roleGrants RoleGrant[] = [
  {
    roleDefinitionId: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
    reason: 'Azure Service Bus Data Receiver: the DePIN intake trigger reads depin-tasks.'
  }
  {
    roleDefinitionId: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
    reason: 'Azure Service Bus Data Sender: the app re-queues and fans out DePIN tasks.'
  }
]

var isPremium = sku == 'Premium'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    capacity: isPremium ? premiumCapacity : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    premiumMessagingPartitions: isPremium ? premiumPartitions : null
  }

  resource queue 'queues' = {
    name: queueName
    properties: {
      requiresSession: true
      deadLetteringOnMessageExpiration: true
      maxDeliveryCount: maxDeliveryCount
      defaultMessageTimeToLive: messageTimeToLive
      lockDuration: lockDuration
      // Task ids are message ids: a retried submission within the window is dropped, not run twice.
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'PT10M'
      enablePartitioning: isPremium ? null : standardQueuePartitioning
      enableBatchedOperations: true
    }
  }
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for grant in roleGrants: {
    name: guid(namespace.id, appIdentity.id, grant.roleDefinitionId)
    scope: namespace
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
      description: grant.reason
    }
  }
]

@description('Fully qualified namespace host name (<name>.servicebus.windows.net in the public cloud), taken from the endpoint so sovereign clouds work.')
output fullyQualifiedNamespace string = replace(split(namespace.properties.serviceBusEndpoint, '/')[2], ':443', '')

@description('Queue name.')
output queueName string = namespace::queue.name
