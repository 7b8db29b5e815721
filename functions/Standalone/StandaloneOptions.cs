namespace Aisto.Functions.Standalone;

/// <summary>How the standalone runtime serves (<c>Aisto:Standalone</c>).</summary>
public sealed class StandaloneOptions
{
    public const string Section = "Aisto:Standalone";

    public string Urls { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Start Azurite as a child process when the configured emulator endpoints do not answer.</summary>
    public bool StartStorageEmulator { get; set; } = true;

    /// <summary>Bring the dev chain up in the background at start (Hardhat child process, contracts deployed once).</summary>
    public bool StartDevChain { get; set; } = true;
}
