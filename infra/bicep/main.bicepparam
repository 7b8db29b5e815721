// Sample environment: a dev deployment in East US with the three AISTO regions on AKS.
// Secrets come from environment variables at deploy time and never live in this file:
//   AISTO_CHAIN_PRIVATE_KEY   hex private key of the payout signer (optional; can be set in Key Vault later)
//   AISTO_API_KEY_SHA256S     JSON object {"<api key name>": "<sha256 hex>"}, e.g. {"tenant-a-primary":"6f1e..."}
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus')

param storageSku = 'Standard_LRS'
param durableTaskHub = 'aisto'
param durablePartitionCount = 4

param functionsRuntimeVersion = '10.0'
param functionsMaximumInstanceCount = 100
param functionsInstanceMemoryMB = 2048
param functionsAlwaysReadyHttpInstances = 0

param serviceBusSku = 'Standard'
param depinMaxDeliveryCount = 10
param depinMessageTimeToLive = 'P1D'
param depinLockDuration = 'PT1M'

param keyVaultPurgeProtection = false
param keyVaultSoftDeleteRetentionInDays = 7

param chainPrivateKey = readEnvironmentVariable('AISTO_CHAIN_PRIVATE_KEY', '')
param chainRpcUrl = ''
param apiKeys = [
  {
    name: 'tenant-a-primary'
    tenantId: 'tenant-a'
    role: 'tenant'
  }
]
param apiKeySha256s = json(readEnvironmentVariable('AISTO_API_KEY_SHA256S', '{}'))

param deployAks = true
param aksTier = 'Free'
param aksRegions = [
  {
    name: 'us-east'
    location: 'eastus'
    gpuVmSize: 'Standard_NC24ads_A100_v4'
    gpuMaxCount: 2
    gpuSpot: true
  }
  {
    name: 'singapore'
    location: 'southeastasia'
    gpuVmSize: 'Standard_NC24ads_A100_v4'
    gpuMaxCount: 2
    gpuSpot: true
  }
  {
    name: 'malaysia'
    location: 'malaysiawest'
    gpuVmSize: 'Standard_NC24ads_A100_v4'
    gpuMaxCount: 2
    gpuSpot: true
  }
]
