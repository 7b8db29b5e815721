using Aisto.Domain.Leases;
using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Ledger;

namespace Aisto.Orchestrations.Leases;

/// <summary>
/// Input of <see cref="MeterLeaseActivity"/>: bill [From, To) at the lease's hourly price; <paramref name="ChargedBefore"/>
/// is what was billed before From, so the lease shows the running total.
/// </summary>
public sealed record MeterLeaseInput(string LeaseId, string TenantId, decimal PricePerHour, DateTimeOffset From, DateTimeOffset To, decimal ChargedBefore);

/// <summary>
/// Writes the charge for one metered interval to the ledger and the running total to the lease. Idempotent: ledger
/// entry ids derive from lease and interval, and the total is set, not added.
/// </summary>
public sealed class MeterLeaseActivity(LeaseMeter meter, ILeaseStore leases) : AistoActivity<MeterLeaseInput, decimal>
{
    public override async Task<decimal> ExecuteAsync(MeterLeaseInput input, CancellationToken cancellationToken)
    {
        var charged = await meter.ChargeAsync(input, cancellationToken);
        var total = new LeaseTransition(input.LeaseId, LeaseStatus.Active, ChargedSoFar: input.ChargedBefore + charged);
        await leases.UpdateAsync(input.LeaseId, total.ApplyTo, cancellationToken);
        return charged;
    }
}

/// <summary>
/// Bills a lease interval into the ledger, split at epoch boundaries so every epoch closes on its own revenue.
/// Entry ids derive from lease and interval start: billing the same interval again writes nothing new.
/// </summary>
public sealed class LeaseMeter(ILedgerStore ledger, EpochCalendar epochs)
{
    public async Task<decimal> ChargeAsync(MeterLeaseInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var total = 0m;
        var from = input.From;
        while (from < input.To)
        {
            var epoch = epochs.EpochOf(from);
            var to = epochs.EndOf(epoch) < input.To ? epochs.EndOf(epoch) : input.To;
            var amount = Metering.Charge(input.PricePerHour, from, to);
            if (amount > 0)
            {
                await ledger.AppendAsync(
                    new LedgerEntry(
                        epoch,
                        $"lease-{input.LeaseId}-{from.ToUnixTimeSeconds()}",
                        LedgerEntryKind.LeaseCharge,
                        input.TenantId,
                        amount,
                        from,
                        to,
                        input.LeaseId),
                    cancellationToken);
            }

            total += amount;
            from = to;
        }

        return total;
    }
}
