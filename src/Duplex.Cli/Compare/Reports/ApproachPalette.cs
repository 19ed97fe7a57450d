namespace Duplex.Cli.Compare.Reports;

/// <summary>The color of each approach in the HTML charts (none of them the red of a poor verdict).</summary>
internal static class ApproachPalette
{
    public static string Of(string approach) => approach switch
    {
        "polling" => "#8c564b",
        "long-polling" => "#e377c2",
        "sse" => "#ff7f0e",
        "sse-h2" => "#a7a91b",
        "websocket" => "#1f77b4",
        "websocket-h2" => "#17becf",
        "auto" => "#9467bd",
        _ => "#7f7f7f",
    };
}
