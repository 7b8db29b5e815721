namespace Aisto.Domain.Scheduling.Packing;

/// <summary>Told when a node shape gains its first node or loses its last, so indices over shapes stay current.</summary>
public interface IShapeObserver
{
    void ShapeBecameLive(NodeShape shape);

    void ShapeBecameEmpty(NodeShape shape);
}
