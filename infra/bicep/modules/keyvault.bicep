// Key Vault in RBAC mode for the app's secrets: the chain signing key and the SHA-256 hashes of API keys. The app
// reads them through Key Vault references (@Microsoft.KeyVault(...)) resolved by the platform with the app
// identity; no secret value is ever an output of this template.

import { Tags, SecretValues } from 'types.bicep'

@description('Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure location.')
param location string

@description('Resource tags.')
param tags Tags

@description('Keep deleted vaults recoverable and unpurgeable for the retention period (recommended outside dev).')
param enablePurgeProtection bool

@description('Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Names of the secrets the app references; one secret is created for each name that has a non-empty value.')
param secretNames string[]

@description('Secret values by name. Secure, so they never appear in deployment history; a missing or empty value leaves that secret to be set later (az keyvault secret set).')
param secrets SecretValues

@description('Name of the app user-assigned identity (same resource group); it gets Key Vault Secrets User (read secret values only).')
param appIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

// The loop runs over the (non-secret) names so its length is known before deployment; the values only decide
// which of them are written now.
resource secretValues 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = [
  for secretName in secretNames: if (!empty(secrets[?secretName] ?? '')) {
    parent: vault
    name: secretName
    properties: {
      value: secrets[?secretName] ?? ''
      contentType: 'text/plain'
    }
  }
]

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Key Vault Secrets User: the app resolves Key Vault references (chain key, API key hashes).'
  }
}

@description('Key Vault name (Key Vault references use VaultName=<name>).')
output name string = vault.name
