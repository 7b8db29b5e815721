namespace Aisto.Orchestrations.Leases;

/// <summary>The failure reasons a lease can end with (the API's <c>failureReason</c>).</summary>
public static class LeaseFailureReasons
{
    public const string NoCapacity = "NoCapacity";
    public const string ProvisioningFailed = "ProvisioningFailed";
    public const string ProvisioningTimeout = "ProvisioningTimeout";
}
