using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>
/// A pool split among holders: the allocations paid this epoch (allowlisted holders, ascending by account) and the
/// excluded holders' shares, which roll over. <c>Paid + RolledOver == Pool</c> always.
/// </summary>
public sealed record DividendDistribution(
    BigInteger Pool,
    IReadOnlyList<DividendAllocation> Allocations,
    BigInteger Paid,
    BigInteger RolledOver,
    int HolderCount,
    int ExcludedHolders);
