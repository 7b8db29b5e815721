using System.Globalization;

namespace Aisto.Sim.Autoscale;

/// <summary>The <c>--name value</c> and <c>--flag</c> options of one command, read by name.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'.");
            }

            name = name[2..];
            if (flags.Contains(name))
            {
                _options[name] = null;
            }
            else if (i + 1 < args.Count)
            {
                _options[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Option --{name} needs a value.");
            }
        }
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Text(string name) => _options.GetValueOrDefault(name);

    public string Required(string name) =>
        _options.GetValueOrDefault(name) ?? throw new ArgumentException($"Option --{name} is required.");

    public double Number(string name, double fallback) =>
        _options.TryGetValue(name, out var text) && text is not null
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : fallback;

    public int Integer(string name, int fallback) => (int)Number(name, fallback);
}
