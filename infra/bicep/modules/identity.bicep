// User-assigned managed identity the Function app uses for every Azure connection.

import { Tags } from 'types.bicep'

@description('Identity name.')
param name string

@description('Azure location.')
param location string

@description('Resource tags.')
param tags Tags

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client id of the identity (AZURE_CLIENT_ID, the __clientId of identity-based connections).')
output clientId string = identity.properties.clientId

@description('Principal (object) id of the identity, the subject of role assignments.')
output principalId string = identity.properties.principalId
