namespace Aisto.Domain.Monitoring;

/// <summary>What went wrong; the kinds operators are paged for.</summary>
public enum AlertKind
{
    NodeDown,
    RegionDown,
    QueueWaitAboveSlo,
    UtilizationHigh,
    UtilizationLow,
    ProvisioningFailed,
    PayoutFailed,
}

/// <summary>How urgent an alert is.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Whether an alert still holds.</summary>
public enum AlertState
{
    Open,
    Resolved,
}

/// <summary>
/// A condition to raise. <paramref name="Key"/> identifies the condition (kind + subject, e.g.
/// <c>UtilizationHigh/us-east/H100</c>): while an alert with the same key is open, raising it again changes nothing.
/// </summary>
public sealed record AlertCondition(string Key, AlertKind Kind, AlertSeverity Severity, string? Region, string Message)
{
    public static string KeyOf(AlertKind kind, params string?[] subject) =>
        string.Join('/', new[] { kind.ToString() }.Concat(subject.Where(s => !string.IsNullOrEmpty(s)))!);
}

/// <summary>A recorded alert: the condition, when it was raised and, once it no longer holds, when it was resolved.</summary>
public sealed record Alert(
    string AlertId,
    string Key,
    AlertKind Kind,
    AlertSeverity Severity,
    string? Region,
    string Message,
    AlertState State,
    DateTimeOffset RaisedAt,
    DateTimeOffset? ResolvedAt);
