// Shared parameter shapes for main.bicep and its modules.

@export()
@description('One AISTO region that gets its own AKS cluster with a GPU node pool.')
type AksRegion = {
  @description('AISTO region name as the app knows it (for example us-east, singapore, malaysia).')
  name: string

  @description('Azure location that hosts the region (for example eastus, southeastasia, malaysiawest).')
  location: string

  @description('VM size of the GPU node pool (for example Standard_NC24ads_A100_v4).')
  gpuVmSize: string

  @description('Upper bound of the GPU node pool autoscaler.')
  @minValue(1)
  @maxValue(1000)
  gpuMaxCount: int

  @description('Run the GPU pool on Spot capacity (cheaper, evictable) instead of regular capacity.')
  gpuSpot: bool
}

@export()
@description('One API key the app accepts; the key itself never reaches Azure, only its SHA-256 hash (held in Key Vault).')
type ApiKey = {
  @description('Short unique name of the key (lowercase letters, digits, hyphens); names its Key Vault secret.')
  name: string

  @description('Tenant the key belongs to.')
  tenantId: string

  @description('Role granted to the key (tenant or operator, see the API contract).')
  role: 'tenant' | 'operator'
}

@export()
@description('App settings: setting name to value (plain text or a Key Vault reference).')
type AppSettings = {
  *: string
}

@export()
@description('Role assignment request: built-in role definition id and a short reason kept in the assignment description.')
type RoleGrant = {
  @description('Built-in role definition GUID.')
  roleDefinitionId: string

  @description('Why the app identity needs the role.')
  reason: string
}

@export()
@description('Resource tags: name to value.')
type Tags = {
  *: string
}

@export()
@secure()
@description('Secrets: Key Vault secret name to value; secure, so values never appear in deployment history.')
type SecretValues = {
  *: string
}
