namespace Aisto.Infrastructure.Runtime;

/// <summary>Finds the checkout this process runs from (the folder with AISTO's package.json), for local tools and data.</summary>
public static class RepositoryRoot
{
    private const string Marker = "\"name\": \"aisto-dev-tools\"";

    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var packageJson = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(packageJson) && File.ReadAllText(packageJson).Contains(Marker, StringComparison.Ordinal))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
