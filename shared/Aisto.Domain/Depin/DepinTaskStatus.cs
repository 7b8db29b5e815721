namespace Aisto.Domain.Depin;

/// <summary>Where a DePIN task is (../API.md §DePIN).</summary>
public enum DepinTaskStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Rejected,
}
