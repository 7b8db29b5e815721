namespace Aisto.Domain.Ledger;

/// <summary>What a ledger line records.</summary>
public enum LedgerEntryKind
{
    LeaseCharge,
    InfrastructureCost,
    DepinReward,
    IncubationGrant,
}

/// <summary>
/// One append-only ledger line. <see cref="EntryId"/> is derived from what is recorded (e.g. lease id and metered
/// interval), so writing the same fact twice is a no-op. <see cref="TokenAmount"/> is set on lines paid in tokens
/// (DePIN rewards): base units as an integer string.
/// </summary>
public sealed record LedgerEntry(
    long Epoch,
    string EntryId,
    LedgerEntryKind Kind,
    string Account,
    decimal AmountUsd,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string Reference,
    string? TokenAmount = null);
