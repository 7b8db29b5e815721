using System.Globalization;
using System.Net;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// Runs calls to one cluster through a Polly pipeline: an overall timeout, retries with exponential backoff and
/// jitter for what is transient (429 honouring Retry-After, 500/502/503/504, timeouts, connection failures), and a
/// per-attempt timeout. Every call AISTO makes is safe to repeat (creates tolerate AlreadyExists, deletes NotFound,
/// scaling sets an absolute count), so all of them may be retried. What is not transient (400, 401, 403, 404, 409,
/// 422) fails at once as a <see cref="KubernetesRegionException"/> naming region, operation and the server's answer.
/// </summary>
public sealed class KubernetesCalls
{
    private readonly string region;
    private readonly ResiliencePipeline pipeline;

    public KubernetesCalls(string region, KubernetesOptions options, ILogger logger, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.region = region;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddTimeout(options.OperationTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder()
                    .Handle<HttpOperationException>(e => IsTransient((int)e.Response.StatusCode))
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>(),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
                OnRetry = args =>
                {
                    Retries++;
                    KubernetesMetrics.Retries.Add(1, new KeyValuePair<string, object?>("region", region));
                    logger.LogWarning(
                        "Kubernetes region {Region}: retry {Attempt} after {Delay} ({Error})",
                        region, args.AttemptNumber + 1, args.RetryDelay, Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    /// <summary>Retries made so far (for tests and the docs' figures).</summary>
    public int Retries { get; private set; }

    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await pipeline.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesRegionException(region, operation, (int)e.Response.StatusCode, ServerMessage(e), e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new KubernetesRegionException(region, operation, null, "the API server did not answer in time", e);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesRegionException(region, operation, null, $"the API server is unreachable ({e.Message})", e);
        }
    }

    public Task RunAsync(string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(operation, async token =>
        {
            await call(token);
            return true;
        }, cancellationToken);

    public static bool IsStatus(Exception e, HttpStatusCode status) =>
        e is HttpOperationException { Response: { } response } && response.StatusCode == status;

    private static bool IsTransient(int status) => status is 429 or 500 or 502 or 503 or 504;

    private static TimeSpan? RetryAfter(Exception? e)
    {
        if (e is HttpOperationException { Response: { StatusCode: (HttpStatusCode)429 } response } &&
            response.Headers is { } headers &&
            headers.TryGetValue("Retry-After", out var values) &&
            int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 30));
        }

        return null;
    }

    private static string Describe(Exception? e) => e switch
    {
        HttpOperationException h => $"{(int)h.Response.StatusCode} {ServerMessage(h)}",
        null => "no exception",
        _ => e.Message,
    };

    private static string ServerMessage(HttpOperationException e)
    {
        var body = e.Response.Content;
        if (!string.IsNullOrEmpty(body))
        {
            try
            {
                var status = k8s.KubernetesJson.Deserialize<k8s.Models.V1Status>(body);
                if (!string.IsNullOrEmpty(status?.Message))
                {
                    return $"{status.Reason}: {status.Message}";
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a Status object: fall back to the reason phrase.
            }
        }

        return e.Response.ReasonPhrase ?? e.Message;
    }
}
