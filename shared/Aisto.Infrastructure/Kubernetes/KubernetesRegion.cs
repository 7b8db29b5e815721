using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Aisto.Orchestrations.Regions;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RegionInfo = Aisto.Domain.Regions.RegionInfo;

namespace Aisto.Infrastructure.Kubernetes;

/// <summary>
/// A region driven through its Kubernetes cluster: a namespace per tenant (quota and limits from the tenant's
/// limits), one Job per lease pinned to the booked node, readiness from a pod watch (polling the API when the watch
/// is not synced), teardown with foreground propagation, inventory from the nodes, and node pools as Cluster API
/// MachineDeployments scaled through their scale subresource. Every call is idempotent and goes through
/// <see cref="KubernetesCalls"/> (Polly retries where safe).
/// </summary>
public sealed class KubernetesRegion : IRegion, IAsyncDisposable
{
    public const string ClusterApiGroup = "cluster.x-k8s.io";
    public const string ClusterApiVersion = "v1beta1";

    private readonly IKubernetes client;
    private readonly KubernetesClusterOptions cluster;
    private readonly KubernetesWorkloads workloads;
    private readonly KubernetesOptions options;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, bool> tenantsReady = new(StringComparer.Ordinal);
    private readonly Lock healthLock = new();
    private int consecutiveFailures;

    public KubernetesRegion(
        RegionInfo info, IKubernetes client, KubernetesClusterOptions cluster, KubernetesOptions options, ILogger logger, TimeProvider clock)
    {
        Info = info;
        this.client = client;
        this.cluster = cluster;
        this.options = options;
        this.logger = logger;
        workloads = new KubernetesWorkloads(options);
        Calls = new KubernetesCalls(info.Id, options, logger, clock);
        Pods = new LeasePodWatch(client, info.Id, logger);
    }

    public RegionInfo Info { get; }

    public KubernetesCalls Calls { get; }

    public LeasePodWatch Pods { get; }

    /// <summary>False once <see cref="KubernetesOptions.HealthFailureThreshold"/> probes in a row failed; true again after one success.</summary>
    public bool IsUp { get; private set; } = true;

    /// <summary>Why the last probe failed, while the region is down.</summary>
    public string? DownReason { get; private set; }

    /// <summary>Why the last probe failed, or null when it passed.</summary>
    public string? LastProbeFailure { get; private set; }

    /// <summary>Teardowns skipped because the region was down; reconciliation deletes those workloads later.</summary>
    public int DeferredTeardowns { get; private set; }

    public async Task<WorkloadState> ProvisionAsync(WorkloadSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ThrowIfDown();
        await EnsureTenantAsync(spec.TenantId, cancellationToken);
        var job = workloads.Job(spec);
        var ns = job.Metadata.NamespaceProperty;
        await Calls.RunAsync($"create Job {ns}/{job.Metadata.Name}", async token =>
        {
            try
            {
                await client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: token);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // AlreadyExists: created by an earlier attempt of this activity.
            }
        }, cancellationToken);
        Pods.EnsureStarted();
        logger.LogInformation("Kubernetes region {Region}: Job {Namespace}/{Job} for lease {LeaseId} on {Node}", Info.Id, ns, job.Metadata.Name, spec.LeaseId, spec.NodeId);
        return await GetWorkloadStateAsync(spec.LeaseId, cancellationToken);
    }

    public async Task<WorkloadState> GetWorkloadStateAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        Pods.EnsureStarted();
        if (Pods.TryGet(leaseId, out var watched) && watched is not null)
        {
            return StateOf(watched);
        }

        // Poll: the watch has not seen a pod (not synced yet, or the Job has not made one).
        var jobs = await ListJobsAsync(leaseId, cancellationToken);
        if (jobs.Count == 0)
        {
            return new WorkloadState(WorkloadPhase.NotFound);
        }

        var job = jobs[0];
        if (job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
        {
            return new WorkloadState(WorkloadPhase.Failed, $"{failed.Reason}: {failed.Message}");
        }

        var pods = await Calls.RunAsync($"list pods of lease {leaseId}", token =>
            client.CoreV1.ListNamespacedPodAsync(job.Metadata.NamespaceProperty, labelSelector: $"{KubernetesLabels.LeaseId}={leaseId}", cancellationToken: token),
            cancellationToken);
        var pod = pods.Items.OrderBy(p => p.Metadata.CreationTimestamp).LastOrDefault();
        return pod is null ? new WorkloadState(WorkloadPhase.Pending) : StateOf(pod);
    }

    public async Task TeardownAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        if (!IsUp)
        {
            // Nothing reaches the cluster now; the lease may end anyway. Its Job becomes an orphan that reconciliation
            // deletes once the region is back.
            DeferredTeardowns++;
            logger.LogWarning("Kubernetes region {Region} is down: teardown of lease {LeaseId} deferred to reconciliation", Info.Id, leaseId);
            return;
        }

        foreach (var job in await ListJobsAsync(leaseId, cancellationToken))
        {
            await DeleteJobAsync(job.Metadata.NamespaceProperty, job.Metadata.Name, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<RegionNode>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        var nodes = await Calls.RunAsync("list nodes", token => client.CoreV1.ListNodeAsync(cancellationToken: token), cancellationToken);
        var result = new List<RegionNode>();
        foreach (var node in nodes.Items.Where(IsSchedulable))
        {
            var model = workloads.ModelOfProduct(LabelOf(node.Metadata, KubernetesLabels.GpuProduct));
            var gpus = GpuCountOf(node);
            if (model is null || gpus <= 0)
            {
                continue;
            }

            var allocatable = node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
            result.Add(new RegionNode(
                node.Metadata.Name,
                model,
                gpus,
                (int)Math.Round(allocatable.TryGetValue("cpu", out var cpu) ? cpu.ToDecimal() * 1000m : 0m),
                (long)(allocatable.TryGetValue("memory", out var memory) ? memory.ToDecimal() / (1024m * 1024m) : 0m)));
        }

        return result;
    }

    public async Task<IReadOnlyList<NodePoolStatus>> ListNodePoolsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        var deployments = await Calls.RunAsync("list MachineDeployments", token =>
            client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
                ClusterApiGroup, ClusterApiVersion, cluster.ClusterApiNamespace, "machinedeployments", cancellationToken: token),
            cancellationToken);
        var nodes = await Calls.RunAsync("list nodes", token => client.CoreV1.ListNodeAsync(cancellationToken: token), cancellationToken);
        var pools = new List<NodePoolStatus>();
        foreach (var md in Items(deployments))
        {
            var name = md.GetProperty("metadata").GetProperty("name").GetString() ?? "";
            var annotations = StringMap(md.GetProperty("metadata"), "annotations");
            var members = nodes.Items
                .Where(n => LabelOf(n.Metadata, options.NodePoolLabel) == name)
                .ToList();
            var first = members.FirstOrDefault();
            var model = workloads.ModelOfProduct(first is null ? null : LabelOf(first.Metadata, KubernetesLabels.GpuProduct))
                ?? annotations.GetValueOrDefault(KubernetesLabels.GpuModelHint) ?? "";
            var gpusPerNode = first is not null ? GpuCountOf(first) : IntOf(annotations.GetValueOrDefault(KubernetesLabels.GpuCountHint), 0);
            var desired = md.TryGetProperty("spec", out var spec) && spec.TryGetProperty("replicas", out var replicas) ? replicas.GetInt32() : 0;
            var ready = md.TryGetProperty("status", out var status) && status.TryGetProperty("readyReplicas", out var r) ? r.GetInt32() : 0;
            pools.Add(new NodePoolStatus(
                name, model, gpusPerNode, ready, desired,
                IntOf(annotations.GetValueOrDefault(KubernetesLabels.MinSize), 0),
                IntOf(annotations.GetValueOrDefault(KubernetesLabels.MaxSize), Math.Max(desired, ready))));
        }

        return pools;
    }

    /// <summary>
    /// Scale-in first marks the named nodes' Machines with <c>cluster.x-k8s.io/delete-machine</c>, so the
    /// MachineDeployment removes exactly those; then the scale subresource gets the absolute replica count.
    /// </summary>
    public async Task ScaleNodePoolAsync(NodePoolScaleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDown();
        if (request.NodesToRemove.Count > 0)
        {
            var machines = await Calls.RunAsync($"list Machines of {request.PoolId}", token =>
                client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
                    ClusterApiGroup, ClusterApiVersion, cluster.ClusterApiNamespace, "machines",
                    labelSelector: $"{KubernetesLabels.MachineDeploymentName}={request.PoolId}", cancellationToken: token),
                cancellationToken);
            foreach (var machine in Items(machines))
            {
                var nodeName = machine.TryGetProperty("status", out var status) && status.TryGetProperty("nodeRef", out var nodeRef) &&
                    nodeRef.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (nodeName is null || !request.NodesToRemove.Contains(nodeName, StringComparer.Ordinal))
                {
                    continue;
                }

                var machineName = machine.GetProperty("metadata").GetProperty("name").GetString()!;
                var patch = new V1Patch(
                    new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["annotations"] = new Dictionary<string, string> { [KubernetesLabels.DeleteMachine] = "aisto" } } },
                    V1Patch.PatchType.MergePatch);
                await Calls.RunAsync($"mark Machine {machineName} for deletion", token =>
                    client.CustomObjects.PatchNamespacedCustomObjectAsync(
                        patch, ClusterApiGroup, ClusterApiVersion, cluster.ClusterApiNamespace, "machines", machineName, cancellationToken: token),
                    cancellationToken);
            }
        }

        var scale = new V1Patch(
            new Dictionary<string, object> { ["spec"] = new Dictionary<string, int> { ["replicas"] = request.DesiredNodes } },
            V1Patch.PatchType.MergePatch);
        await Calls.RunAsync($"scale MachineDeployment {request.PoolId} to {request.DesiredNodes}", token =>
            client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(
                scale, ClusterApiGroup, ClusterApiVersion, cluster.ClusterApiNamespace, "machinedeployments", request.PoolId, cancellationToken: token),
            cancellationToken);
        logger.LogInformation(
            "Kubernetes region {Region}: node pool {Pool} asked for {Nodes} nodes (removing {Removed})",
            Info.Id, request.PoolId, request.DesiredNodes, string.Join(',', request.NodesToRemove));
    }

    /// <summary>Every Job labelled with a lease id, in every namespace (what reconciliation compares with the lease store).</summary>
    public async Task<IReadOnlyList<V1Job>> ListLeaseJobsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        var jobs = await Calls.RunAsync("list lease Jobs", token =>
            client.BatchV1.ListJobForAllNamespacesAsync(labelSelector: KubernetesLabels.LeaseId, cancellationToken: token), cancellationToken);
        return [.. jobs.Items];
    }

    /// <summary>Pods not run by AISTO that hold GPUs, per node: the capacity the booking sheet must not hand out.</summary>
    public async Task<IReadOnlyList<ExternalGpuPod>> ListExternalGpuPodsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        var pods = await Calls.RunAsync("list pods", token => client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: token), cancellationToken);
        var names = workloads.GpuResourceNames().ToList();
        var result = new List<ExternalGpuPod>();
        foreach (var pod in pods.Items)
        {
            if (pod.Metadata.Labels?.ContainsKey(KubernetesLabels.LeaseId) == true ||
                string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            var milli = 0;
            foreach (var limits in pod.Spec.Containers.Select(c => c.Resources?.Limits).OfType<IDictionary<string, ResourceQuantity>>())
            {
                foreach (var (resource, quantity) in limits.Where(l => names.Contains(l.Key, StringComparer.Ordinal)))
                {
                    milli += (int)quantity.ToDecimal() * workloads.MilliOfResource(resource);
                }
            }

            if (milli > 0)
            {
                result.Add(new ExternalGpuPod($"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}", pod.Spec.NodeName, milli));
            }
        }

        return result;
    }

    public Task DeleteJobAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        Calls.RunAsync($"delete Job {ns}/{name}", async token =>
        {
            try
            {
                // Foreground: the Job is gone only after its pods are, so the GPUs are free when teardown returns.
                await client.BatchV1.DeleteNamespacedJobAsync(
                    name, ns, new V1DeleteOptions { PropagationPolicy = "Foreground" }, cancellationToken: token);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        }, cancellationToken);

    /// <summary>Probes the API server once (GET /version); updates <see cref="IsUp"/>. Returns whether the probe passed.</summary>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken = default)
    {
        string? failure = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            await client.Version.GetCodeAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = "the API server did not answer in time";
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or JsonException)
        {
            failure = e is HttpOperationException h ? $"{(int)h.Response.StatusCode} {h.Response.ReasonPhrase}" : e.Message;
        }

        lock (healthLock)
        {
            LastProbeFailure = failure;
            if (failure is null)
            {
                consecutiveFailures = 0;
                if (!IsUp)
                {
                    IsUp = true;
                    DownReason = null;
                    KubernetesMetrics.HealthTransitions.Add(1, new KeyValuePair<string, object?>("region", Info.Id), new KeyValuePair<string, object?>("to", "up"));
                    logger.LogWarning("Kubernetes region {Region} is up again", Info.Id);
                }

                return true;
            }

            consecutiveFailures++;
            if (IsUp && consecutiveFailures >= Math.Max(1, options.HealthFailureThreshold))
            {
                IsUp = false;
                DownReason = failure;
                KubernetesMetrics.HealthTransitions.Add(1, new KeyValuePair<string, object?>("region", Info.Id), new KeyValuePair<string, object?>("to", "down"));
                logger.LogError("Kubernetes region {Region} is down after {Failures} failed health checks: {Reason}", Info.Id, consecutiveFailures, failure);
            }

            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing the client aborts a watch request that is still waiting for its first line.
        var watch = Pods.DisposeAsync();
        client.Dispose();
        await watch;
    }

    /// <summary>A pod's phase as a lease sees it: running once ready; image and config errors fail at once.</summary>
    public static WorkloadState StateOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var waiting = pod.Status?.ContainerStatuses?.Select(c => c.State?.Waiting).FirstOrDefault(w => w is not null);
        switch (pod.Status?.Phase)
        {
            case "Running" when pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true:
            case "Succeeded":
                return new WorkloadState(WorkloadPhase.Running);
            case "Failed":
                var terminated = pod.Status.ContainerStatuses?.Select(c => c.State?.Terminated).FirstOrDefault(t => t is not null);
                return new WorkloadState(WorkloadPhase.Failed, terminated is null
                    ? pod.Status.Reason ?? "pod failed"
                    : $"{terminated.Reason} (exit code {terminated.ExitCode.ToString(CultureInfo.InvariantCulture)})");
            default:
                return waiting?.Reason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "CreateContainerConfigError" or "CreateContainerError"
                    ? new WorkloadState(WorkloadPhase.Failed, $"{waiting.Reason}: {waiting.Message}")
                    : new WorkloadState(WorkloadPhase.Pending);
        }
    }

    private async Task EnsureTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (tenantsReady.ContainsKey(tenantId))
        {
            return;
        }

        var ns = workloads.Namespace(tenantId);
        var name = ns.Metadata.Name;
        await Calls.RunAsync($"create Namespace {name}", async token =>
        {
            try
            {
                await client.CoreV1.CreateNamespaceAsync(ns, cancellationToken: token);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // AlreadyExists.
            }
        }, cancellationToken);

        // Quota and limits follow the tenant's current limits: create, or replace what is there.
        var quota = workloads.Quota(tenantId);
        await Calls.RunAsync($"apply ResourceQuota {name}", async token =>
        {
            try
            {
                await client.CoreV1.CreateNamespacedResourceQuotaAsync(quota, name, cancellationToken: token);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                var current = await client.CoreV1.ReadNamespacedResourceQuotaAsync(quota.Metadata.Name, name, cancellationToken: token);
                quota.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                await client.CoreV1.ReplaceNamespacedResourceQuotaAsync(quota, quota.Metadata.Name, name, cancellationToken: token);
            }
        }, cancellationToken);
        var limits = workloads.LimitRange(tenantId);
        await Calls.RunAsync($"apply LimitRange {name}", async token =>
        {
            try
            {
                await client.CoreV1.CreateNamespacedLimitRangeAsync(limits, name, cancellationToken: token);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                var current = await client.CoreV1.ReadNamespacedLimitRangeAsync(limits.Metadata.Name, name, cancellationToken: token);
                limits.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                await client.CoreV1.ReplaceNamespacedLimitRangeAsync(limits, limits.Metadata.Name, name, cancellationToken: token);
            }
        }, cancellationToken);
        tenantsReady[tenantId] = true;
    }

    private async Task<IList<V1Job>> ListJobsAsync(string leaseId, CancellationToken cancellationToken)
    {
        var jobs = await Calls.RunAsync($"find Job of lease {leaseId}", token =>
            client.BatchV1.ListJobForAllNamespacesAsync(labelSelector: $"{KubernetesLabels.LeaseId}={leaseId}", cancellationToken: token),
            cancellationToken);
        return jobs.Items;
    }

    private void ThrowIfDown()
    {
        if (!IsUp)
        {
            throw new RegionUnavailableException($"Kubernetes region {Info.Id} is down: {DownReason}");
        }
    }

    private static bool IsSchedulable(V1Node node) =>
        node.Spec?.Unschedulable != true &&
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static int GpuCountOf(V1Node node)
    {
        // GPU feature discovery's count is the physical GPUs, also when MIG or time-slicing rename the resource.
        if (LabelOf(node.Metadata, KubernetesLabels.GpuCount) is { } label &&
            int.TryParse(label, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        return node.Status?.Allocatable?.TryGetValue(KubernetesLabels.GpuResource, out var gpus) == true ? (int)gpus.ToDecimal() : 0;
    }

    private static string? LabelOf(V1ObjectMeta? metadata, string key) =>
        metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    private static IEnumerable<JsonElement> Items(JsonElement list) =>
        list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [];

    private static Dictionary<string, string> StringMap(JsonElement metadata, string property) =>
        metadata.TryGetProperty(property, out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static int IntOf(string? text, int fallback) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

/// <summary>A pod not run by AISTO that holds GPUs on a node, in thousandths of a GPU.</summary>
public sealed record ExternalGpuPod(string PodKey, string NodeName, int GpuMilli);
