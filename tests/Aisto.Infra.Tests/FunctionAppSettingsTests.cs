using Aisto.Infra.Tests.Bicep;

namespace Aisto.Infra.Tests;

/// <summary>
/// Every setting the app reads locally (local.settings.sample.json "Values", read at test time so new keys are
/// checked as they are added) is configured on the Function app the template deploys. The name mapping between
/// local keys and Azure app settings is documented on <see cref="AppSettingNames"/>.
/// </summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class FunctionAppSettingsTests(CompiledInfrastructure infra)
{
    private static readonly string[] SecretNameParts = ["PrivateKey", "KeySha256", "Secret", "Password"];

    [Fact]
    public void Every_local_setting_is_an_app_setting_of_the_function_app()
    {
        var appSettings = infra.FunctionAppSettings.Select(pair => pair.Key).ToHashSet(StringComparer.Ordinal);

        var missing = LocalSettingsSample.Values().Keys
            .SelectMany(localKey => AppSettingNames.InAzure(localKey).Select(azureName => (localKey, azureName)))
            .Where(pair => !appSettings.Contains(pair.azureName))
            .Select(pair => pair.localKey == pair.azureName ? pair.localKey : $"{pair.localKey} (as {pair.azureName})")
            .ToList();

        Assert.True(
            missing.Count == 0,
            $"Settings missing from the Function app (add one line to `appSettings` in infra/bicep/main.bicep): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Local_worker_runtime_is_the_runtime_of_the_flex_consumption_app()
    {
        var local = LocalSettingsSample.Values()[AppSettingNames.WorkerRuntime];

        var runtime = infra.FunctionApp["properties"]?["functionAppConfig"]?["runtime"];

        Assert.Equal(local, (string?)runtime?["name"]);
        Assert.False(infra.FunctionAppSettings.ContainsKey(AppSettingNames.WorkerRuntime), "Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME as an app setting.");
    }

    [Fact]
    public void Host_storage_connects_with_the_managed_identity()
    {
        var settings = infra.FunctionAppSettings;

        Assert.Equal("managedidentity", (string?)settings["AzureWebJobsStorage__credential"]);
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "A key-based AzureWebJobsStorage would need shared keys, which are off.");
    }

    [Fact]
    public void Settings_that_hold_secrets_are_key_vault_references()
    {
        var secretSettings = infra.FunctionAppSettings
            .Where(pair => SecretNameParts.Any(part => pair.Key.Contains(part, StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(secretSettings);
        Assert.All(secretSettings, pair => Assert.Contains("@Microsoft.KeyVault(", (string?)pair.Value, StringComparison.Ordinal));
    }
}
