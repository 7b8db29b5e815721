// One AISTO region's Kubernetes cluster: AKS with Entra ID + Azure RBAC (no local accounts), a small system pool
// and an autoscaled, tainted GPU user pool that scales to zero. The app identity may fetch a user kubeconfig and
// create workloads, nothing more.

import { Tags, AksRegion, RoleGrant } from 'types.bicep'

@description('Cluster name.')
param name string

@description('The AISTO region this cluster serves (name, Azure location, GPU pool shape).')
param region AksRegion

@description('Resource tags.')
param tags Tags

@description('AKS pricing tier: Free (dev, no SLA), Standard (uptime SLA) or Premium (long-term support).')
param tier 'Free' | 'Standard' | 'Premium'

@description('VM size of the system node pool.')
param systemVmSize string

@description('Resource id of the Log Analytics workspace that receives Container Insights data.')
param workspaceId string

@description('Name of the app user-assigned identity (same resource group); it gets the roles in roleGrants on this cluster.')
param appIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

// Cluster User lets the app call listClusterUserCredential (an Entra-ID kubeconfig, no cluster admin); RBAC Writer
// lets it create and delete the Deployments/Jobs/Services a lease needs. It cannot change RBAC or cluster config.
var roleGrants RoleGrant[] = [
  {
    roleDefinitionId: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'
    reason: 'Azure Kubernetes Service Cluster User Role: the app fetches an Entra ID kubeconfig.'
  }
  {
    roleDefinitionId: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb'
    reason: 'Azure Kubernetes Service RBAC Writer: the app creates and removes lease workloads.'
  }
]

resource cluster 'Microsoft.ContainerService/managedClusters@2026-08-01' = {
  name: name
  location: region.location
  tags: union(tags, { 'aisto-region': region.name })
  sku: {
    name: 'Base'
    tier: tier
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: name
    enableRBAC: true
    disableLocalAccounts: true
    aadProfile: {
      managed: true
      enableAzureRBAC: true
    }
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
    }
    autoUpgradeProfile: {
      upgradeChannel: 'stable'
      nodeOSUpgradeChannel: 'NodeImage'
    }
    networkProfile: {
      networkPlugin: 'azure'
      networkPluginMode: 'overlay'
      networkDataplane: 'cilium'
      networkPolicy: 'cilium'
    }
    addonProfiles: {
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: workspaceId
          useAADAuth: 'true'
        }
      }
    }
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        vmSize: systemVmSize
        osType: 'Linux'
        osSKU: 'AzureLinux'
        type: 'VirtualMachineScaleSets'
        enableAutoScaling: true
        count: 1
        minCount: 1
        maxCount: 3
        nodeTaints: [
          'CriticalAddonsOnly=true:NoSchedule'
        ]
      }
    ]
  }

  // GPU workloads tolerate the taint and select the label; everything else stays off these (expensive) nodes.
  resource gpuPool 'agentPools' = {
    name: 'gpu'
    properties: {
      mode: 'User'
      vmSize: region.gpuVmSize
      osType: 'Linux'
      osSKU: 'Ubuntu'
      type: 'VirtualMachineScaleSets'
      enableAutoScaling: true
      count: 0
      minCount: 0
      maxCount: region.gpuMaxCount
      scaleSetPriority: region.gpuSpot ? 'Spot' : 'Regular'
      scaleSetEvictionPolicy: region.gpuSpot ? 'Delete' : null
      spotMaxPrice: region.gpuSpot ? json('-1') : null
      nodeLabels: {
        'aisto.io/pool': 'gpu'
        'aisto.io/region': region.name
      }
      nodeTaints: [
        'nvidia.com/gpu=present:NoSchedule'
      ]
    }
  }
}

resource appRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for grant in roleGrants: {
    name: guid(cluster.id, appIdentity.id, grant.roleDefinitionId)
    scope: cluster
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
      description: grant.reason
    }
  }
]

@description('Cluster name.')
output name string = cluster.name

@description('API server host name the app talks to (Entra ID token, no local account).')
output apiServerFqdn string = cluster.properties.fqdn
