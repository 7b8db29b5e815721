using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// Keeps the pods of every lease in one cluster in memory: list, then watch from the list's resourceVersion. When the
/// server answers 410 Gone (the version was compacted away, as an ERROR event or as the watch's HTTP status) it lists
/// again and watches from the new version; a stream that ends is resumed from the last version seen. Until the first
/// list succeeds the cache is not synced and readers fall back to polling the API.
/// </summary>
public sealed class LeasePodWatch(IKubernetes client, string region, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, V1Pod> pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly Lock startLock = new();
    private Task? loop;
    private volatile bool synced;

    /// <summary>Lists made after a 410 Gone.</summary>
    public int GoneRestarts { get; private set; }

    /// <summary>Lists made in total (the first one included).</summary>
    public int Lists { get; private set; }

    public bool IsSynced => synced;

    /// <summary>Pause after a failed list or a broken stream before trying again.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public void EnsureStarted()
    {
        lock (startLock)
        {
            loop ??= Task.Run(() => RunAsync(stop.Token));
        }
    }

    /// <summary>The lease's pod as last seen, when the cache is synced and has one.</summary>
    public bool TryGet(string leaseId, out V1Pod? pod)
    {
        pod = null;
        return synced && pods.TryGetValue(leaseId, out pod);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            try
            {
                await loop.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // Stopping; a request that ignores cancellation ends when the client is disposed.
            }
        }

        stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        string? version = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                version ??= await ListAsync(cancellationToken);
                Exception? error = null;
                var watch = client.CoreV1.WatchListPodForAllNamespacesAsync(
                    allowWatchBookmarks: true, labelSelector: KubernetesLabels.LeaseId, resourceVersion: version, timeoutSeconds: 300,
                    onError: e => error = e, cancellationToken: cancellationToken);
                await foreach (var (type, pod) in watch)
                {
                    version = pod.Metadata?.ResourceVersion ?? version;
                    Apply(type, pod);
                }

                if (error is KubernetesException { Status.Code: 410 })
                {
                    version = Gone("an ERROR event");
                }
                else if (error is not null)
                {
                    logger.LogWarning(error, "Kubernetes region {Region}: pod watch error; resuming from {Version}", region, version);
                    await Task.Delay(ErrorBackoff, cancellationToken);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                version = Gone("HTTP 410");
            }
            catch (HttpRequestException e) when (e.InnerException is EndOfStreamException)
            {
                // The server closed a watch that had nothing to say (its timeout): resume from the last version.
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: the region disposes the client right after cancelling, so a request in flight may fail in
                // any way (seen: a NullReferenceException inside the client), not only by cancellation.
                return;
            }
            catch (Exception e) when (e is HttpRequestException or HttpOperationException or IOException or KubernetesException or TaskCanceledException)
            {
                // The stream broke or the list failed: readers poll until the next list succeeds.
                synced = false;
                version = null;
                KubernetesMetrics.WatchRestarts.Add(1, new KeyValuePair<string, object?>("region", region));
                logger.LogWarning(e, "Kubernetes region {Region}: pod watch failed ({Error}); listing again", region, e.Message);
                await Task.Delay(ErrorBackoff, cancellationToken);
            }
        }
    }

    private string? Gone(string how)
    {
        GoneRestarts++;
        KubernetesMetrics.WatchRestarts.Add(1, new KeyValuePair<string, object?>("region", region));
        logger.LogInformation("Kubernetes region {Region}: pod watch expired (410 Gone, {How}); listing again", region, how);
        return null;
    }

    private async Task<string?> ListAsync(CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: KubernetesLabels.LeaseId, cancellationToken: cancellationToken);
        var fresh = list.Items
            .Where(p => p.Metadata?.Labels?.ContainsKey(KubernetesLabels.LeaseId) == true)
            .GroupBy(p => p.Metadata.Labels[KubernetesLabels.LeaseId], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.Metadata.CreationTimestamp).Last(), StringComparer.Ordinal);
        foreach (var gone in pods.Keys.Where(k => !fresh.ContainsKey(k)).ToList())
        {
            pods.TryRemove(gone, out _);
        }

        foreach (var (lease, pod) in fresh)
        {
            pods[lease] = pod;
        }

        Lists++;
        synced = true;
        return list.Metadata?.ResourceVersion;
    }

    private void Apply(WatchEventType type, V1Pod pod)
    {
        if (pod.Metadata?.Labels is not { } labels || !labels.TryGetValue(KubernetesLabels.LeaseId, out var lease))
        {
            return;
        }

        switch (type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                pods[lease] = pod;
                break;
            case WatchEventType.Deleted:
                if (pods.TryGetValue(lease, out var cached) && cached.Metadata?.Uid == pod.Metadata?.Uid)
                {
                    pods.TryRemove(lease, out _);
                }

                break;
            default:
                break;
        }
    }
}
