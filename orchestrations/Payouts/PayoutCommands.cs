using System.Globalization;
using Aisto.Domain.Ledger;
using Aisto.Orchestrations.Results;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Aisto.Orchestrations.Payouts;

/// <summary>The result of asking for an epoch's payout: its current status and whether this call started it.</summary>
public sealed record PayoutStart(long Epoch, PayoutEpochStatus Status, bool Started);

/// <summary>
/// Starts dividend epochs (operator route and timer) and reads their reports. An epoch's orchestration has the
/// instance id <c>epoch-&lt;n&gt;</c>: a running or completed epoch is never started again; a failed one is restarted.
/// </summary>
public sealed class PayoutCommands(IPayoutStore store, EpochCalendar epochs, IOptions<PayoutOptions> options, TimeProvider clock)
{
    /// <summary>Starts <paramref name="epoch"/> (default: the last ended epoch) unless it runs or ran already.</summary>
    public async Task<CommandResult<PayoutStart>> StartAsync(DurableTaskClient durable, long? epoch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var target = epoch ?? epochs.EpochOf(now) - 1;
        if (target < 0 || now < epochs.EndOf(0))
        {
            return CommandResult<PayoutStart>.Invalid("epoch", "No epoch has ended yet.");
        }

        if (epochs.EndOf(target) > now)
        {
            return CommandResult<PayoutStart>.Invalid(
                "epoch", string.Create(CultureInfo.InvariantCulture, $"Epoch {target} ends at {epochs.EndOf(target):O}; only an ended epoch can be paid out."));
        }

        return await EnsureStartedAsync(durable, target, cancellationToken);
    }

    /// <summary>
    /// Timer: starts each of the last <see cref="PayoutOptions.CatchUpEpochs"/> epochs that ended at least
    /// <see cref="PayoutOptions.SettlementDelay"/> ago and are not completed. Returns the epochs it started.
    /// </summary>
    public async Task<IReadOnlyList<long>> StartDueAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var settledBefore = clock.GetUtcNow() - o.SettlementDelay;
        if (settledBefore < epochs.EndOf(0))
        {
            return [];
        }

        var last = epochs.EpochOf(settledBefore) - 1;
        var started = new List<long>();
        for (var epoch = Math.Max(0, last - o.CatchUpEpochs + 1); epoch <= last; epoch++)
        {
            var result = await EnsureStartedAsync(durable, epoch, cancellationToken);
            if (result.Value is { Started: true })
            {
                started.Add(epoch);
            }
        }

        return started;
    }

    public Task<IReadOnlyList<PayoutEpochRecord>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public async Task<CommandResult<(PayoutEpochRecord Record, IReadOnlyList<EpochClaim> Claims)>> GetReportAsync(long epoch, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(epoch, cancellationToken);
        if (record is null)
        {
            return CommandResult<(PayoutEpochRecord, IReadOnlyList<EpochClaim>)>.NotFound(
                string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch} has no payout."));
        }

        IReadOnlyList<EpochClaim> claims = record.Status == PayoutEpochStatus.Completed ? await store.ListClaimsAsync(epoch, cancellationToken) : [];
        return (record, claims);
    }

    /// <summary>The account's claim for a completed epoch, or not found.</summary>
    public async Task<CommandResult<EpochClaim>> GetClaimAsync(long epoch, string account, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(epoch, cancellationToken);
        var claim = record?.Status == PayoutEpochStatus.Completed ? await store.GetClaimAsync(epoch, account, cancellationToken) : null;
        return claim is null
            ? CommandResult<EpochClaim>.NotFound(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch} has no claim for {account}."))
            : claim;
    }

    private async Task<CommandResult<PayoutStart>> EnsureStartedAsync(DurableTaskClient durable, long epoch, CancellationToken cancellationToken)
    {
        var id = DividendEpochOrchestrator.InstanceIdFor(epoch);
        var record = await store.GetAsync(epoch, cancellationToken);
        if (record?.Status == PayoutEpochStatus.Completed)
        {
            return new PayoutStart(epoch, record.Status, Started: false);
        }

        var instance = await durable.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken);
        if (instance is { IsRunning: true } || instance?.RuntimeStatus == OrchestrationRuntimeStatus.Pending)
        {
            return new PayoutStart(epoch, record?.Status ?? PayoutEpochStatus.Pending, Started: false);
        }

        // 1. A finished instance whose epoch is not completed (it failed): clear it so the epoch can run again.
        if (instance is not null)
        {
            await durable.PurgeInstanceAsync(id, cancellation: cancellationToken);
        }

        // 2. Record the epoch as Pending, then start its one orchestration.
        var o = options.Value;
        await store.TryCreateAsync(
            new PayoutEpochRecord(epoch, PayoutEpochStatus.Pending, epochs.StartOf(epoch), epochs.EndOf(epoch), clock.GetUtcNow()),
            cancellationToken);
        var input = new PayoutEpochInput(epoch, epochs.StartOf(epoch), epochs.EndOf(epoch), o.DividendShare, o.UsdPerPayoutToken, o.AllowlistAccounts());
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                nameof(DividendEpochOrchestrator), input, new StartOrchestrationOptions(id), cancellationToken);
        }
        catch (Exception ex) when (ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // A concurrent start (timer and operator) got there first.
            return new PayoutStart(epoch, record?.Status ?? PayoutEpochStatus.Pending, Started: false);
        }

        return new PayoutStart(epoch, record?.Status ?? PayoutEpochStatus.Pending, Started: true);
    }
}
