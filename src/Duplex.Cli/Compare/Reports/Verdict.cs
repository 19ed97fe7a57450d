namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// One cell of the table: the judgement and the number(s) shown, e.g. "12 / 40 ms".
/// <see cref="Detail"/> says more for a reader who asks (the HTML tooltip, the Markdown legend).
/// </summary>
internal sealed record Verdict(VerdictLevel Level, string Text)
{
    public string? Detail { get; init; }

    /// <summary>The mark of the level: ✓ good, ~ fair, ✗ poor, – not measured.</summary>
    public string Mark => MarkOf(Level);

    public static string MarkOf(VerdictLevel level) => level switch
    {
        VerdictLevel.Good => "✓",
        VerdictLevel.Fair => "~",
        VerdictLevel.Poor => "✗",
        _ => "–",
    };

    /// <summary>The CSS class and the lower-case word of the level: good, fair, poor, none.</summary>
    public static string ClassOf(VerdictLevel level) => level switch
    {
        VerdictLevel.Good => "good",
        VerdictLevel.Fair => "fair",
        VerdictLevel.Poor => "poor",
        _ => "none",
    };

    public static Verdict NotMeasured(string? detail = null) => new(VerdictLevel.NotMeasured, "–") { Detail = detail };
}
