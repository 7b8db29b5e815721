using System.Diagnostics;
using System.Text.Json;
using Aisto.Faults;
using Microsoft.Extensions.Logging;

var settings = FaultSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Aisto.Faults --kind lease|depin|autoscale|payout|all [--kills 20] [--seed N] [--json] [--verbose]");
    return 2;
}

using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(settings.Verbose ? LogLevel.Debug : LogLevel.Information).AddFilter("faults.app", settings.Verbose ? LogLevel.Debug : LogLevel.Error));
var reports = new List<FaultReport>();
foreach (var kind in settings.Kinds)
{
    var clock = Stopwatch.StartNew();
    var report = await FaultCampaign.RunAsync(kind, settings, logs);
    report.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
    reports.Add(report);
    if (!settings.Json)
    {
        Console.WriteLine($"{report.Kind}: {report.Kills} kills, {report.Violations.Count} violations ({report.Seconds} s)");
    }
}

if (settings.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(reports, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
}
else
{
    Console.WriteLine();
    Console.WriteLine($"seed {settings.Seed}");
    Console.WriteLine("| kind | kills | restarts | storage outages | storage restarts | chain restarts | items | region failures | scaling actions | checks | violations | seconds |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var r in reports)
    {
        Console.WriteLine($"| {r.Kind} | {r.Kills} | {r.Restarts} | {r.StorageOutages} | {r.StorageRestarts} | {r.ChainRestarts} | {r.Items} | {r.RegionFailures} | {r.ScalingActions} | {r.Checks} | {r.Violations.Count} | {r.Seconds} |");
    }

    foreach (var violation in reports.SelectMany(r => r.Violations.Select(v => $"{r.Kind}: {v}")))
    {
        Console.WriteLine("VIOLATION " + violation);
    }
}

return reports.All(r => r.Violations.Count == 0) ? 0 : 1;
