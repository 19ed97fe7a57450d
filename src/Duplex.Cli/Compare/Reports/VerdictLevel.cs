namespace Duplex.Cli.Compare.Reports;

/// <summary>How a measured number reads against what the requirement asks: the ✓, ~, ✗ or – of a cell.</summary>
internal enum VerdictLevel
{
    Good,
    Fair,
    Poor,
    NotMeasured,
}
