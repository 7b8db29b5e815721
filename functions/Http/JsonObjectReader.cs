using System.Globalization;
using System.Text.Json;

namespace Aisto.Functions.Http;

/// <summary>
/// Reads typed fields from a JSON object and collects one message per bad field, keyed by its path
/// (e.g. <c>clientLocation.lat</c>), so a request is rejected with every problem named at once.
/// </summary>
public sealed class JsonObjectReader
{
    private readonly JsonElement obj;
    private readonly string prefix;
    private readonly Dictionary<string, List<string>> errors;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    public JsonObjectReader(JsonElement obj, string prefix, Dictionary<string, List<string>>? errors = null)
    {
        this.obj = obj;
        this.prefix = prefix;
        this.errors = errors ?? new Dictionary<string, List<string>>(StringComparer.Ordinal);
    }

    public bool HasErrors => errors.Count > 0;

    public IReadOnlyDictionary<string, string[]> Errors =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public bool Has(string name) => TryGet(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public void Error(string name, string message)
    {
        var path = Path(name);
        if (!errors.TryGetValue(path, out var list))
        {
            errors[path] = list = [];
        }

        list.Add(message);
    }

    public string? String(string name, bool required, int maxLength, Func<string, bool>? valid = null, string? rule = null)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(name, "is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(name, $"must be a string, not {Describe(value)}.");
            return null;
        }

        var s = value.GetString()!;
        if (s.Length == 0 || s.Length > maxLength)
        {
            Error(name, $"must be 1 to {maxLength} characters long.");
            return null;
        }

        if (s.Any(char.IsControl) || (valid is not null && !valid(s)))
        {
            Error(name, rule ?? "contains characters that are not allowed.");
            return null;
        }

        return s;
    }

    public int? Int(string name, bool required, int min, int max)
    {
        var d = Number(name, required, min, max);
        if (d is null)
        {
            return null;
        }

        if (d != decimal.Truncate(d.Value))
        {
            Error(name, $"must be a whole number from {min} to {max}.");
            return null;
        }

        return (int)d.Value;
    }

    public decimal? Decimal(string name, bool required, decimal min, decimal max) => Number(name, required, min, max);

    public T? Enum<T>(string name, T fallback)
        where T : struct, Enum
    {
        var text = String(name, required: false, maxLength: 64);
        if (text is null)
        {
            return errors.ContainsKey(Path(name)) ? null : fallback;
        }

        var match = System.Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            var allowed = string.Join(" | ", System.Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
            Error(name, $"must be one of {allowed}.");
            return null;
        }

        return System.Enum.Parse<T>(match);
    }

    public JsonObjectReader? Object(string name)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Error(name, $"must be an object, not {Describe(value)}.");
            return null;
        }

        return new JsonObjectReader(value, Path(name) + ".", errors);
    }

    public IReadOnlyList<string>? StringArray(string name, int maxItems, int maxLength)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > maxItems ||
            value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || v.GetString()!.Length > maxLength || v.GetString()!.Contains('\0')))
        {
            Error(name, $"must be an array of at most {maxItems} strings of at most {maxLength} characters.");
            return null;
        }

        return [.. value.EnumerateArray().Select(v => v.GetString()!)];
    }

    public IReadOnlyDictionary<string, string>? StringMap(string name, int maxItems, int maxLength)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Error(name, $"must be an object of strings, not {Describe(value)}.");
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (map.Count == maxItems || property.Value.ValueKind != JsonValueKind.String ||
                property.Name.Length is 0 or > 128 || property.Value.GetString()!.Length > maxLength ||
                property.Name.Any(char.IsControl) || property.Value.GetString()!.Contains('\0'))
            {
                Error(name, $"must map at most {maxItems} names (1–128 characters) to strings of at most {maxLength} characters.");
                return null;
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return map;
    }

    /// <summary>Every field not read so far is an error: misspelt fields are not silently ignored.</summary>
    public void RejectUnknownFields()
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!read.Contains(property.Name))
            {
                Error(property.Name.Length > 64 ? property.Name[..64] : property.Name, "is not a known field.");
            }
        }
    }

    private decimal? Number(string name, bool required, decimal min, decimal max)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Error(name, "is required.");
            }

            return null;
        }

        string range = $"from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
        if (value.ValueKind != JsonValueKind.Number)
        {
            Error(name, $"must be a number {range}, not {Describe(value)}.");
            return null;
        }

        if (!value.TryGetDecimal(out var d) || d < min || d > max)
        {
            Error(name, $"must be {range}.");
            return null;
        }

        return d;
    }

    private bool TryGet(string name, out JsonElement value)
    {
        read.Add(name);
        return obj.TryGetProperty(name, out value);
    }

    private string Path(string name) => prefix + name;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
