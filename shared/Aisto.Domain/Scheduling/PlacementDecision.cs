namespace Aisto.Domain.Scheduling;

/// <summary>Where a workload goes: a region and a node in it.</summary>
public sealed record PlacementDecision(string Region, string NodeId, double EstimatedLatencyMs);
