namespace Aisto.Infra.Tests.Bicep;

/// <summary>
/// How a local setting appears on the Function app in Azure.
/// <list type="bullet">
/// <item>Most keys keep their name: `__` is the section separator both locally and in Azure app settings (a `:` in a
/// local key becomes `__`, because Linux app settings cannot contain `:`).</item>
/// <item>AzureWebJobsStorage is a connection string locally (Azurite). The storage account in Azure has shared keys
/// off, so the template gives its identity-based form: AzureWebJobsStorage__accountName and __credential.</item>
/// <item>FUNCTIONS_WORKER_RUNTIME is rejected as an app setting on Flex Consumption; the site carries it as
/// functionAppConfig.runtime.name, which must equal the local value.</item>
/// </list>
/// </summary>
public static class AppSettingNames
{
    public const string WorkerRuntime = "FUNCTIONS_WORKER_RUNTIME";

    private static readonly IReadOnlyDictionary<string, string[]> IdentityBasedEquivalents = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage"] = ["AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential"],
        [WorkerRuntime] = [],
    };

    /// <summary>The app setting names that must exist in Azure for one local key (empty: carried elsewhere).</summary>
    public static IReadOnlyList<string> InAzure(string localKey) =>
        IdentityBasedEquivalents.TryGetValue(localKey, out var names) ? names : [localKey.Replace(":", "__", StringComparison.Ordinal)];
}
