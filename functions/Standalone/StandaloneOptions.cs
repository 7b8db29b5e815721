namespace Aisto.Functions.Standalone;

/// <summary>How the standalone runtime serves (<c>Aisto:Standalone</c>).</summary>
public sealed class StandaloneOptions
{
    public const string Section = "Aisto:Standalone";

    public string Urls { get; set; } = "http://127.0.0.1:7071";

    /// <summary>Start Azurite as a child process when the configured emulator endpoints do not answer.</summary>
    public bool StartStorageEmulator { get; set; } = true;

    /// <summary>
    /// Where the emulator this runtime starts keeps its data: <c>Disk</c> (the repository's <c>.azurite</c>, kept across
    /// runs) or <c>Memory</c> (gone when it stops; Azurite then no longer rewrites its whole database file every few
    /// seconds, which is what load tests want to measure without).
    /// </summary>
    public string StorageEmulatorData { get; set; } = "Disk";

    /// <summary>Bring the dev chain up in the background at start (Hardhat child process, contracts deployed once).</summary>
    public bool StartDevChain { get; set; } = true;
}
