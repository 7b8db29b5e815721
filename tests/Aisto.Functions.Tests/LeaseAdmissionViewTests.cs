using Aisto.Domain.Regions;
using Aisto.Domain.Scheduling;
using Aisto.Domain.Scheduling.Pools;
using Aisto.Orchestrations.Leases;
using Aisto.Orchestrations.Regions;
using Microsoft.Extensions.Time.Testing;

namespace Aisto.Functions.Tests;

/// <summary>
/// How requests share admission walks (<see cref="LeaseAdmission.ViewAsync"/>): a lease must find itself in the walk it
/// is answered from, and a burst of new leases must not cost one walk each. Stores are fakes that count queue reads
/// (one per walk) and can hold a walk mid-read.
/// </summary>
public sealed class LeaseAdmissionViewTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Leases_created_while_a_walk_runs_share_one_next_walk_that_knows_them_all()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new QueueStore(Enumerable.Range(0, 3).Select(i => Queued($"old-{i}")));
        var admission = Admission(store, clock);

        // A walk is under way (held in its queue read) when three new leases arrive.
        var held = store.HoldNextRead();
        var first = admission.ViewAsync("old-0", CancellationToken.None);
        await held.Reached;
        clock.Advance(TimeSpan.FromMilliseconds(10));
        var newcomers = new[] { "new-a", "new-b", "new-c" };
        foreach (var id in newcomers)
        {
            store.Add(Queued(id));
        }

        var views = newcomers.Select(id => admission.ViewAsync(id, CancellationToken.None)).ToList();
        held.Release();
        await first;
        var answered = await Task.WhenAll(views);

        // Each newcomer is placed by a walk that read the queue after it arrived, and one such walk served all three.
        Assert.All(newcomers.Zip(answered), pair => Assert.NotNull(pair.Second.Walk.PositionOf(pair.First)));
        Assert.Equal(2, store.Reads);
        Assert.Single(answered.Distinct());
    }

    [Fact]
    public async Task A_lease_the_recent_walk_knows_is_answered_from_it_without_walking_again()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new QueueStore([Queued("a"), Queued("b")]);
        var admission = Admission(store, clock);

        var first = await admission.ViewAsync("a", CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var second = await admission.ViewAsync("b", CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(1, store.Reads);

        // Past the shared walk's age, a request walks afresh.
        clock.Advance(new LeaseOptions().QueuePositionMaxAge);
        var third = await admission.ViewAsync("b", CancellationToken.None);
        Assert.NotSame(first, third);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_stop_the_walk_others_wait_for()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new QueueStore([Queued("a"), Queued("b")]);
        var admission = Admission(store, clock);
        var held = store.HoldNextRead();
        using var givingUp = new CancellationTokenSource();

        var impatient = admission.ViewAsync("a", givingUp.Token);
        var patient = admission.ViewAsync("b", CancellationToken.None);
        await held.Reached;
        await givingUp.CancelAsync();
        held.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.Equal(2, (await patient).Walk.PositionOf("b"));
    }

    private static LeaseAdmission Admission(QueueStore store, TimeProvider clock) =>
        new(store, new NoNodes(), new NoRegions(), new NearestBestFitPlacement(), new PoolQuotas(), clock);

    private static QueuedLease Queued(string id) => new(id, "tenant-a", "H100", null, Start, Waiting: true);

    /// <summary>The lease queue only; a read can be held (after it read) until released, to catch a walk mid-way.</summary>
    private sealed class QueueStore(IEnumerable<QueuedLease> queued) : ILeaseStore
    {
        private readonly List<QueuedLease> queue = [.. queued];
        private readonly Lock gate = new();
        private Hold? hold;
        private int reads;

        public int Reads => Volatile.Read(ref reads);

        public void Add(QueuedLease lease)
        {
            lock (gate)
            {
                queue.Add(lease);
            }
        }

        public Hold HoldNextRead() => hold = new Hold();

        public async Task<IReadOnlyList<QueuedLease>> ListQueuedAsync(int max, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref reads);
            List<QueuedLease> read;
            lock (gate)
            {
                read = [.. queue.Take(max)];
            }

            // Held after reading: what the walk saw is fixed before the leases that arrive meanwhile.
            if (Interlocked.Exchange(ref hold, null) is { } h)
            {
                h.Arrive();
                await h.Released;
            }

            return read;
        }


        public Task<bool> TryCreateAsync(LeaseRecord lease, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LeaseRecord?> GetAsync(string tenantId, string leaseId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LeaseRecord?> FindAsync(string leaseId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LeasePage> ListAsync(string tenantId, Domain.Leases.LeaseStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task MarkWaitingAsync(string leaseId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LeaseRecord> UpdateAsync(string leaseId, Func<LeaseRecord, LeaseRecord> change, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private sealed class Hold
    {
        private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => reached.Task;

        public Task Released => released.Task;

        public void Arrive() => reached.TrySetResult();

        public void Release() => released.TrySetResult();
    }

    private sealed class NoNodes : IInventoryStore
    {
        public Task<IReadOnlyList<NodeVersion>> ViewNodesAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<NodeVersion>>([]);

        public Task<IReadOnlyList<NodeVersion>> ListNodesAsync(CancellationToken cancellationToken = default) => ViewNodesAsync(cancellationToken);

        public Task<IReadOnlyList<RegionSnapshot>> SnapshotAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task EnsureNodeAsync(NodeState node, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryReplaceAsync(NodeVersion expected, NodeState updated, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<NodeVersion?> GetNodeAsync(string region, string nodeId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TrySetCordonedAsync(NodeVersion expected, bool cordoned, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryRemoveAsync(NodeVersion expected, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class NoRegions : IRegionDirectory
    {
        public IReadOnlyList<RegionInfo> Regions => [];

        public IRegion Get(string regionId) => throw new NotSupportedException();

        public bool IsUp(string regionId) => true;
    }
}
