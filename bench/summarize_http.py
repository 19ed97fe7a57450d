#!/usr/bin/env python3
"""Summarise a run of bench/http-side-by-side.sh as Markdown, to paste into docs/BENCHMARKS.md.

    summarize_http.py bench/results/http-DATE > summary.md

Reads environment.json, <scenario>.<server>.<repeat>.json (bench/http/measure.py),
check.<scenario>.<server>.json and headers.<scenario>.<server>.txt from the folder, and prints per
path: requests/s (median and min-max), latency p50/p99, connections opened per 1,000 requests,
wrk's error counts, CPU; the ratios Duplex/Kestrel and Duplex/nginx with the goal of issue 10; and
the headers each server sent. Standard library only. A sibling of summarize.py (the WebSocket
runs), which it leaves alone: the two read different results.
"""
import glob
import json
import os
import statistics
import sys

SERVERS = ["duplex", "baseline", "kestrel", "nginx"]
NAMES = {"duplex": "Duplex", "baseline": "Duplex, baseline", "kestrel": "Kestrel (static files)", "nginx": "nginx (1 worker)"}
SHORT = {"duplex": "Duplex", "baseline": "baseline", "kestrel": "Kestrel", "nginx": "nginx"}
SCENARIOS = {"front": "/", "index": "/index.html"}
# Issue 10: "at least 1.5x Kestrel, and as close to nginx as the design allows".
GOAL_OVER_KESTREL = 1.5
HEADERS_SHOWN = ["Connection", "Content-Length", "ETag", "Last-Modified", "Server"]


def load(folder):
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.*.*.json"))):
        scenario, server, repeat, _ = os.path.basename(path).split(".")
        if scenario not in SCENARIOS or not repeat.isdigit():
            continue
        with open(path, encoding="utf-8") as handle:
            runs.setdefault(scenario, {}).setdefault(server, []).append(json.load(handle))
    for by_server in runs.values():
        for rows in by_server.values():
            rows.sort(key=lambda r: int(r["repeat"]))
    return runs


def headers(folder, scenario, server):
    """The last response's header fields, by lower-case name (curl -D writes one block per response)."""
    path = os.path.join(folder, f"headers.{scenario}.{server}.txt")
    if not os.path.exists(path):
        return None
    fields = {}
    with open(path, encoding="latin-1") as handle:
        for line in handle.read().splitlines():
            if line.startswith("HTTP/"):
                fields = {":status": line.strip()}
            elif ":" in line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
    return fields


def check(folder, scenario, server):
    path = os.path.join(folder, f"check.{scenario}.{server}.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def fmt(x, digits=0):
    return "—" if x is None else f"{x:,.{digits}f}"


def pct(x):
    return "—" if x is None else f"{100 * x:.0f}%"


def med(xs):
    return statistics.median(xs) if xs else None


def runs_of(n):
    return f"{n} run" if n == 1 else f"{n} runs"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def scenario_section(folder, env, scenario, by_server):
    path = SCENARIOS[scenario]
    first = next(iter(by_server.values()))[0]
    body = next((c["bodyBytes"] for s in SERVERS if (c := check(folder, scenario, s))), None)
    lines = [f"#### `GET {path}` ({fmt(body)} B, web/index.html), {env.get('connections', '?')} connections, "
             f"`wrk -t1`, {runs_of(len(next(iter(by_server.values()))))} of {env.get('durationSeconds', '?')} s", ""]
    lines += ["| server | requests/s (median) | spread (min–max) | requests per server CPU-second (median) | latency p50 / p99 (µs) | "
              "connections opened per 1,000 requests | wrk socket errors per run | server CPU | wrk CPU |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    medians, per_cpu = {}, {}
    for server in SERVERS:
        rows = by_server.get(server)
        if not rows:
            continue
        rps = [r["requestsPerSecond"] for r in rows]
        medians[server] = med(rps)
        # Requests per second of the server's own CPU time: what other programs took from its
        # core drops out (not what they slow it by on the other core: caches, memory).
        per_cpu[server] = med([r["requestsPerSecond"] / r["cpu"]["server"] for r in rows if r["cpu"]["server"] > 0])
        p50 = med([r["latencyMicroseconds"]["p50"] for r in rows])
        p99 = med([r["latencyMicroseconds"]["p99"] for r in rows])
        opened = med([r["connectionsOpenedPer1000Requests"] for r in rows])
        errors = [r["socketErrors"] for r in rows]
        lines.append(f"| {NAMES[server]} | {fmt(medians[server])} | {fmt(min(rps))}–{fmt(max(rps))} | {fmt(per_cpu[server])} | {fmt(p50)} / {fmt(p99)} | "
                     f"{fmt(opened, 1)} | {', '.join(fmt(e) for e in errors)} | {pct(med([r['cpu']['server'] for r in rows]))} | "
                     f"{pct(med([r['cpu']['wrk'] for r in rows]))} |")
    lines.append("")

    d = medians.get("duplex")
    parts = [f"Duplex/{SHORT[s]} {ratio(d, medians.get(s))}" for s in SERVERS if s != "duplex" and s in medians]
    if parts:
        goal = ""
        if d and medians.get("kestrel"):
            met = d >= GOAL_OVER_KESTREL * medians["kestrel"]
            goal = f" Goal of issue 10, ≥ {GOAL_OVER_KESTREL}× Kestrel: {'met' if met else '**not met**'}."
        per_cpu_parts = [f"Duplex/{SHORT[s]} {ratio(per_cpu.get('duplex'), per_cpu.get(s))}" for s in SERVERS if s != "duplex" and s in per_cpu]
        lines += [f"Ratios (medians): {', '.join(parts)}.{goal} Per server CPU-second: {', '.join(per_cpu_parts)}.", ""]

    # Every kind of error wrk counts, per run, and what the kernel saw besides: the full record.
    detail = []
    for server in SERVERS:
        rows = by_server.get(server)
        if not rows:
            continue
        kinds = ["connect", "read", "write", "timeout", "status"]
        per_run = ["/".join(fmt(r["errors"][k]) for k in kinds) for r in rows]
        opened = [fmt(r["tcp"]["connectionsOpened"]) for r in rows]
        requests = [fmt(r["requests"]) for r in rows]
        overflow = [fmt(r["tcp"]["listenQueueOverflows"]) for r in rows]
        resets = [fmt(r["tcp"]["resetsSent"]) for r in rows]
        idle = [pct(r["cpu"]["serverCore"]["idle"]) if "serverCore" in r["cpu"] else "—" for r in rows]
        detail.append(f"{SHORT[server]}: requests {', '.join(requests)}; connections opened {', '.join(opened)}; "
                      f"wrk errors (connect/read/write/timeout/status ≥ 400) {', '.join(per_run)}; "
                      f"resets sent {', '.join(resets)}; listen-queue overflows {', '.join(overflow)}; "
                      f"the server's core idle {', '.join(idle)}")
    scope = first.get("tcp", {}).get("scope", "?")
    lines += [f"Per run (connections and resets as the kernel counted them, in {scope}):", ""]
    lines += [f"- {d}" for d in detail] + [""]

    lines += [f"What each server sent for `GET {path}` (curl, before measuring; the body was byte for byte web/index.html for all):", "",
              "| server | " + " | ".join(HEADERS_SHOWN) + " | a second request on the same connection |",
              "|---|" + "---|" * len(HEADERS_SHOWN) + "---|"]
    # No Connection field in an HTTP/1.1 response means keep-alive (RFC 9112 §9.3).
    for server in SERVERS:
        if server not in by_server:
            continue
        fields = headers(folder, scenario, server) or {}
        c = check(folder, scenario, server) or {}
        cells = [f"`{fields[h.lower()]}`" if h.lower() in fields else "(none)" for h in HEADERS_SHOWN]
        reused = {True: "reused", False: "**new connection**"}.get(c.get("secondRequestReusedConnection"), "—")
        lines.append(f"| {SHORT[server]} | " + " | ".join(cells) + f" | {reused} |")
    lines += ["", "(none) under Connection is HTTP/1.1's default: the connection stays open (RFC 9112 §9.3).", ""]

    rows = [r for rs in by_server.values() for r in rs]
    others0 = med([r["cpu"]["othersOnServerCore"] for r in rows])
    others1 = med([r["cpu"]["othersOnWrkCore"] for r in rows])
    loads = [r["loadAverage"]["before"][0] for r in rows]
    lines += [f"The rest of the machine during the runs (median over all runs): {pct(others0)} of the server's core and "
              f"{pct(others1)} of wrk's core busy with other programs; 1-minute load average {fmt(min(loads), 1)}–{fmt(max(loads), 1)}.", ""]
    return lines


def main():
    folder = sys.argv[1].rstrip("/")
    with open(os.path.join(folder, "environment.json"), encoding="utf-8") as handle:
        env = json.load(handle)
    runs = load(folder)
    if not runs:
        raise SystemExit(f"summarize_http.py: no runs in {folder}")
    name = os.path.basename(folder)
    dirty = " (with uncommitted changes)" if env.get("uncommittedChanges", env.get("uncommittedChangesInSrcBenchServersWeb")) else ""
    out = [f"Run `bench/results/{name}` (`bench/http-side-by-side.sh`, REPEATS={env['repeats']} DURATION={env['durationSeconds']}) "
           f"at commit `{env['commit']}`{dirty}, started {env['startedUtc']}: each server pinned to core {env['serverCpu']}, "
           f"`wrk` ({env['wrk'].split(' [')[0].removeprefix('wrk ')}) to core {env['wrkCpu']}; .NET SDK {env['dotnet']}, nginx {env['nginx'].removeprefix('nginx/')}, "
           f"a warm-up of {env['warmupSeconds']} s before every run.", ""]
    if env.get("baselineCommit"):
        out += [f"Baseline: Duplex as of commit `{env['baselineCommit']}`, built from that commit's files and run the same way.", ""]
    if env.get("note"):
        out += [f"Note: {env['note']}", ""]
    for scenario in SCENARIOS:
        if scenario in runs:
            out += scenario_section(folder, env, scenario, runs[scenario])
    sys.stdout.write("\n".join(out).rstrip() + "\n")


if __name__ == "__main__":
    main()
