namespace Aisto.Domain.Scheduling.Packing;

/// <summary>
/// How good a node shape is for a request, lower first: a primary and a secondary key (exact integers, so ties
/// are real) and, for a share of a GPU, which slot of <see cref="NodeShape.FreeMilli"/> takes it.
/// </summary>
public readonly record struct ShapeScore(long Primary, long Secondary, int SharedSlot = -1);
