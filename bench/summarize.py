#!/usr/bin/env python3
"""Summarise a side-by-side run (bench/side-by-side.sh) into docs/BENCHMARKS.md.

Reads RESULTS_DIR/<scenario>.<server>.<repeat>.json as written by `duplex bench --json`, and
replaces the part of the markdown file between the side-by-side markers with tables of medians,
spreads (min-max) and the ratios Duplex/Kestrel, Duplex/ws and Duplex/raw, then the targets of
issue 4 with whether each is met. Standard library only.
"""
import glob
import json
import os
import statistics
import sys

BEGIN = "<!-- side-by-side:begin -->"
END = "<!-- side-by-side:end -->"
SERVERS = ["duplex", "kestrel", "ws", "raw", "rawmsg"]
NAMES = {"duplex": "Duplex", "kestrel": "Kestrel", "ws": "Node ws", "raw": "raw TCP", "rawmsg": "raw TCP, whole messages"}


def load(results):
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "*.json"))):
        scenario, server, _repeat, _ = os.path.basename(path).split(".")
        with open(path, encoding="utf-8") as handle:
            runs.setdefault(scenario, {}).setdefault(server, []).append(json.load(handle))
    return runs


def values(runs, scenario, server, pick):
    out = []
    for run in runs.get(scenario, {}).get(server, []):
        try:
            out.append(float(pick(run)))
        except (KeyError, TypeError):
            pass
    return out


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    if x is None:
        return "—"
    return f"{x:,.{digits}f}"


def spread(xs, digits=0):
    if not xs:
        return "—"
    return f"{fmt(min(xs), digits)}–{fmt(max(xs), digits)}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def table(runs, scenario, title, metric, pick, digits=0, servers=SERVERS, extra=None):
    lines = [f"### {title}", "", f"| server | {metric} (median) | spread (min–max) | runs | generator CPU | server CPU |", "|---|---:|---:|---:|---:|---:|"]
    medians = {}
    for server in servers:
        xs = values(runs, scenario, server, pick)
        if not xs:
            continue
        medians[server] = med(xs)
        gen = med(values(runs, scenario, server, lambda r: r["generator"]["cpuShareOfMachine"] * 100))
        srv = med(values(runs, scenario, server, lambda r: r["server"]["cpuShareOfMachine"] * 100))
        lines.append(f"| {NAMES[server]} | {fmt(medians[server], digits)} | {spread(xs, digits)} | {len(xs)} | {fmt(gen)}% | {fmt(srv)}% |")
    d = medians.get("duplex")
    ratios = [f"Duplex/{NAMES[s]} {ratio(d, medians.get(s))}" for s in servers if s != "duplex" and s in medians]
    lines += ["", "Ratios (medians): " + ", ".join(ratios) if ratios else "", ""]
    if extra:
        lines += extra(runs, medians) + [""]
    return lines, medians


def latency_table(runs):
    lines = ["### Latency: 64 B, 1 connection, 1 in flight (round trip, µs)", "", "| server | p50 | p90 | p99 | p99.9 | max | runs |", "|---|---:|---:|---:|---:|---:|---:|"]
    med_by = {}
    for server in SERVERS:
        rows = runs.get("latency", {}).get(server, [])
        if not rows:
            continue
        m = {k: med([r["latencyMicroseconds"][k] for r in rows]) for k in ["p50", "p90", "p99", "p99_9", "max"]}
        med_by[server] = m
        lines.append(f"| {NAMES[server]} | {fmt(m['p50'])} | {fmt(m['p90'])} | {fmt(m['p99'])} | {fmt(m['p99_9'])} | {fmt(m['max'])} | {len(rows)} |")
    lines.append("")
    return lines, med_by


def main():
    results, markdown = sys.argv[1], sys.argv[2]
    runs = load(results)
    out = [BEGIN, "", f"Results of `bench/side-by-side.sh` (folder `{os.path.relpath(results, os.path.dirname(os.path.dirname(os.path.abspath(markdown))))}`), "
           "each scenario run against each server one after another, same machine, same load generator.", ""]

    echo64, m64 = table(runs, "echo64", "Echo: 64 B, 100 connections × 16 in flight", "messages/s", lambda r: r["messagesPerSecond"])
    echo64k, m64k = table(runs, "echo64k", "Echo: 64 KiB, 10 connections × 1 in flight", "MB/s", lambda r: r["megabytesPerSecond"], digits=1)
    lat, mlat = latency_table(runs)
    idle, midle = table(runs, "idle", "Idle connections: server memory per connection (total, incl. one-time costs)", "bytes/connection",
                        lambda r: r["serverMemory"]["bytesPerConnection"], servers=["duplex", "kestrel", "ws"])
    open_counts = {s: values(runs, "idle", s, lambda r: r["connectionsOpenAtEnd"]) for s in ["duplex", "kestrel", "ws"]}
    idle.insert(-2, "Connections open at the end of each run: " + ", ".join(f"{NAMES[s]} {[int(x) for x in v]}" for s, v in open_counts.items() if v))
    # The marginal figure: (RSS after all N - RSS after the first half) / second half, free of
    # one-time costs. Results written before `duplex bench idle` measured it lack the field.
    idle_marginal, midle_marginal = table(runs, "idle", "Idle connections: server memory per added connection (marginal)", "bytes/added connection",
                                          lambda r: r["serverMemory"]["bytesPerConnectionMarginal"], servers=["duplex", "kestrel", "ws"])
    if midle_marginal:
        at_half = {s: values(runs, "idle", s, lambda r: r["serverMemory"]["connectionsAtHalf"]) for s in ["duplex", "kestrel", "ws"]}
        idle_marginal.insert(-2, "Between the RSS read after the first half of the connections (at "
                             + ", ".join(f"{NAMES[s]} {sorted({int(x) for x in v})}" for s, v in at_half.items() if v)
                             + " connections, once it settled) and the read after all of them.")
        idle += idle_marginal
    elif midle:
        idle += ["No marginal figure (per added connection) in these results: they predate it.", ""]
    fan_settings = next(iter(runs.get("fanout", {}).get("duplex", [])), {}).get("settings", {})
    fan_title = f"Fan-out: {fan_settings.get('subscribers', '?')} subscribers, bursts of {fan_settings.get('burst', '?')} messages of {fan_settings.get('size', '?')} B"
    fan, mfan = table(runs, "fanout", fan_title, "deliveries/s",
                      lambda r: r["deliveriesPerSecond"], servers=["duplex", "kestrel", "ws"])
    fan_p99 = {s: med(values(runs, "fanout", s, lambda r: r["latencyMicroseconds"]["p99"])) for s in ["duplex", "kestrel", "ws"]}
    fan_lost = {s: values(runs, "fanout", s, lambda r: r["lost"] + r["duplicated"] + r["outOfOrder"]) for s in ["duplex", "kestrel", "ws"]}
    fan.insert(-2, "Delivery latency p99 (µs, median of runs): " + ", ".join(f"{NAMES[s]} {fmt(v)}" for s, v in fan_p99.items() if v is not None)
               + ". Lost + duplicated + out of order per run: " + ", ".join(f"{NAMES[s]} {[int(x) for x in v]}" for s, v in fan_lost.items() if v) + ".")

    out += echo64 + echo64k + lat + idle + fan

    def check(ok):
        return "met" if ok else "**not met**"

    targets = ["### Targets of issue 4", "", "| target | measured | |", "|---|---|---|"]
    d, k, r = m64.get("duplex"), m64.get("kestrel"), m64.get("raw")
    if d and k and r:
        targets.append(f"| echo 64 B: ≥ 1.4 × Kestrel, ≥ 0.6 × raw TCP | {d / k:.2f} × Kestrel, {d / r:.2f} × raw | {check(d >= 1.4 * k and d >= 0.6 * r)} |")
    d, k, r = m64k.get("duplex"), m64k.get("kestrel"), m64k.get("raw")
    if d and k and r:
        rm = m64k.get("rawmsg")
        whole = f" ({d / rm:.2f} × the raw echo in whole messages)" if rm else ""
        targets.append(f"| echo 64 KiB: ≥ 1.3 × Kestrel, ≥ 0.8 × raw TCP | {d / k:.2f} × Kestrel, {d / r:.2f} × raw{whole} | {check(d >= 1.3 * k and d >= 0.8 * r)} |")
    if "duplex" in mlat and "kestrel" in mlat:
        dl, kl = mlat["duplex"], mlat["kestrel"]
        targets.append(f"| latency: p50 and p99 no worse than Kestrel | p50 {fmt(dl['p50'])} vs {fmt(kl['p50'])} µs, p99 {fmt(dl['p99'])} vs {fmt(kl['p99'])} µs | {check(dl['p50'] <= kl['p50'] and dl['p99'] <= kl['p99'])} |")
    def kib(medians, server):
        x = medians.get(server)
        return fmt(x / 1024, 2) if x is not None else "—"

    if "duplex" in midle_marginal:
        # Judged on the marginal figure: what each connection adds, not one-time costs spread over N.
        targets.append(f"| idle: ≤ 4 KiB per connection | {kib(midle_marginal, 'duplex')} KiB per added connection (marginal; Kestrel {kib(midle_marginal, 'kestrel')}, ws {kib(midle_marginal, 'ws')}); "
                       f"total incl. one-time costs: {kib(midle, 'duplex')} KiB (Kestrel {kib(midle, 'kestrel')}, ws {kib(midle, 'ws')}) | {check(midle_marginal['duplex'] <= 4096)} |")
    elif "duplex" in midle:
        targets.append(f"| idle: ≤ 4 KiB per connection | {kib(midle, 'duplex')} KiB total incl. one-time costs (Kestrel {kib(midle, 'kestrel')}, ws {kib(midle, 'ws')}); no marginal figure in these results | {check(midle['duplex'] <= 4096)} |")
    if "duplex" in mfan and "kestrel" in mfan:
        ok = mfan["duplex"] >= 1.5 * mfan["kestrel"] and (fan_p99.get("duplex") or 0) <= (fan_p99.get("kestrel") or 0) and not any(fan_lost.get("duplex", []))
        targets.append(f"| fan-out: ≥ 1.5 × Kestrel deliveries/s, p99 no worse, nothing lost | {mfan['duplex'] / mfan['kestrel']:.2f} × Kestrel, p99 {fmt(fan_p99.get('duplex'))} vs {fmt(fan_p99.get('kestrel'))} µs | {check(ok)} |")
    out += targets + ["", END]

    with open(markdown, encoding="utf-8") as handle:
        text = handle.read()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + "\n".join(out) + text[text.index(END) + len(END):]
    else:
        text += "\n" + "\n".join(out) + "\n"
    with open(markdown, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
