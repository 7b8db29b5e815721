namespace Aisto.Infra.Tests.Bicep;

/// <summary>Paths of the repository files the infrastructure tests read.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepositoryRoot => Root.Value;

    public static string BicepFolder => Path.Combine(RepositoryRoot, "infra", "bicep");

    public static string MainTemplate => Path.Combine(BicepFolder, "main.bicep");

    public static string SampleParameters => Path.Combine(BicepFolder, "main.bicepparam");

    public static string LocalSettingsSample => Path.Combine(RepositoryRoot, "local.settings.sample.json");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AISTO.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No AISTO.sln above {AppContext.BaseDirectory}.");
    }
}
