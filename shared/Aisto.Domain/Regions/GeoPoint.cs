namespace Aisto.Domain.Regions;

/// <summary>A point on Earth in degrees; used for latency-aware placement.</summary>
public readonly record struct GeoPoint(double Lat, double Lon)
{
    private const double EarthRadiusKm = 6371.0;

    /// <summary>Great-circle distance in kilometres (haversine).</summary>
    public double DistanceKmTo(GeoPoint other)
    {
        static double Rad(double deg) => deg * Math.PI / 180.0;
        var dLat = Rad(other.Lat - Lat);
        var dLon = Rad(other.Lon - Lon);
        var a = Math.Pow(Math.Sin(dLat / 2), 2)
              + Math.Cos(Rad(Lat)) * Math.Cos(Rad(other.Lat)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1.0, Math.Sqrt(a)));
    }

    /// <summary>
    /// Round-trip time estimate: light in fibre covers ~200 km per ms one way, real routes are ~1.5× the
    /// great-circle path, plus a fixed 5 ms for the last mile and the data-centre edge.
    /// </summary>
    public double EstimatedRttMsTo(GeoPoint other) => 5.0 + 2 * 1.5 * DistanceKmTo(other) / 200.0;
}
