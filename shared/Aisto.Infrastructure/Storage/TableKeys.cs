namespace Aisto.Infrastructure.Storage;

/// <summary>
/// What Azure Tables accepts as a PartitionKey or RowKey: at most 1 KiB, none of '/', '\', '#', '?' and no control
/// characters. An id from a request that breaks these rules cannot name a stored row, so lookups answer "not found"
/// instead of sending it (the service answers 400, Azurite 500).
/// </summary>
public static class TableKeys
{
    private const int MaxChars = 512; // 1 KiB of UTF-16

    public static bool IsValid(string? key) =>
        key is { Length: > 0 and <= MaxChars } && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) || char.IsSurrogate(c));
}
