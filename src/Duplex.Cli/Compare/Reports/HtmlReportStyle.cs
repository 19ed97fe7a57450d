namespace Duplex.Cli.Compare.Reports;

/// <summary>The inline CSS of the HTML report (no external fonts or sheets: the file stands alone).</summary>
internal static class HtmlReportStyle
{
    public const string Css = """
        :root { --good: #137333; --good-bg: #e6f4ea; --fair: #8a5a00; --fair-bg: #fef3d6; --poor: #c5221f; --poor-bg: #fce8e6; --none: #80868b; --line: #dadce0; --ink: #202124; --soft: #5f6368; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: #f8f9fa; }
        main { max-width: 1440px; margin: 0 auto; padding: 24px 24px 48px; }
        h1 { font-size: 26px; margin: 0 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 10px; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        p { margin: 6px 0; }
        .sub { color: var(--soft); }
        pre.command { background: #202124; color: #e8eaed; padding: 10px 14px; border-radius: 6px; overflow-x: auto; font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
        section.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-top: 18px; }
        section.card > h2:first-child, section.card > details > summary + h3 { margin-top: 0; }
        figure { margin: 0; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 13px; }
        th, td { border: 1px solid var(--line); padding: 5px 6px; text-align: left; vertical-align: top; }
        thead th { background: #f1f3f4; font-weight: 600; }
        thead th .unit { display: block; font-weight: 400; color: var(--soft); font-size: 12px; }
        tbody th { background: #fff; font-weight: 400; min-width: 140px; max-width: 190px; }
        tbody th .id { font-weight: 700; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        tbody th .name, tbody th .where { display: block; color: var(--soft); font-size: 12px; }
        td.v { white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.v .mark { display: inline-block; width: 1.1em; font-weight: 700; }
        td.good { background: var(--good-bg); color: var(--good); }
        td.fair { background: var(--fair-bg); color: var(--fair); }
        td.poor { background: var(--poor-bg); color: var(--poor); font-weight: 700; }
        td.none { color: var(--none); }
        td.notrun { white-space: normal; color: var(--poor); background: #fff; }
        td.s { white-space: normal; }
        #survival-table { width: 100%; table-layout: fixed; }
        #survival-table thead th:first-child { width: 150px; }
        td.s .detail { display: block; font-size: 12px; color: var(--soft); font-weight: 400; white-space: normal; }
        .notes { border-left: 4px solid var(--fair); background: #fffaf0; }
        .notes.clean { border-left-color: var(--good); background: #f6fbf7; }
        .notes ul { margin: 4px 0; padding-left: 20px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px 36px; align-items: start; }
        svg.chart { max-width: 680px; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg .grid { stroke: #e8eaed; stroke-width: 1; }
        svg .grid.minor { stroke: #f3f4f5; }
        svg .frame { stroke: #9aa0a6; stroke-width: 1; }
        svg .axis { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--soft); }
        svg .axis.title { fill: var(--ink); }
        svg .axis.name { fill: var(--ink); font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        svg .marker { stroke: var(--fair); stroke-dasharray: 6 4; stroke-width: 1.5; }
        svg .marker-label { fill: var(--fair); }
        ul.legend { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; }
        ul.legend .swatch { display: inline-block; width: 14px; height: 4px; margin-right: 6px; vertical-align: middle; border-radius: 2px; }
        dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
        dl.settings dt { color: var(--soft); }
        dl.settings dd { margin: 0; }
        dl.legend dt { font-weight: 600; margin-top: 8px; }
        dl.legend dd { margin: 2px 0 0 0; color: var(--soft); }
        details summary { cursor: pointer; font-weight: 600; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        """;
}
