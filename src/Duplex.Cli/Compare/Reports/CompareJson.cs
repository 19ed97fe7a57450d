using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// The <c>--json</c> file: the <see cref="CompareReport"/> in camelCase, indented, text as is
/// (✓, →, non-ASCII names unescaped). Reading it back gives the same report.
/// </summary>
internal static class CompareJson
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // A measurement divided by nothing is written as "NaN" rather than failing the whole file.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(CompareReport report) => JsonSerializer.Serialize(report, s_options);

    public static CompareReport Deserialize(string json) =>
        JsonSerializer.Deserialize<CompareReport>(json, s_options) ?? throw new JsonException("the compare report is null");
}
