using Aisto.Domain.Ledger;
using Aisto.Domain.Pricing;
using Aisto.Orchestrations.Durable;
using Aisto.Orchestrations.Ledger;

namespace Aisto.Orchestrations.Leases;

/// <summary>Input of <see cref="MeterLeaseActivity"/>: bill [From, To) at the lease's hourly price.</summary>
public sealed record MeterLeaseInput(string LeaseId, string TenantId, decimal PricePerHour, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// Writes the charge for one metered interval to the ledger, split at epoch boundaries so every epoch closes
/// on its own revenue. Entry ids derive from lease and interval: a retry writes nothing new.
/// </summary>
public sealed class MeterLeaseActivity(ILedgerStore ledger, EpochCalendar epochs) : AistoActivity<MeterLeaseInput, decimal>
{
    public override async Task<decimal> ExecuteAsync(MeterLeaseInput input, CancellationToken cancellationToken)
    {
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
