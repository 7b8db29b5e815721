namespace Aisto.Orchestrations.Payouts;

/// <summary>
/// Test-only fault injection for crash tests: the environment variable <c>AISTO_FAULT_POINT</c> names a point where
/// the process hangs (so a test can SIGKILL it exactly there). Unset in every real deployment.
/// </summary>
public static class PayoutFaultPoints
{
    public const string Variable = "AISTO_FAULT_POINT";

    /// <summary>After the publish transaction is mined (and Published recorded), before the report is stored.</summary>
    public const string HangAfterPublish = "HangAfterPublish";

    public static async Task HangIfSetAsync(string point)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), point, StringComparison.Ordinal))
        {
            await Task.Delay(Timeout.InfiniteTimeSpan);
        }
    }
}
