using Aisto.Domain.Leases;

namespace Aisto.Domain.Scheduling.Pools;

/// <summary>
/// Which borrowed work to preempt so a pool gets its guarantee back: only work other pools run on borrowed quota,
/// never reserved work; spot before on-demand, and within a class the most recently started first (it loses the
/// least). Victims that turn out unnecessary are spared, so no more is taken than needed.
/// </summary>
public static class ReclaimPlanner
{
    /// <summary>The work to preempt so <paramref name="needed"/> fits, or null when even all of it would not do.</summary>
    public static IReadOnlyList<RunningWork>? Plan(
        IEnumerable<RunningWork> running, CapacityPool owner, ResourceAmount needed, ResourceAmount free)
    {
        ArgumentNullException.ThrowIfNull(running);
        if (needed.FitsIn(free))
        {
            return [];
        }

        var candidates = running
            .Where(w => IsReclaimable(w, owner))
            .OrderBy(w => w.Class == LeaseClass.Spot ? 0 : 1)
            .ThenByDescending(w => w.StartedAt)
            .ThenBy(w => w.Id, StringComparer.Ordinal)
            .ToList();

        var victims = new List<RunningWork>();
        var available = free;
        foreach (var work in candidates)
        {
            if (needed.FitsIn(available))
            {
                break;
            }

            victims.Add(work);
            available += work.Held;
        }

        if (!needed.FitsIn(available))
        {
            return null;
        }

        // Spare victims taken early that the later, larger ones made unnecessary (highest priority first).
        for (var i = victims.Count - 1; i >= 0; i--)
        {
            if (needed.FitsIn(available - victims[i].Held))
            {
                available -= victims[i].Held;
                victims.RemoveAt(i);
            }
        }

        return victims;
    }

    /// <summary>Whether <paramref name="owner"/> may take this work's resources back.</summary>
    public static bool IsReclaimable(RunningWork work, CapacityPool owner)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.Borrowed && work.Pool != owner && work.Class != LeaseClass.Reserved;
    }
}
