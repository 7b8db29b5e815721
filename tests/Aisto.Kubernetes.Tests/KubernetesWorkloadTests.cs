using System.Net;
using Aisto.Infrastructure.Kubernetes;
using Aisto.Orchestrations.Regions;
using static Aisto.Kubernetes.Tests.ClusterBuilder;

namespace Aisto.Kubernetes.Tests;

/// <summary>Workloads through KubernetesClient against the in-test API server: create, ready, teardown, idempotency, errors.</summary>
public sealed class KubernetesWorkloadTests : IAsyncLifetime
{
    private FakeKubernetesApi api = null!;
    private KubernetesRegion region = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync();
        region = Region(api);
    }

    public async Task DisposeAsync()
    {
        await region.DisposeAsync();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task A_lease_gets_its_tenant_namespace_quota_limits_and_one_job_that_runs_once_its_pod_is_ready_and_is_torn_down_in_the_foreground()
    {
        var spec = WholeGpuLease();

        await region.ProvisionAsync(spec);
        var pending = await region.GetWorkloadStateAsync(spec.LeaseId);
        api.MakePodReady(spec.LeaseId);
        await EventuallyAsync(async () => (await region.GetWorkloadStateAsync(spec.LeaseId)).Phase == WorkloadPhase.Running, "the watch reports the pod ready");
        await region.TeardownAsync(spec.LeaseId);

        Assert.Equal(WorkloadPhase.Pending, pending.Phase);
        var ns = api.Get("namespaces", null, "aisto-tenant-a")!;
        Assert.Equal("tenant-a", (string?)ns["metadata"]!["labels"]!["aisto.io/tenant"]);
        Assert.Equal("16", (string?)api.Get("resourcequotas", "aisto-tenant-a", KubernetesWorkloads.QuotaName)!["spec"]!["hard"]!["requests.nvidia.com/gpu"]);
        Assert.NotNull(api.Get("limitranges", "aisto-tenant-a", KubernetesWorkloads.LimitRangeName));
        Assert.Empty(api.List("jobs"));
        Assert.Empty(api.List("pods"));
        Assert.Contains(api.Requests, r => r.Method == "DELETE" && r.Target.Contains("/jobs/lse-0123456789abcdef01234567", StringComparison.Ordinal) && r.Body.Contains("\"Foreground\"", StringComparison.Ordinal));
        // The pod watch sees the deletion a moment after the API server did it.
        await EventuallyAsync(async () => (await region.GetWorkloadStateAsync(spec.LeaseId)).Phase == WorkloadPhase.NotFound, "the watch reports the pod gone");
        Assert.True(region.Pods.IsSynced, "readiness came from the pod watch");
    }

    [Fact]
    public async Task The_job_carries_the_lease_labels_whole_gpu_limits_model_affinity_gpu_tolerations_and_the_workload()
    {
        await region.ProvisionAsync(WholeGpuLease());

        var job = api.Get("jobs", "aisto-tenant-a", "lse-0123456789abcdef01234567")!;
        var pod = job["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal("lse_0123456789abcdef01234567", (string?)job["metadata"]!["labels"]!["aisto.io/lease-id"]);
        Assert.Equal("tenant-a", (string?)job["metadata"]!["labels"]!["aisto.io/tenant"]);
        Assert.Equal("leasing", (string?)job["metadata"]!["labels"]!["aisto.io/pool"]);
        Assert.Equal("2", (string?)container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal("ghcr.io/org/train:1.2", (string?)container["image"]);
        Assert.Equal("EPOCHS", (string?)container["env"]![0]!["name"]);
        Assert.Equal("NVIDIA-H100-80GB-HBM3", (string?)pod["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]![0]!["matchExpressions"]![0]!["values"]![0]);
        Assert.Equal("nvidia.com/gpu", (string?)pod["tolerations"]![0]!["key"]);
        Assert.Equal("gpu-h100-01", (string?)pod["nodeSelector"]!["kubernetes.io/hostname"]);
    }

    [Fact]
    public async Task A_share_of_a_gpu_asks_for_the_smallest_configured_mig_profile_that_covers_it()
    {
        await region.ProvisionAsync(FractionalGpuLease());

        var job = api.Get("jobs", "aisto-tenant-b", "lse-fedcba9876543210fedcba98")!;
        var limits = job["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!.AsObject();
        Assert.Equal("1", (string?)limits["nvidia.com/mig-3g.40gb"]);
        Assert.False(limits.ContainsKey("nvidia.com/gpu"));
    }

    [Fact]
    public async Task Provisioning_twice_tolerates_AlreadyExists_and_leaves_one_job()
    {
        var spec = WholeGpuLease();

        await region.ProvisionAsync(spec);
        await using var restarted = Region(api); // a new process: namespace, quota and job all exist already
        await restarted.ProvisionAsync(spec);

        Assert.Single(api.List("jobs"));
        Assert.Equal(2, api.Requests.Count(r => r.Method == "POST" && r.Target.EndsWith("/jobs", StringComparison.Ordinal)));
        Assert.Contains(api.Requests, r => r.Method == "PUT" && r.Target.Contains("/resourcequotas/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tearing_down_a_workload_that_is_gone_or_vanishes_midway_tolerates_NotFound()
    {
        var spec = WholeGpuLease();
        await region.TeardownAsync(spec.LeaseId);
        await region.ProvisionAsync(spec);
        api.Fail((method, path) => method == "DELETE" && path.Contains("/jobs/", StringComparison.Ordinal), 404);

        await region.TeardownAsync(spec.LeaseId);

        Assert.Contains(api.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_workload_with_the_kubelet_reason()
    {
        var spec = WholeGpuLease();
        await region.ProvisionAsync(spec);

        api.FailImagePull(spec.LeaseId);

        WorkloadState? state = null;
        await EventuallyAsync(async () => (state = await region.GetWorkloadStateAsync(spec.LeaseId)).Phase == WorkloadPhase.Failed, "the pull failure is seen");
        Assert.StartsWith("ErrImagePull: pull access denied", state!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_watch_lists_again_after_410_Gone_and_keeps_reporting_changes()
    {
        var spec = WholeGpuLease();
        await region.ProvisionAsync(spec);
        await EventuallyAsync(() => Task.FromResult(region.Pods.IsSynced), "the watch is synced");
        api.Modify("pods", "aisto-tenant-a", "lse-0123456789abcdef01234567-x7k2p", pod => pod["metadata"]!["annotations"] = new System.Text.Json.Nodes.JsonObject { ["seen"] = "1" });
        await EventuallyAsync(
            () => Task.FromResult(region.Pods.TryGet(spec.LeaseId, out var pod) && pod!.Metadata.Annotations?.ContainsKey("seen") == true),
            "the watch delivered an event");

        // The stream breaks; while the client reconnects the pod changes and the server compacts its history, so
        // resuming from the last version the client saw gets 410 Gone.
        api.HoldWatches(true);
        api.DropWatches();
        api.MakePodReady(spec.LeaseId);
        api.Compact();
        api.HoldWatches(false);

        await EventuallyAsync(() => Task.FromResult(region.Pods.GoneRestarts >= 1), "the watch restarted after 410");
        await EventuallyAsync(() => Task.FromResult(region.Pods.TryGet(spec.LeaseId, out var pod) && KubernetesRegion.StateOf(pod!).Phase == WorkloadPhase.Running), "the relisted cache has the ready pod");
        Assert.Contains(api.Requests, r => r.Target.Contains("watch=true", StringComparison.Ordinal));
        Assert.True(region.Pods.Lists >= 2);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_with_Retry_After()
    {
        var spec = WholeGpuLease();
        api.Fail((method, path) => method == "POST" && path.EndsWith("/jobs", StringComparison.Ordinal), 429, retryAfterSeconds: 0);
        api.Fail((method, path) => method == "POST" && path.EndsWith("/jobs", StringComparison.Ordinal), 503);

        await region.ProvisionAsync(spec);

        Assert.Single(api.List("jobs"));
        Assert.Equal(2, region.Calls.Retries);
    }

    [Fact]
    public async Task A_forbidden_call_fails_at_once_with_a_reason_naming_region_operation_and_status()
    {
        api.Fail((method, path) => method == "POST" && path.EndsWith("/jobs", StringComparison.Ordinal), (int)HttpStatusCode.Forbidden, times: 10);

        var error = await Assert.ThrowsAsync<KubernetesRegionException>(() => region.ProvisionAsync(WholeGpuLease()));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains("us-east", error.Message, StringComparison.Ordinal);
        Assert.Contains("create Job aisto-tenant-a/lse-0123456789abcdef01234567", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, region.Calls.Retries);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_times_out_each_attempt_and_fails_after_the_retries()
    {
        var options = Options();
        options.RequestTimeout = TimeSpan.FromSeconds(1);
        await using var impatient = Region(api, options);
        api.Fail((method, path) => path.EndsWith("/jobs", StringComparison.Ordinal) && method == "GET", 0, times: 10);

        var error = await Assert.ThrowsAsync<KubernetesRegionException>(() => impatient.ListLeaseJobsAsync());

        Assert.Contains("did not answer in time", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, impatient.Calls.Retries);
    }
}
