using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Aisto.Functions.Http;

/// <summary>Per-key request limits (<c>Aisto:Auth:RateLimit</c>): a token bucket per API key.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Aisto:Auth:RateLimit";

    /// <summary>Requests a key may make per second, sustained.</summary>
    public int RequestsPerSecond { get; set; } = 300;

    /// <summary>Requests a key may make at once after being idle (the bucket's size).</summary>
    public int Burst { get; set; } = 600;
}

/// <summary>
/// Limits requests per API key with a token bucket (System.Threading.RateLimiting). Requests without a key share
/// one bucket per client address, so a flood of unauthenticated calls cannot starve keyed callers. Partitions are
/// keyed by a hash of the key, never the key itself. Both hosts call it before any function runs.
/// </summary>
public sealed class KeyRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public KeyRateLimiter(IOptions<RateLimitOptions> options)
    {
        var o = options.Value;
        limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(
            partition,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, o.Burst),
                TokensPerPeriod = Math.Max(1, o.RequestsPerSecond),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Null when the request may go on; otherwise the 429 answer, with Retry-After.</summary>
    public IResult? Check(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var lease = limiter.AttemptAcquire(PartitionOf(context.Request));
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Problem(
            StatusCodes.Status429TooManyRequests,
            "Too many requests.",
            $"This API key is over its request rate; retry after {seconds} s.",
            "https://aisto.dev/problems/rate-limited");
    }

    public void Dispose() => limiter.Dispose();

    private static string PartitionOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.Length == 0
            ? "ip:" + request.HttpContext.Connection.RemoteIpAddress
            : "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header)), 0, 16);
    }
}
