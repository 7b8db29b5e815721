namespace Aisto.Domain.Regions;

/// <summary>A data-centre region the platform places work in.</summary>
public sealed record RegionInfo(string Id, string DisplayName, GeoPoint Location);
