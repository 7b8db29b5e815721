namespace Aisto.Functions.Http;

/// <summary>API keys, stored as SHA-256 hashes (<c>Aisto:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Aisto:Auth";

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

/// <summary>One API key: the lowercase hex SHA-256 of the key, its tenant and role.</summary>
public sealed class ApiKeyOptions
{
    public string KeySha256 { get; set; } = "";
    public string TenantId { get; set; } = "";
    public CallerRole Role { get; set; } = CallerRole.Tenant;
}
