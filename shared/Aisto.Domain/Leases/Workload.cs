namespace Aisto.Domain.Leases;

/// <summary>The container a lease runs: image, command and environment.</summary>
public sealed record Workload(string Image, IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Env);
