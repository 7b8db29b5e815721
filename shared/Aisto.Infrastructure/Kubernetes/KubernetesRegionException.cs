namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// A Kubernetes call that failed for good (refused, invalid, or still failing after its retries): the message says
/// which region, what was attempted and the API server's answer, and becomes the lease's failure reason.
/// </summary>
public class KubernetesRegionException : Exception
{
    public KubernetesRegionException()
    {
    }

    public KubernetesRegionException(string message)
        : base(message)
    {
    }

    public KubernetesRegionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesRegionException(string region, string operation, int? statusCode, string message, Exception? innerException = null)
        : base($"Kubernetes region {region}: {operation} failed{(statusCode is { } code ? $" ({code})" : "")}: {message}", innerException)
    {
        Region = region;
        StatusCode = statusCode;
    }

    public string? Region { get; }

    /// <summary>The HTTP status of the API server's last answer, when there was one.</summary>
    public int? StatusCode { get; }
}

/// <summary>The region's API server is failing its health checks: nothing is sent to it until it recovers.</summary>
public sealed class RegionUnavailableException : KubernetesRegionException
{
    public RegionUnavailableException()
    {
    }

    public RegionUnavailableException(string message)
        : base(message)
    {
    }

    public RegionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
