using System.Numerics;

namespace Aisto.Domain.Payouts;

/// <summary>An account's token balance at the snapshot block, in base units.</summary>
public sealed record HolderBalance(string Account, BigInteger Balance);
