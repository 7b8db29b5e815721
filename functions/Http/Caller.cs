namespace Aisto.Functions.Http;

/// <summary>Who is calling: the tenant an API key belongs to and its role.</summary>
public sealed record Caller(string TenantId, CallerRole Role)
{
    public bool IsOperator => Role == CallerRole.Operator;
}

/// <summary>What an API key may do.</summary>
public enum CallerRole
{
    Tenant,
    Operator,
}
