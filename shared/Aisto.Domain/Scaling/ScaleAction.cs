using System.Collections.Immutable;

namespace Aisto.Domain.Scaling;

/// <summary>What a <see cref="ScaleAction"/> does to a pool.</summary>
public enum ScaleActionKind
{
    /// <summary>Ask for new nodes (they arrive after the lead time).</summary>
    Provision,

    /// <summary>Put draining nodes back in service: the quickest capacity there is.</summary>
    Uncordon,

    /// <summary>Stop placing work on nodes that still run some; they are removed once empty.</summary>
    Drain,

    /// <summary>Give back nodes that run nothing.</summary>
    Remove,
}

/// <summary>One step of a <see cref="ScalePlan"/>: a kind and the nodes it applies to (a count for Provision).</summary>
public sealed record ScaleAction(ScaleActionKind Kind, int NodeCount, ImmutableArray<string> NodeIds)
{
    public static ScaleAction Provision(int count) => new(ScaleActionKind.Provision, count, []);

    public static ScaleAction On(ScaleActionKind kind, IEnumerable<string> nodeIds)
    {
        var ids = nodeIds.ToImmutableArray();
        return new ScaleAction(kind, ids.Length, ids);
    }

    /// <summary>Whether this action adds serving capacity.</summary>
    public bool IsScaleOut => Kind is ScaleActionKind.Provision or ScaleActionKind.Uncordon;
}
