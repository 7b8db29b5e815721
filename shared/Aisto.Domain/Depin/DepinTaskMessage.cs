using System.Globalization;
using System.Text.Json;
using Aisto.Domain.Scheduling;

namespace Aisto.Domain.Depin;

/// <summary>
/// Reads one intake message (one UTF-8 JSON document) into a <see cref="DepinTaskSpec"/>, or says why it cannot be
/// run: the reason a dead-lettered message carries. Strict: unknown fields, wrong types and out-of-range values are
/// named.
/// </summary>
public static class DepinTaskMessage
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxIdLength = 128;
    public const decimal MaxDurationMinutes = 7 * 24 * 60;

    private static readonly string[] Fields = ["taskId", "projectId", "gpuModel", "gpuCount", "gpuFraction", "durationMinutes", "image", "command"];

    /// <summary>The parsed task, or null with the reason; <paramref name="taskId"/> is set whenever the message names one.</summary>
    public static DepinTaskSpec? Parse(ReadOnlySpan<byte> utf8, out string? taskId, out string? reason)
    {
        taskId = null;
        if (utf8.Length == 0 || utf8.Length > MaxBytes)
        {
            reason = $"body: must be a JSON object of 1 to {MaxBytes} bytes.";
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            reason = $"body: not valid JSON ({ex.Message})";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "body: must be a JSON object.";
                return null;
            }

            var errors = new List<string>();
            taskId = Id(root, "taskId", errors);
            var projectId = Id(root, "projectId", errors);
            var model = Id(root, "gpuModel", errors);
            var gpu = Gpu(root, errors);
            var minutes = Number(root, "durationMinutes", 0.001m, MaxDurationMinutes, errors);
            var image = Text(root, "image", 512, errors);
            var command = Command(root, errors);
            foreach (var property in root.EnumerateObject().Where(p => !Fields.Contains(p.Name, StringComparer.Ordinal)))
            {
                errors.Add($"{Truncate(property.Name)}: is not a known field.");
            }

            if (errors.Count > 0)
            {
                reason = string.Join(" ", errors);
                return null;
            }

            reason = null;
            return new DepinTaskSpec(taskId!, projectId!, model!, gpu!.Value, minutes!.Value, image!, command!);
        }
    }

    /// <summary>Ids: 1–128 characters of letters, digits, '-', '_', '.', ':' (they become table keys and instance ids).</summary>
    public static bool IsValidId(string value) =>
        value.Length is > 0 and <= MaxIdLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    private static string? Id(JsonElement root, string name, List<string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{name}: is required.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || !IsValidId(value.GetString()!))
        {
            errors.Add($"{name}: must be 1 to {MaxIdLength} letters, digits, '-', '_', '.' or ':'.");
            return null;
        }

        return value.GetString();
    }

    private static string? Text(JsonElement root, string name, int maxLength, List<string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{name}: is required.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length is 0 || value.GetString()!.Length > maxLength ||
            value.GetString()!.Any(char.IsControl))
        {
            errors.Add($"{name}: must be a string of 1 to {maxLength} printable characters.");
            return null;
        }

        return value.GetString();
    }

    private static IReadOnlyList<string>? Command(JsonElement root, List<string> errors)
    {
        if (!root.TryGetProperty("command", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 64 ||
            value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || v.GetString()!.Length > 4096 || v.GetString()!.Contains('\0')))
        {
            errors.Add("command: must be an array of at most 64 strings of at most 4096 characters.");
            return null;
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }

    private static GpuDemand? Gpu(JsonElement root, List<string> errors)
    {
        var hasCount = root.TryGetProperty("gpuCount", out var count) && count.ValueKind != JsonValueKind.Null;
        var hasFraction = root.TryGetProperty("gpuFraction", out var fraction) && fraction.ValueKind != JsonValueKind.Null;
        if (hasCount == hasFraction)
        {
            errors.Add("gpuCount: give either gpuCount (1–8) or gpuFraction (0.1–0.9), not both.");
            return null;
        }

        if (hasCount)
        {
            var n = Number(root, "gpuCount", 1, 8, errors);
            if (n is null)
            {
                return null;
            }

            if (n != decimal.Truncate(n.Value))
            {
                errors.Add("gpuCount: must be a whole number from 1 to 8.");
                return null;
            }

            return GpuDemand.Whole((int)n.Value);
        }

        var share = Number(root, "gpuFraction", 0.1m, 0.9m, errors);
        return share is null ? null : GpuDemand.Fraction(share.Value);
    }

    private static decimal? Number(JsonElement root, string name, decimal min, decimal max, List<string> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{name}: is required.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var d) || d < min || d > max)
        {
            errors.Add($"{name}: must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        return d;
    }

    private static string Truncate(string name) => name.Length > 64 ? name[..64] : name;
}
