using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Aisto.Functions.Tests.Fuzz;

/// <summary>One generated request: method, path, body (raw bytes, possibly not JSON) and extra headers.</summary>
public sealed record FuzzCase(string Route, HttpMethod Method, string Path, byte[]? Body, IReadOnlyDictionary<string, string> Headers, string Mutation)
{
    public override string ToString() => $"{Method} {Path} [{Mutation}] {(Body is null ? "" : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300))))}";
}

/// <summary>
/// A route to fuzz: its function name, a path template whose <c>{parameters}</c> get hostile ids, the API key it is
/// called with (null: none), its documented query parameters and, for routes with a body, a valid example body.
/// </summary>
public sealed record FuzzRoute(string Name, HttpMethod Method, string PathTemplate, string? ValidBody, string? ApiKey = null, IReadOnlyList<string>? Query = null);

/// <summary>
/// Generates malformed and hostile requests from valid examples, seeded so a failure replays: missing, extra and
/// retyped fields, huge/negative/fractional/non-finite numbers, unicode and control characters, injection strings
/// in bodies, ids and headers, invalid and truncated JSON, deep nesting and oversized bodies.
/// </summary>
public static partial class HostileInputs
{
    private static readonly string[] Strings =
    [
        "", " ", "\u0000", "\u0007\u001b[31m", "\t\r\n", "ｈ１００", "H100\u200b", "🚀🚀🚀", "\ud83d", "é".Normalize(NormalizationForm.FormD),
        "' OR '1'='1", "\"; DROP TABLE leases; --", "<script>alert(1)</script>", "../../../../etc/passwd", "${jndi:ldap://x/a}",
        "{{7*7}}", "%00", "%2e%2e%2f", "PartitionKey eq 'x'", "a\\b", new string('A', 5000), "null", "true", "0", "-1",
    ];

    private static readonly JsonNode?[] Values =
    [
        null, true, false, 0, -1, -0.0, 1.5, 1e308, -1e308, long.MaxValue, long.MinValue, decimal.MaxValue, 0.0000001,
        JsonValue.Create("NaN"), JsonValue.Create("Infinity"), JsonValue.Create(""), JsonValue.Create("12"),
        new JsonArray(), new JsonArray(1, "a", null), new JsonObject(), new JsonObject { ["x"] = 1 },
    ];

    private static readonly string[] RawBodies =
    [
        "", "{", "}", "[]", "null", "42", "\"text\"", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":NaN}", "{\"a\":Infinity}",
        "{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":0x10}", "{\"a\":01}", "{\"a\":1}{\"b\":2}", "\uFEFF{}", "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\u0001\"}", "{\"a\":tru}", "{\"a\":[1,2}", "{\"a\" 1}", "{\"__proto__\":{\"admin\":true}}",
    ];

    private static readonly string[] Ids =
    [
        "x", "lse_00000000000000000000000", "lse_" + new string('f', 24), "%27%20OR%201%3D1", "..%2F..%2Fhealth", "%00",
        "%F0%9F%9A%80", new string('a', 300), "a%5Cb", "%23frag", "lse_1%3Fx%3D1", "%09", "%7F", "lse_%0d%0aSet-Cookie:%20x=1", "%3Cscript%3E", "*", "PartitionKey%20eq%20%27x%27",
    ];

    public static IEnumerable<FuzzCase> Generate(IReadOnlyList<FuzzRoute> routes, int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var route = routes[i % routes.Count];
            yield return Mutate(route, random);
        }
    }

    private static FuzzCase Mutate(FuzzRoute route, Random random)
    {
        var headers = new Dictionary<string, string>();
        var ids = new List<string>();
        var path = PathParameter().Replace(route.PathTemplate, _ =>
        {
            var id = Pick(random, Ids);
            ids.Add(id);
            return id;
        });
        if (route.ValidBody is null)
        {
            // Routes without a body: hostile ids, query strings and headers.
            var query = QueryString(route.Query ?? [], random);
            AddHostileHeader(headers, random);
            return new FuzzCase(route.Name, route.Method, path + query, null, headers, $"id/query ({string.Join(", ", ids)})");
        }

        var (body, mutation) = Body(route.ValidBody, random, 512 * 1024);
        if (random.Next(4) == 0)
        {
            AddHostileHeader(headers, random);
        }

        return new FuzzCase(route.Name, route.Method, path, body, headers, mutation);
    }

    /// <summary>
    /// A hostile body made from a valid one: invalid JSON, an oversized or deeply nested document, or a structural
    /// mutation (missing, extra or retyped fields, hostile strings, out-of-range numbers). Oversized bodies stay
    /// below <paramref name="maxOversize"/> bytes over 64 KB.
    /// </summary>
    public static (byte[] Body, string Mutation) Body(string validBody, Random random, int maxOversize) => random.Next(10) switch
    {
        0 => (Encoding.UTF8.GetBytes(Pick(random, RawBodies)), "invalid JSON"),
        1 => (Oversized(random, maxOversize), "oversized body"),
        2 => (Encoding.UTF8.GetBytes(Deep(random.Next(64, 2000))), "deep nesting"),
        _ => Structural(validBody, random),
    };

    private static string QueryString(IReadOnlyList<string> names, Random random)
    {
        // Each documented parameter at most once, sometimes an undocumented one, with hostile values.
        var parts = names.Where(_ => random.Next(2) == 0).ToList();
        if (random.Next(4) == 0)
        {
            parts.Add(Pick(random, ["x", "$filter", "PartitionKey", "status[]"]));
        }

        return parts.Count == 0 ? "" : "?" + string.Join("&", parts.Select(n => Uri.EscapeDataString(n) + "=" + Uri.EscapeDataString(Pick(random, Strings))));
    }

    private static (byte[] Body, string Mutation) Structural(string validBody, Random random)
    {
        var json = JsonNode.Parse(validBody)!.AsObject();
        var fields = json.Select(p => p.Key).ToList();
        var field = fields.Count > 0 ? fields[random.Next(fields.Count)] : "x";
        string mutation;
        switch (random.Next(6))
        {
            case 0:
                json.Remove(field);
                mutation = $"missing {field}";
                break;
            case 1:
                json[Pick(random, ["extra", "gpuCount2", "__proto__", "$where", "Status", "tenantId"])] = Clone(Pick(random, Values));
                mutation = "extra field";
                break;
            case 2:
                json[field] = Clone(Pick(random, Values));
                mutation = $"retyped {field}";
                break;
            case 3:
                json[field] = Pick(random, Strings);
                mutation = $"hostile string in {field}";
                break;
            case 4:
                json[field] = random.Next(2) == 0 ? -random.NextDouble() * 1e6 : random.NextDouble() * 1e12;
                mutation = $"out-of-range number in {field}";
                break;
            default:
                foreach (var f in fields.Where(_ => random.Next(2) == 0))
                {
                    json[f] = Clone(Pick(random, Values));
                }

                mutation = "many fields retyped";
                break;
        }

        return (Encoding.UTF8.GetBytes(json.ToJsonString()), mutation);
    }

    private static void AddHostileHeader(Dictionary<string, string> headers, Random random)
    {
        var value = Pick(random, ["' OR 1=1 --", "<script>", new string('k', 2000), "🚀", "a b c", "${jndi:x}", "..\\..\\"]);
        headers[Pick(random, ["Idempotency-Key", "X-Forwarded-For", "Accept", "X-Request-Id"])] = value;
    }

    private static byte[] Oversized(Random random, int maxOversize)
    {
        var size = 64 * 1024 + random.Next(1, maxOversize);
        return Encoding.UTF8.GetBytes("{\"gpuModel\":\"" + new string('H', size) + "\"}");
    }

    private static string Deep(int depth) => new string('[', depth) + new string(']', depth);

    [GeneratedRegex(@"\{\*?[A-Za-z]+\}")]
    private static partial Regex PathParameter();

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
