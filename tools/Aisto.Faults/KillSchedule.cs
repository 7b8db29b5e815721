using System.Diagnostics;

namespace Aisto.Faults;

/// <summary>
/// The kill -9 loop: after each (re)start, wait a seeded random 0.5–4 s while the driver works, SIGKILL the app and
/// start it again. Halfway through, Azurite is frozen for 3 s while the app runs, and restarted once while the app is down. Between kill and restart the
/// inventory is checked for double bookings.
/// </summary>
public static class KillSchedule
{
    public static async Task RunAsync(FaultRig rig, FaultReport report, int kills, Random random, Func<int, Task>? beforeKill = null, Func<int, Task>? whileDown = null)
    {
        for (var k = 0; k < kills; k++)
        {
            if (k == kills / 2)
            {
                await rig.FreezeStorageAsync(TimeSpan.FromSeconds(3));
                report.StorageOutages++;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 4000)));
            if (beforeKill is not null)
            {
                await beforeKill(k);
            }

            await rig.KillAppAsync();
            report.Kills++;
            await Inventory.CheckCapacityAsync(rig, report, $"after kill {k + 1}");
            if (whileDown is not null)
            {
                await whileDown(k);
            }

            if (k == (kills - 1) / 2)
            {
                await rig.RestartStorageAsync();
                report.StorageRestarts++;
                report.Check(rig.StorageRowsLost == 0, () => $"Azurite lost {rig.StorageRowsLost} table rows across its restart");
            }

            await rig.StartAppAsync();
            report.Restarts++;
        }
    }

    /// <summary>Polls <paramref name="done"/> until it holds or the time runs out; false on timeout.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await done())
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The app or storage is between lives.
            }

            await Task.Delay(500);
        }

        return false;
    }
}
