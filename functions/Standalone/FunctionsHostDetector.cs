namespace Aisto.Functions.Standalone;

/// <summary>
/// Tells whether an Azure Functions host launched this process: the host passes its gRPC endpoint and worker id
/// (<c>--functions-uri</c>/<c>--host</c>, <c>--functions-worker-id</c>/<c>--workerId</c>) on the command line or as
/// <c>Functions__Worker__*</c> settings.
/// </summary>
public static class FunctionsHostDetector
{
    private static readonly string[] HostArguments =
        ["--functions-uri", "--functions-worker-id", "--functions-grpc-address", "--host", "--workerId"];

    public static bool IsUnderFunctionsHost(string[] args) =>
        args.Any(a => HostArguments.Contains(a.Split('=')[0], StringComparer.OrdinalIgnoreCase)) ||
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Functions__Worker__HostEndpoint")) ||
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_NATIVE_HOST"));
}
