using System.Text.RegularExpressions;

namespace Aisto.Infra.Tests.Bicep;

/// <summary>One diagnostic line of the Bicep CLI's default output: file(line,col) : Level code: message.</summary>
public sealed partial record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    public bool IsErrorOrWarning => Level is "Error" or "Warning";

    public static IReadOnlyList<BicepDiagnostic> ParseAll(string output) =>
        output.Split('\n')
            .Select(line => DiagnosticLine().Match(line.TrimEnd('\r')))
            .Where(match => match.Success)
            .Select(match => new BicepDiagnostic(
                match.Groups["file"].Value,
                int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(match.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["level"].Value,
                match.Groups["code"].Value,
                match.Groups["message"].Value))
            .ToList();

    public override string ToString() => $"{File}({Line},{Column}) : {Level} {Code}: {Message}";

    [GeneratedRegex(@"^(?<file>.+)\((?<line>\d+),(?<col>\d+)\) : (?<level>Error|Warning|Info|Hint) (?<code>[^:\s]+): (?<message>.*)$")]
    private static partial Regex DiagnosticLine();
}
