namespace Aisto.Domain.Scheduling.Packing;

/// <summary>Numbers the GPU models of a cluster (up to 63) so a set of allowed models is one bit mask.</summary>
public sealed class GpuModelCatalog
{
    /// <summary>The mask bit of a model the catalog does not know: it matches no node.</summary>
    public const ulong UnknownModelBit = 1UL << 63;

    private readonly Dictionary<string, int> _indices = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    /// <summary>The index of the model, adding it when new.</summary>
    public int Intern(string model)
    {
        if (_indices.TryGetValue(model, out var index))
        {
            return index;
        }

        if (_names.Count == 63)
        {
            throw new InvalidOperationException("A cluster may hold at most 63 GPU models.");
        }

        index = _names.Count;
        _indices.Add(model, index);
        _names.Add(model);
        return index;
    }

    /// <summary>The mask of the allowed models; 0 (any model) when the list is empty.</summary>
    public ulong MaskOf(IEnumerable<string> allowedModels)
    {
        var mask = 0UL;
        var any = false;
        foreach (var model in allowedModels)
        {
            any = true;
            mask |= _indices.TryGetValue(model, out var index) ? 1UL << index : UnknownModelBit;
        }

        return any ? mask : 0UL;
    }
}
