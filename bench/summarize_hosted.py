#!/usr/bin/env python3
"""Summarise a run of bench/hosted-side-by-side.sh into docs/BENCHMARKS.md.

Reads RESULTS_DIR/<scenario>.<server>.<repeat>.json (`duplex bench --json`) and RESULTS_DIR/run.txt
(commit, settings, the machine's load before and after), and replaces the part of the markdown file
between the hosted-side-by-side markers with tables of medians, spreads, throughput per second of
the server's own CPU, and the ratios hosted/middleware (issue 13's goal: at least 1) and
hosted/built-in. Prints the same text; with "-" for the markdown file, only prints it. Standard library only; shares its helpers with summarize.py.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import fmt, load, med, spread, values  # noqa: E402

BEGIN = "<!-- hosted-side-by-side:begin -->"
END = "<!-- hosted-side-by-side:end -->"
SERVERS = ["duplex", "hosted", "baseline", "kestrel"]
NAMES = {"duplex": "Duplex, built-in server", "hosted": "Duplex in Kestrel", "baseline": "Duplex in Kestrel, baseline",
         "kestrel": "Kestrel + WebSocket middleware"}


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def run_info(results):
    info = {}
    path = os.path.join(results, "run.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                key, _, rest = line.rstrip("\n").partition(" ")
                if key == "uptime":
                    when, _, text = rest.partition(" ")
                    info[f"uptime {when}"] = text.split("load average:")[-1].strip()
                else:
                    info[key] = rest
    return info


def per_cpu(run, amount):
    cpu = run["server"]["cpuSeconds"]
    return amount(run) / cpu if cpu else None


def throughput(runs, scenario, title, metric, pick, amount, digits=0):
    """A table of one throughput scenario; returns its lines and the medians by server."""
    if not runs.get(scenario):
        return [], {}
    lines = [f"#### {title}", "",
             f"| server | {metric} (median) | spread (min–max) | per server CPU-second (median) | runs | generator CPU | server CPU |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    medians, cpu_medians = {}, {}
    for server in SERVERS:
        xs = values(runs, scenario, server, pick)
        if not xs:
            continue
        medians[server] = med(xs)
        cpu_medians[server] = med(values(runs, scenario, server, lambda r: per_cpu(r, amount)))
        gen = med(values(runs, scenario, server, lambda r: r["generator"]["cpuShareOfMachine"] * 100))
        srv = med(values(runs, scenario, server, lambda r: r["server"]["cpuShareOfMachine"] * 100))
        lines.append(f"| {NAMES[server]} | {fmt(medians[server], digits)} | {spread(xs, digits)} | {fmt(cpu_medians[server], digits)} | {len(xs)} | {fmt(gen)}% | {fmt(srv)}% |")
    h, k, d, b = medians.get("hosted"), medians.get("kestrel"), medians.get("duplex"), medians.get("baseline")
    pairs = [("hosted", "kestrel", "hosted/middleware"), ("hosted", "duplex", "hosted/built-in"),
             ("duplex", "kestrel", "built-in/middleware"), ("hosted", "baseline", "hosted/baseline")]

    def ratios(by):
        return ", ".join(f"{name} {ratio(by[a], by[b])}" for a, b, name in pairs if by.get(a) and by.get(b))

    lines += ["", f"Ratios (medians): {ratios(medians)}; per server CPU-second: {ratios(cpu_medians)}", ""]
    return lines, medians


def latency(runs):
    if not runs.get("latency"):
        return [], {}
    lines = ["#### Latency: 64 B, 1 connection, 1 in flight (round trip, µs, medians of the runs)", "",
             "| server | p50 | p90 | p99 | p99.9 | max | runs | server CPU |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    by = {}
    for server in SERVERS:
        rows = runs.get("latency", {}).get(server, [])
        if not rows:
            continue
        m = {k: med([r["latencyMicroseconds"][k] for r in rows]) for k in ["p50", "p90", "p99", "p99_9", "max"]}
        by[server] = m
        srv = med(values(runs, "latency", server, lambda r: r["server"]["cpuShareOfMachine"] * 100))
        p50s = ", ".join(fmt(r["latencyMicroseconds"]["p50"]) for r in rows)
        lines.append(f"| {NAMES[server]} | {fmt(m['p50'])} ({p50s}) | {fmt(m['p90'])} | {fmt(m['p99'])} | {fmt(m['p99_9'])} | {fmt(m['max'])} | {len(rows)} | {fmt(srv)}% |")
    lines += ["", "The p50 column lists each run's p50 in brackets.", ""]
    return lines, by


def main():
    results, markdown = sys.argv[1], sys.argv[2]
    runs = load(results)
    info = run_info(results)
    folder = os.path.relpath(results, os.path.dirname(os.path.dirname(os.path.abspath(markdown))))
    out = [BEGIN, "",
           f"Run `{folder}` (`bench/hosted-side-by-side.sh`, {info.get('settings', '?')}) at commit `{info.get('commit', '?')}`, "
           f"started {info.get('started', '?')}, finished {info.get('finished', '?')}: each scenario against each server in turn, "
           f"each server started afresh, one load generator; .NET SDK {info.get('dotnet', '?')}, {info.get('cores', '?')} cores.",
           "",
           f"Load average (1, 5, 15 min) before: {info.get('uptime before', '?')}; after: {info.get('uptime after', '?')}."]
    if info.get("baseline"):
        out += ["", f"Baseline: Duplex.AspNetCore as of commit `{info['baseline']}`, in KestrelBench built from that commit's files and run the same way."]
    if info.get("note"):
        out += ["", f"Note: {info['note']}"]
    out.append("")

    goal = []
    e64, m64 = throughput(runs, "echo64", "Echo: 64 B, 100 connections × 16 in flight", "messages/s",
                          lambda r: r["messagesPerSecond"], lambda r: r["messages"])
    e64k, m64k = throughput(runs, "echo64k", "Echo: 64 KiB, 10 connections × 1 in flight", "MB/s",
                            lambda r: r["megabytesPerSecond"], lambda r: r["megabytesPerSecond"] * r["seconds"], digits=1)
    lat, mlat = latency(runs)
    fan_settings = next(iter(runs.get("fanout", {}).get("hosted", [])), {}).get("settings", {})
    fan_title = (f"Fan-out: {fan_settings.get('subscribers', '?')} subscribers, {fan_settings.get('messages', '?')} messages of "
                 f"{fan_settings.get('size', '?')} B in bursts of {fan_settings.get('burst', '?')}")
    fan, mfan = throughput(runs, "fanout", fan_title, "deliveries/s", lambda r: r["deliveriesPerSecond"], lambda r: r["deliveries"])
    if fan:
        p99 = {s: med(values(runs, "fanout", s, lambda r: r["latencyMicroseconds"]["p99"])) for s in SERVERS}
        bad = {s: values(runs, "fanout", s, lambda r: r["lost"] + r["duplicated"] + r["outOfOrder"]) for s in SERVERS}
        fan.insert(-2, "Delivery latency p99 (µs, median of runs): " + ", ".join(f"{NAMES[s]} {fmt(v)}" for s, v in p99.items() if v is not None)
                   + ". Lost + duplicated + out of order per run: " + ", ".join(f"{NAMES[s]} {[int(x) for x in v]}" for s, v in bad.items() if v) + ".")
    out += e64 + e64k + lat + fan

    def check(ok):
        return "met" if ok else "**not met**"

    for name, medians in [("echo 64 B × 16, messages/s", m64), ("echo 64 KiB × 1, MB/s", m64k), ("fan-out, deliveries/s", mfan)]:
        h, k = medians.get("hosted"), medians.get("kestrel")
        if h and k:
            goal.append(f"| {name} | {ratio(h, k)} | {check(h >= k)} |")
    if "hosted" in mlat and "kestrel" in mlat:
        h, k = mlat["hosted"], mlat["kestrel"]
        goal.append(f"| latency 1 × 1, p50 / p99 (µs; lower is better) | {fmt(h['p50'])} vs {fmt(k['p50'])}, {fmt(h['p99'])} vs {fmt(k['p99'])} | {check(h['p50'] <= k['p50'] and h['p99'] <= k['p99'])} |")
    if goal:
        out += ["#### Goal of issue 13: Duplex in Kestrel at least as fast as Kestrel's own WebSockets", "",
                "| scenario | hosted/middleware | |", "|---|---:|---|"] + goal + [""]
    out.append(END)

    text_out = "\n".join(out)
    print(text_out)
    if markdown == "-":
        return
    with open(markdown, encoding="utf-8") as handle:
        text = handle.read()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + text_out + text[text.index(END) + len(END):]
    else:
        text += "\n" + text_out + "\n"
    with open(markdown, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
