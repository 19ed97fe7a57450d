namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// One column of the table: a requirement of the seed's table, measured.
/// </summary>
/// <param name="Id">Which requirement.</param>
/// <param name="Key">The id in the Markdown, HTML and tests: "persistent", "latency-down", ….</param>
/// <param name="Header">The short heading of the terminal table: "latency ↓".</param>
/// <param name="Unit">The second heading line: what the numbers of a cell are, "p50 / p99".</param>
/// <param name="Title">The heading of the Markdown and HTML tables.</param>
/// <param name="Meaning">What the column measures, for the legend.</param>
/// <param name="Thresholds">When a cell is ✓, ~ or ✗, for the legend.</param>
internal sealed record CompareColumn(CompareColumnId Id, string Key, string Header, string Unit, string Title, string Meaning, string Thresholds);
