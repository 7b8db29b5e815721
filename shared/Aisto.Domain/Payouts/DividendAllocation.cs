using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>What one account may claim for an epoch, in payout-token base units (a Merkle leaf).</summary>
public sealed record DividendAllocation(string Account, BigInteger Amount);
