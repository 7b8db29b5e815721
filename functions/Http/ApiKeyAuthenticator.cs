using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Http;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;key&gt;</c> to a <see cref="Caller"/> by hashing the key and comparing it
/// in constant time with the configured hashes; keys themselves are never stored.
/// </summary>
public sealed class ApiKeyAuthenticator(IOptions<AuthOptions> options)
{
    private const int MaxKeyLength = 256;

    private readonly (byte[] Hash, Caller Caller)[] keys = [.. options.Value.ApiKeys
        .Where(k => k.KeySha256.Length == 64 && !string.IsNullOrWhiteSpace(k.TenantId))
        .Select(k => (Convert.FromHexString(k.KeySha256), new Caller(k.TenantId, k.Role)))];

    public Caller? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length > scheme.Length + MaxKeyLength)
        {
            return null;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        Caller? found = null;
        foreach (var (expected, caller) in keys)
        {
            if (CryptographicOperations.FixedTimeEquals(expected, hash))
            {
                found = caller;
            }
        }

        return found;
    }

    public static string HashOf(string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
}
