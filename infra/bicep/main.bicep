// AISTO on Azure: one resource group holding the Function app (Flex Consumption, .NET isolated), its storage
// (Tables, Queues, Blobs, durable task hub), Service Bus intake, Key Vault, monitoring and, optionally, one AKS
// cluster with a GPU pool per AISTO region. Every connection uses the app's user-assigned managed identity.
//
// Deploy: az deployment sub create --location <loc> --template-file infra/bicep/main.bicep \
//           --parameters infra/bicep/main.bicepparam      (or: azd up)      See docs/deploy.md.

targetScope = 'subscription'

import { AksRegion, ApiKey, SecretValues } from 'modules/types.bicep'

// ---- Environment ----------------------------------------------------------------------------------------------

@description('Environment name (dev, staging, prod, or the azd environment); part of every resource name.')
@minLength(1)
@maxLength(24)
param environmentName string

@description('Azure location of the resource group and every resource except the regional AKS clusters.')
param location string

@description('Resource group to create; empty means rg-aisto-<environmentName>.')
param resourceGroupName string = ''

// ---- Storage and durable task hub --------------------------------------------------------------------------------

@description('Storage replication (Standard_LRS for dev; Standard_ZRS or Standard_GZRS for production).')
param storageSku 'Standard_LRS' | 'Standard_ZRS' | 'Standard_GRS' | 'Standard_GZRS' = 'Standard_LRS'

@description('Prefix of the AISTO domain tables (Aisto__Storage__TablePrefix).')
@minLength(1)
@maxLength(20)
param tablePrefix string = 'aisto'

@description('Durable task hub name (Aisto__Durable__TaskHub and the host durableTask hubName).')
@minLength(3)
@maxLength(45)
param durableTaskHub string = 'aisto'

@description('Durable Task control-queue partitions (1-16); fixed when the task hub is first created.')
@minValue(1)
@maxValue(16)
param durablePartitionCount int = 4

// ---- Function app ----------------------------------------------------------------------------------------------

@description('.NET isolated worker version on Flex Consumption (functionAppConfig.runtime.version); the app targets net10.0.')
param functionsRuntimeVersion '8.0' | '9.0' | '10.0' = '10.0'

@description('Upper bound of Flex Consumption instances (40-1000).')
@minValue(40)
@maxValue(1000)
param functionsMaximumInstanceCount int = 100

@description('Memory per Flex Consumption instance in MB.')
param functionsInstanceMemoryMB 512 | 2048 | 4096 = 2048

@description('Always-ready instances for HTTP triggers (0 = scale to zero, cold starts possible).')
@minValue(0)
@maxValue(20)
param functionsAlwaysReadyHttpInstances int = 0

// ---- Service Bus -------------------------------------------------------------------------------------------------

@description('Service Bus tier: Standard (pay per operation) or Premium (dedicated capacity, partitions, zones).')
param serviceBusSku 'Standard' | 'Premium' = 'Standard'

@description('Premium messaging units (ignored for Standard).')
param serviceBusPremiumCapacity 1 | 2 | 4 | 8 | 16 = 1

@description('Premium namespace partitions (ignored for Standard); fixed at creation.')
param serviceBusPremiumPartitions 1 | 2 | 4 = 1

@description('Partition the depin-tasks queue on Standard; fixed at creation.')
param serviceBusStandardQueuePartitioning bool = false

@description('Deliveries of a DePIN task message before it is dead-lettered.')
@minValue(1)
@maxValue(2000)
param depinMaxDeliveryCount int = 10

@description('Lifetime of a DePIN task message before it expires into the dead-letter queue (ISO 8601).')
param depinMessageTimeToLive string = 'P1D'

@description('Peek-lock duration of a DePIN task message (ISO 8601, at most PT5M).')
param depinLockDuration string = 'PT1M'

// ---- Key Vault and secrets -------------------------------------------------------------------------------------

@description('Protect the Key Vault from purge (recommended outside dev; blocks reusing the name for the retention).')
param keyVaultPurgeProtection bool = true

@description('Days a deleted Key Vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Private key of the payout signer (hex). Stored as Key Vault secret chain-private-key; empty leaves the secret to be set later with az keyvault secret set.')
@secure()
param chainPrivateKey string = ''

@description('JSON-RPC endpoint of the chain the token contract lives on (Aisto__Chain__RpcUrl); empty until payouts go live.')
param chainRpcUrl string = ''

@description('Compliance allowlist of dividend recipients: comma-separated addresses, or * for every holder (Aisto__Payouts__Allowlist).')
param payoutAllowlist string = ''

@description('API keys the app accepts (tenant and role, in order); their hashes come from apiKeySha256s.')
param apiKeys ApiKey[] = []

@description('SHA-256 hex of each API key, keyed by ApiKey.name; stored as Key Vault secrets api-key-<name>-sha256.')
param apiKeySha256s SecretValues = {}

// ---- Monitoring ------------------------------------------------------------------------------------------------

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Daily Log Analytics ingestion cap in GB (-1 = no cap).')
param logDailyQuotaGb int = -1

// ---- Regions (AKS) ---------------------------------------------------------------------------------------------

@description('Create one AKS cluster with a GPU node pool per entry of aksRegions (off: regions stay simulated).')
param deployAks bool = false

@description('AISTO regions and the Azure locations that host them; used only when deployAks is true.')
param aksRegions AksRegion[] = [
  {
    name: 'us-east'
    location: 'eastus'
    gpuVmSize: 'Standard_NC24ads_A100_v4'
    gpuMaxCount: 4
    gpuSpot: false
  }
  {
    name: 'singapore'
    location: 'southeastasia'
    gpuVmSize: 'Standard_NC24ads_A100_v4'
    gpuMaxCount: 4
    gpuSpot: false
  }
  {
    name: 'malaysia'
    location: 'malaysiawest'
    gpuVmSize: 'Standard_NC24ads_A100_v4'
    gpuMaxCount: 4
    gpuSpot: false
  }
]

@description('AKS pricing tier (Free for dev, Standard for the uptime SLA).')
param aksTier 'Free' | 'Standard' | 'Premium' = 'Free'

@description('VM size of each cluster\'s system node pool.')
param aksSystemVmSize string = 'Standard_D4ds_v5'

// ---- Names -----------------------------------------------------------------------------------------------------

// One token per subscription + environment + location: names are stable across redeploys and unique globally.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'aisto'
}
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-aisto-${environmentName}' : resourceGroupName
  identity: 'id-aisto-${resourceToken}'
  storage: 'staisto${resourceToken}'
  deploymentContainer: 'app-package-${resourceToken}'
  plan: 'plan-aisto-${resourceToken}'
  functionApp: 'func-aisto-${resourceToken}'
  serviceBus: 'sb-aisto-${resourceToken}'
  keyVault: 'kv-aisto-${resourceToken}'
  logAnalytics: 'log-aisto-${resourceToken}'
  appInsights: 'appi-aisto-${resourceToken}'
  aksPrefix: 'aks-aisto-${resourceToken}'
}
var depinQueueName = 'depin-tasks'
var chainPrivateKeySecret = 'chain-private-key'

// ---- Resources -------------------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    workspaceName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    appIdentityName: names.identity
  }
  dependsOn: [
    identity
  ]
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: names.deploymentContainer
    appIdentityName: names.identity
  }
  dependsOn: [
    identity
  ]
}

module serviceBus 'modules/servicebus.bicep' = {
  scope: rg
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    sku: serviceBusSku
    premiumCapacity: serviceBusPremiumCapacity
    premiumPartitions: serviceBusPremiumPartitions
    standardQueuePartitioning: serviceBusStandardQueuePartitioning
    queueName: depinQueueName
    maxDeliveryCount: depinMaxDeliveryCount
    messageTimeToLive: depinMessageTimeToLive
    lockDuration: depinLockDuration
    appIdentityName: names.identity
  }
  dependsOn: [
    identity
  ]
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    secretNames: concat([chainPrivateKeySecret], map(apiKeys, key => apiKeySecretName(key.name)))
    secrets: union(
      { '${chainPrivateKeySecret}': chainPrivateKey },
      toObject(items(apiKeySha256s), entry => apiKeySecretName(entry.key), entry => entry.value)
    )
    appIdentityName: names.identity
  }
  dependsOn: [
    identity
  ]
}

module clusters 'modules/aks.bicep' = [
  for region in (deployAks ? aksRegions : []): {
    name: 'aks-${region.name}'
    scope: rg
    params: {
      name: '${names.aksPrefix}-${region.name}'
      region: region
      tags: tags
      tier: aksTier
      systemVmSize: aksSystemVmSize
      workspaceId: monitoring.outputs.workspaceId
      appIdentityName: names.identity
    }
    dependsOn: [
      identity
    ]
  }
]

// ---- App settings ----------------------------------------------------------------------------------------------
// Every key of local.settings.sample.json "Values" has a line here (tests/Aisto.Infra.Tests checks it).
// To add a setting: add ONE line `Aisto__Section__Name: 'value'` to appSettings below. For a secret, add its name
// to the keyVault module's secretNames (and a value to secrets, or set it later with az keyvault secret set), then
// the line `Aisto__Section__Name: keyVaultReference(keyVault.outputs.name, '<secret-name>')`.
// FUNCTIONS_WORKER_RUNTIME is not an app setting on Flex Consumption: it is functionAppConfig.runtime.name.
// AzureWebJobsStorage becomes its identity-based form AzureWebJobsStorage__accountName/__credential/__clientId.

func keyVaultReference(vaultName string, secretName string) string =>
  '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

func apiKeySecretName(keyName string) string => 'api-key-${keyName}-sha256'

var appSettings = {
  // Host storage and the durable task hub, identity-based (shared keys are off on the account).
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureFunctionsJobHost__extensions__durableTask__hubName: durableTaskHub
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount: string(durablePartitionCount)
  AZURE_CLIENT_ID: identity.outputs.clientId

  // Aisto storage: no key exists, so the "connection string" is the table endpoint and the app authenticates with
  // its managed identity; the __tableServiceUri/__credential/__clientId keys follow the Azure SDK client-factory form.
  Aisto__Storage__ConnectionString: storage.outputs.tableEndpoint
  Aisto__Storage__tableServiceUri: storage.outputs.tableEndpoint
  Aisto__Storage__queueServiceUri: storage.outputs.queueEndpoint
  Aisto__Storage__blobServiceUri: storage.outputs.blobEndpoint
  Aisto__Storage__credential: 'managedidentity'
  Aisto__Storage__clientId: identity.outputs.clientId
  Aisto__Storage__TablePrefix: tablePrefix
  Aisto__Storage__NetworkTimeout: '00:00:10'
  Aisto__Storage__MaxRetries: '3'

  Aisto__Durable__Backend: 'AzureStorage'
  Aisto__Durable__TaskHub: durableTaskHub
  Aisto__Durable__PartitionCount: string(durablePartitionCount)

  // Read only by the standalone runtime (no Functions host; there host.json rules the engine); inert in Azure.
  Aisto__Durable__WorkerId: 'aisto-${resourceToken}'
  Aisto__Durable__WorkItemVisibilityTimeout: '00:01:00'
  Aisto__Durable__ControlQueueVisibilityTimeout: '00:00:30'
  Aisto__Standalone__Urls: 'http://127.0.0.1:7071'
  Aisto__Standalone__StartStorageEmulator: 'false'
  Aisto__Standalone__StorageEmulatorData: 'Disk'
  Aisto__Standalone__StartDevChain: 'false'
  Aisto__Standalone__Queues__BatchSize: '32'
  Aisto__Standalone__Queues__NewBatchThreshold: '32'
  Aisto__Standalone__Queues__MaxPollingInterval: '00:00:02'
  Aisto__Standalone__Queues__VisibilityTimeout: '00:00:00'
  Aisto__Standalone__Queues__MaxDequeueCount: '5'
  Aisto__Standalone__Queues__MessageLeaseTime: '00:05:00'

  Aisto__Leases__MaxQueueTime: '00:30:00'
  Aisto__Leases__QueueRetryInterval: '00:00:15'
  Aisto__Leases__QueueRetryMaxInterval: '00:02:00'
  Aisto__Leases__QueueViewMaxAge: '00:00:01'
  Aisto__Leases__QueuePositionMaxAge: '00:00:00.250'
  Aisto__Leases__MeteringInterval: '01:00:00'
  Aisto__Leases__ProvisioningTimeout: '00:10:00'
  Aisto__Leases__ReadyPollInterval: '00:00:01'
  Aisto__Leases__ReconcileSchedule: '0 * * * * *'
  Aisto__Leases__PreemptionNotice: '00:02:00'
  Aisto__Ledger__EpochOrigin: '2026-01-01T00:00:00Z'
  Aisto__Ledger__EpochLength: '1.00:00:00'
  Aisto__Kubernetes__ReconcileSchedule: '*/30 * * * * *'
  Aisto__Kubernetes__HealthCheckInterval: '00:00:10'
  Aisto__Kubernetes__HealthFailureThreshold: '3'
  Aisto__Kubernetes__RequestTimeout: '00:00:10'
  Aisto__Kubernetes__OperationTimeout: '00:00:45'
  Aisto__Kubernetes__MaxRetries: '4'
  Aisto__Kubernetes__RetryBaseDelay: '00:00:00.200'
  Aisto__Kubernetes__NamespacePrefix: 'aisto-'
  Aisto__Kubernetes__NodePoolLabel: 'node.cluster.x-k8s.io/pool'
  Aisto__Kubernetes__DefaultImage: 'nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04'
  Aisto__Regions__ProvisioningDelay: '00:00:02'
  Aisto__Scheduling__Policy: 'aisto'
  Aisto__Auth__RateLimit__RequestsPerSecond: '300'
  Aisto__Auth__RateLimit__Burst: '600'
  Aisto__Scheduling__LeasingPoolPercent: '50'
  Aisto__Scheduling__DepinPoolPercent: '45'
  Aisto__Scheduling__IncubationPoolPercent: '5'
  Aisto__Regions__NodeProvisioningDelay: '00:10:00'
  Aisto__Autoscale__Schedule: '0 */5 * * * *'
  Aisto__Autoscale__RecordSchedule: '0 * * * * *'
  Aisto__Autoscale__SampleRetention: '2.00:00:00'
  Aisto__Autoscale__HistoryRetention: '28.00:00:00'
  Aisto__Autoscale__ForecastOnly: 'false'
  Aisto__Autoscale__NodeLeadTime: '00:10:00'
  Aisto__Autoscale__ForecastHorizon: '06:00:00'
  Aisto__Monitoring__SnapshotInterval: '00:00:05'
  Aisto__Monitoring__WaitWindow: '01:00:00'
  Aisto__Monitoring__AlertSchedule: '*/30 * * * * *'
  Aisto__Monitoring__QueueWaitSlo: '00:05:00'
  Aisto__Monitoring__UtilizationHigh: '0.9'
  Aisto__Monitoring__UtilizationLow: '0.05'
  // Telemetry goes to the Application Insights resource of the monitoring module (its connection string setting).
  Aisto__Telemetry__Exporter: 'azuremonitor'
  Aisto__Telemetry__OtlpEndpoint: ''
  Aisto__Telemetry__AzureMonitorConnectionString: ''
  Aisto__Telemetry__MetricInterval: '00:01:00'
  Aisto__Payouts__Schedule: '0 0 * * * *'
  Aisto__Payouts__DividendShare: '1.0'
  Aisto__Payouts__UsdPerPayoutToken: '1.0'
  Aisto__Payouts__UsdPerRewardToken: '1.0'
  Aisto__Payouts__RewardTokenDecimals: '18'
  Aisto__Payouts__InfrastructureCost__DefaultGpuHourUsd: '1.0'
  Aisto__Payouts__Allowlist: payoutAllowlist
  Aisto__Payouts__SettlementDelay: '02:00:00'
  Aisto__Payouts__CatchUpEpochs: '3'

  // DePIN intake: the Service Bus trigger's identity-based connection "ServiceBus" and the queue it reads.
  ServiceBus__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  ServiceBus__credential: 'managedidentity'
  ServiceBus__clientId: identity.outputs.clientId
  Aisto__Depin__QueueName: serviceBus.outputs.queueName
  Aisto__Depin__Transport: 'StorageQueue'
  Aisto__Depin__ServiceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
  Aisto__Depin__ServiceBusConnectionString: ''
  Aisto__Depin__MaxConcurrentSessions: '16'
  Aisto__Depin__ServiceBusTryTimeout: '00:01:00'
  Aisto__Depin__PoolPercent: '45'
  Aisto__Depin__QueueRetryInterval: '00:00:10'
  Aisto__Depin__MaxQueueTime: '06:00:00'
  Aisto__Depin__MaxAttempts: '3'
  Aisto__Depin__ReadyPollInterval: '00:00:01'
  Aisto__Depin__ProvisioningTimeout: '00:10:00'
  Aisto__Depin__DispatchViewMaxAge: '00:00:01'
  Aisto__Depin__ReconcileSchedule: '*/30 * * * * *'
  Aisto__Depin__ReconcileMinimumAge: '00:02:00'

  // Chain: the signer key is a Key Vault reference, resolved by the platform with the app identity.
  Aisto__Chain__Mode: 'External'
  Aisto__Chain__DevChainPort: '8545'
  Aisto__Chain__RpcTimeout: '00:00:20'
  Aisto__Chain__ReceiptTimeout: '00:02:00'
  Aisto__Chain__RpcUrl: chainRpcUrl
  Aisto__Chain__OperatorPrivateKey: keyVaultReference(keyVault.outputs.name, chainPrivateKeySecret)
}

// Indexed settings (one group per API key and per AKS region) are generated from the parameter lists.
var apiKeySettings = reduce(
  map(range(0, length(apiKeys)), i => {
    'Aisto__Auth__ApiKeys__${i}__KeySha256': keyVaultReference(keyVault.outputs.name, apiKeySecretName(apiKeys[i].name))
    'Aisto__Auth__ApiKeys__${i}__TenantId': apiKeys[i].tenantId
    'Aisto__Auth__ApiKeys__${i}__Role': apiKeys[i].role
  }),
  {},
  (all, group) => union(all, group)
)

// The app gets an Entra ID kubeconfig per region with listClusterUserCredential on the cluster named here.
var kubernetesSettings = reduce(
  map(range(0, deployAks ? length(aksRegions) : 0), i => {
    'Aisto__Kubernetes__Regions__${i}__Name': aksRegions[i].name
    'Aisto__Kubernetes__Regions__${i}__Location': aksRegions[i].location
    'Aisto__Kubernetes__Regions__${i}__ClusterName': '${names.aksPrefix}-${aksRegions[i].name}'
    'Aisto__Kubernetes__Regions__${i}__ResourceGroup': rg.name
    'Aisto__Kubernetes__Regions__${i}__SubscriptionId': subscription().subscriptionId
  }),
  {},
  (all, group) => union(all, group)
)

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    azdServiceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    runtimeName: 'dotnet-isolated'
    runtimeVersion: functionsRuntimeVersion
    maximumInstanceCount: functionsMaximumInstanceCount
    instanceMemoryMB: functionsInstanceMemoryMB
    alwaysReadyHttpInstances: functionsAlwaysReadyHttpInstances
    appInsightsName: names.appInsights
    appSettings: union(appSettings, apiKeySettings, kubernetesSettings)
  }
  dependsOn: [
    monitoring
  ]
}

// ---- Outputs (names and endpoints only; azd turns them into environment values) --------------------------------

@description('Resource group that holds the deployment.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Azure location of the deployment.')
output AZURE_LOCATION string = location

@description('Function app name (az functionapp / azd deploy target).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the HTTP API.')
output AISTO_API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Storage account name.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Service Bus namespace host name.')
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace

@description('Key Vault name (set secrets with az keyvault secret set --vault-name).')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Client id of the app identity.')
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('AKS cluster names, one per deployed region.')
output AKS_CLUSTER_NAMES string[] = [for (region, i) in (deployAks ? aksRegions : []): clusters[i].outputs.name]
