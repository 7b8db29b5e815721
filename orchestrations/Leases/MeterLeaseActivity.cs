using Aisto.Domain.Leases;
using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Ledger;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// Input of <see cref="MeterLeaseActivity"/>: bill from <paramref name="From"/> up to <paramref name="To"/> at the lease's
/// hourly price; <paramref name="ChargedBefore"/> is what was billed before From, so the lease shows the running total.
/// </summary>
public sealed record MeterLeaseInput(string LeaseId, string TenantId, decimal PricePerHour, DateTimeOffset From, DateTimeOffset To, decimal ChargedBefore);

/// <summary>What billing an interval charged, and the instant it billed up to (the next interval starts there).</summary>
public sealed record MeterLeaseResult(decimal Charged, DateTimeOffset BilledUntil);

/// <summary>
/// Writes the charges of one metered interval to the ledger and the running total to the lease. The orchestration
/// asks for the interval up to its due time; the activity bills up to that time or this moment, whichever is first
/// (a durable timer may fire a little early), and says where it stopped. Idempotent: see <see cref="LeaseMeter"/>.
/// </summary>
public sealed class MeterLeaseActivity(LeaseMeter meter, ILeaseStore leases, TimeProvider clock) : AistoActivity<MeterLeaseInput, MeterLeaseResult>
{
    public override async Task<MeterLeaseResult> ExecuteAsync(MeterLeaseInput input, CancellationToken cancellationToken)
    {
        if (await leases.FindAsync(input.LeaseId, cancellationToken) is not { Status: LeaseStatus.Active })
        {
            // Only the lifecycle's Active loop meters, and it moves the lease on only after this turn: a lease that is
            // no longer Active means this is a late duplicate of a turn the lifecycle has passed, whose result nobody
            // reads. Billing now could reach past the lease's end.
            return new MeterLeaseResult(0m, input.From);
        }

        var now = clock.GetUtcNow();
        var billed = await meter.ChargeAsync(
            input with { To = input.To < now ? input.To : now },
            async ct => await leases.FindAsync(input.LeaseId, ct) is { Status: LeaseStatus.Active },
            cancellationToken);

        // Only an active lease shows a running total: a late duplicate must not touch a lease that is ending.
        var total = new LeaseTransition(input.LeaseId, LeaseStatus.Active, ChargedSoFar: input.ChargedBefore + billed.Charged);
        await leases.UpdateAsync(input.LeaseId, lease => lease.Status == LeaseStatus.Active ? total.ApplyTo(lease) : lease, cancellationToken);
        return billed;
    }
}

/// <summary>
/// Bills a lease interval into the ledger as a chain of entries, each a whole number of seconds, split at epoch
/// boundaries so every epoch closes on its own revenue. An entry's id derives from the lease and the instant it
/// starts, and the next entry starts where it ends, so the ledger holds one chain per lease run.
/// </summary>
/// <remarks>
/// Billing again from a point the chain already passes follows the chain instead of writing beside it: a retried or
/// duplicated activity (after a crash, a turn of the orchestration can run twice, each time with another end) charges
/// exactly what the ledger holds, however the first try ended. A duplicate that finds the chain ahead of it writes
/// beyond the chain only while <c>mayExtend</c> says the lease may still be billed.
/// </remarks>
public sealed class LeaseMeter(ILedgerStore ledger, EpochCalendar epochs)
{
    /// <summary>
    /// Bills one metered interval [From, To) of an active lease. Past a duplicate's entries the chain is extended only
    /// while <paramref name="mayExtend"/> says the lease may still be billed.
    /// </summary>
    public Task<MeterLeaseResult> ChargeAsync(
        MeterLeaseInput input, Func<CancellationToken, Task<bool>> mayExtend, CancellationToken cancellationToken) =>
        ChargeAsync(input, mayExtend, toChainEnd: false, cancellationToken);

    /// <summary>
    /// The last bill of a run: bills [From, To) and then follows the chain to its end, so the result counts every entry
    /// of the run. A duplicate of an earlier turn, with a later clock, may have billed past both the result the lifecycle
    /// took and the end it asks for; the lease then ran until the chain's end (<see cref="EndLeaseActivity"/> records it).
    /// </summary>
    public Task<MeterLeaseResult> ChargeToEndAsync(MeterLeaseInput input, CancellationToken cancellationToken) =>
        ChargeAsync(input, mayExtend: null, toChainEnd: true, cancellationToken);

    private async Task<MeterLeaseResult> ChargeAsync(
        MeterLeaseInput input, Func<CancellationToken, Task<bool>>? mayExtend, bool toChainEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var total = 0m;
        var cursor = input.From;
        var followed = false;
        while (cursor < input.To || toChainEnd)
        {
            var epoch = epochs.EpochOf(cursor);
            var epochEnd = epochs.EndOf(epoch);
            var end = cursor >= input.To ? cursor
                : epochEnd < input.To ? epochEnd
                : cursor.AddSeconds(Metering.BilledSeconds(cursor, input.To));
            var id = EntryId(input.LeaseId, cursor);
            if (end <= cursor)
            {
                // Under a second (or, for the last bill, nothing) left: billed with the next interval, unless another try
                // already billed on from here. The last bill also looks past an epoch's unbilled last fraction of a
                // second, where a try that went on started its next entry.
                var ahead = await ledger.FindAsync(epoch, id, cancellationToken);
                if (ahead is null && toChainEnd && Metering.BilledSeconds(cursor, epochEnd) == 0)
                {
                    ahead = await ledger.FindAsync(epoch + 1, EntryId(input.LeaseId, epochEnd), cancellationToken);
                }

                if (ahead is null)
                {
                    break;
                }

                (total, cursor, followed) = (total + ahead.AmountUsd, ahead.PeriodEnd, true);
                continue;
            }

            if (Metering.BilledSeconds(cursor, end) == 0)
            {
                cursor = end; // an epoch's last fraction of a second is not billed (the same for every try)
                continue;
            }

            if (followed && mayExtend is not null && !await mayExtend(cancellationToken))
            {
                break;
            }

            var entry = new LedgerEntry(
                epoch,
                id,
                LedgerEntryKind.LeaseCharge,
                input.TenantId,
                Metering.Charge(input.PricePerHour, cursor, end),
                cursor,
                end,
                input.LeaseId);
            var (stored, added) = await ledger.AppendAsync(entry, cancellationToken);
            if (stored.PeriodStart != cursor || stored.PeriodEnd <= cursor)
            {
                throw new InvalidOperationException($"Ledger entry {entry.EntryId} holds {stored.PeriodStart:O}..{stored.PeriodEnd:O}, not a piece starting at {cursor:O}.");
            }

            followed |= !added;
            total += stored.AmountUsd;
            cursor = stored.PeriodEnd;
        }

        return new MeterLeaseResult(total, cursor);
    }

    private static string EntryId(string leaseId, DateTimeOffset start) => $"lease-{leaseId}-{start.ToUnixTimeSeconds()}";
}
