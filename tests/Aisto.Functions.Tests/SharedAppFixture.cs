using System.Security.Cryptography;
using System.Text;

namespace Aisto.Functions.Tests;

/// <summary>
/// One standalone app shared by the tests of a class (an app start costs seconds), with two more tenant keys so
/// tests that need a tenant of their own do not see each other's grants or leases.
/// </summary>
public sealed class SharedAppFixture : IAsyncLifetime
{
    public const string TenantC = "aisto-test-tenant-c";
    public const string TenantD = "aisto-test-tenant-d";

    public AppHarness App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await AppHarness.StartAsync(new Dictionary<string, string?>
    {
        ["Aisto:Auth:ApiKeys:3:KeySha256"] = Sha256(TenantC),
        ["Aisto:Auth:ApiKeys:3:TenantId"] = "tenant-c",
        ["Aisto:Auth:ApiKeys:4:KeySha256"] = Sha256(TenantD),
        ["Aisto:Auth:ApiKeys:4:TenantId"] = "tenant-d",
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>A client with a patient timeout: on a loaded machine the shared emulator can take tens of seconds.</summary>
    public HttpClient Client(string? apiKey = AppHarness.TenantA)
    {
        var client = App.Client(apiKey);
        client.Timeout = TimeSpan.FromMinutes(3);
        return client;
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
