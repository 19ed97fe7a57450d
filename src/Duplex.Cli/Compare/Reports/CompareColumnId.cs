namespace Duplex.Cli.Compare.Reports;

/// <summary>The requirements of the table, one column each, in the table's order.</summary>
internal enum CompareColumnId
{
    Persistent,
    FullDuplex,
    LatencyDown,
    LatencyUp,
    Reliable,
    BytesDown,
    BytesUp,
    IdleCost,
    ServerCpu,
    ServerMemory,
    Survives,
}
