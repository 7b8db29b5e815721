using System.Reflection;
using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisto.Functions.Standalone;

/// <summary>
/// Fires the app's timer-triggered functions on their NCRONTAB schedules (six fields, with seconds; <c>%name%</c>
/// resolved from configuration as the Functions host does), one loop per function, using Cronos.
/// </summary>
public sealed class TimerTriggerService(
    IServiceProvider services, IConfiguration configuration, TimeProvider clock, ILogger<TimerTriggerService> logger, Assembly functions)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FunctionCatalog.Timers(functions).Select(t => RunAsync(t, stoppingToken)));

    /// <summary>Resolves <c>%Setting%</c> the way the Functions host does (a <c>:</c> or <c>__</c> separated key).</summary>
    public static string Resolve(string value, IConfiguration configuration)
    {
        if (value.Length > 2 && value[0] == '%' && value[^1] == '%')
        {
            var key = value[1..^1].Replace("__", ":", StringComparison.Ordinal);
            return configuration[key] ?? throw new InvalidOperationException($"Setting '{key}' is not configured.");
        }

        return value;
    }

    private async Task RunAsync(TimerFunction timer, CancellationToken stoppingToken)
    {
        var expression = Resolve(timer.Schedule, configuration);
        var schedule = CronExpression.Parse(expression, expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6
            ? CronFormat.IncludeSeconds : CronFormat.Standard);
        logger.LogInformation("Timer {Function} runs on '{Schedule}'", timer.Name, expression);
        var last = clock.GetUtcNow();
        if (timer.RunOnStartup)
        {
            await FireAsync(timer, last, last, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            try
            {
                await Task.Delay(next.Value - clock.GetUtcNow(), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FireAsync(timer, last, next.Value, stoppingToken);
            last = next.Value;
        }
    }

    private async Task FireAsync(TimerFunction timer, DateTimeOffset last, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var info = new TimerInfo
        {
            ScheduleStatus = new ScheduleStatus { Last = last.UtcDateTime, Next = now.UtcDateTime, LastUpdated = now.UtcDateTime },
            IsPastDue = false,
        };
        try
        {
            using var scope = services.CreateScope();
            await FunctionInvoker.InvokeAsync(
                scope.ServiceProvider, timer.Method, p => p.ParameterType == typeof(TimerInfo) ? (true, info) : (false, null), stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failing run must not stop the schedule; the Functions host behaves the same way.
            logger.LogError(ex, "Timer function {Function} failed", timer.Name);
        }
    }
}
