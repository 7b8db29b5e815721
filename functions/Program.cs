using Aisto.Functions;
using Aisto.Functions.Standalone;

// Under an Azure Functions host the app is a normal isolated worker; launched any other way it runs itself.
return FunctionsHostDetector.IsUnderFunctionsHost(args)
    ? await FunctionsWorker.RunAsync(args)
    : await StandaloneHost.RunAsync(args);
