#!/usr/bin/env python3
"""Summarise a run of bench/sessions-side-by-side.sh as Markdown, for docs/TRANSPORTS.md.

    summarize_sessions.py bench/results/sessions-DATE > summary.md

Reads environment.json and <server>.<transport>.<clients>.json (duplex bench sessions --json) and
prints, per client count, one row per transport and library: latency each way (p50, p99), bytes on
the wire per delivered message in each direction's window (both ways of the wire added), HTTP
requests per delivered message, the framing of a small message down, loss; Duplex's ratios to
SignalR on the same transport; and the three goals of the issue, met or not, with the numbers.
Standard library only.
"""
import glob
import json
import os
import sys

TRANSPORTS = ["websocket", "sse", "long-polling", "polling"]
SERVERS = ["duplex", "signalr"]
NAMES = {"duplex": "Duplex", "signalr": "SignalR"}
# The goals.
FRAMING_GOAL = 30
LONG_POLL_REQUESTS_GOAL = 0.5


def load(folder, prefix=""):
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, prefix + "*.*.*.json"))):
        server, transport, clients, _ = os.path.basename(path)[len(prefix):].split(".")
        if server not in SERVERS or not clients.isdigit():
            continue
        with open(path, encoding="utf-8") as handle:
            runs[(server, transport, int(clients))] = json.load(handle)
    return runs


def us(value):
    if value is None:
        return "–"
    return f"{value / 1000:.1f} ms" if value >= 10_000 else f"{value:,} µs"


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "–"


def window_bytes(run, direction):
    w = run[direction]
    return w["bytesDownPerMessage"] + w["bytesUpPerMessage"]


def loss(run):
    d, u = run["down"], run["up"]
    bad = [d["lost"], d["duplicates"], d["gaps"], u["lost"], u["duplicates"], u["gaps"]]
    errors = run["errors"]["count"]
    text = "0" if not any(bad) else f"down {d['lost']}/{d['duplicates']}/{d['gaps']}, up {u['lost']}/{u['duplicates']}/{u['gaps']}"
    return text + (f" ({errors} errors)" if errors else "")


def row(transport, server, run):
    d, u = run["down"], run["up"]
    return (f"| {transport} | {NAMES[server]} | {us(d['latencyMicroseconds']['p50'])} | {us(d['latencyMicroseconds']['p99'])} | "
            f"{us(u['latencyMicroseconds']['p50'])} | {us(u['latencyMicroseconds']['p99'])} | "
            f"{window_bytes(run, 'down'):.0f} | {window_bytes(run, 'up'):.0f} | {d['requestsPerMessage']:.2f} | {u['requestsPerMessage']:.2f} | "
            f"{run['framingBytesPerSmallMessageDown']:.0f} | {loss(run)} |")


def main(folder):
    env = json.load(open(os.path.join(folder, "environment.json"), encoding="utf-8"))
    runs = load(folder)
    out = []
    out.append(f"# Session transports: Duplex next to SignalR ({os.path.basename(folder.rstrip('/'))})\n")
    out.append(
        f"Commit {env['commit']}{' (with uncommitted changes)' if env['uncommittedChanges'] else ''}, .NET SDK {env['dotnet']}, "
        f"kernel {env['kernel']}, {env['cores']} cores: server on core {env['serverCpu']}, clients and relay on core {env['loadCpu']}. "
        f"{env['ratePerClient']:g} messages/s per client of {env['size']} B text, server → client then client → server, "
        f"{env['durationSeconds']:g} s measured each after {env['warmupSeconds']:g} s of warm-up. Started {env['startedUtc']}"
        + (f", load average {env['loadAverageAtStart'][0]:g} at the start and {env['loadAverageAtEnd'][0]:g} at the end (2 cores: above 2, other programs were running)" if env.get("loadAverageAtEnd") else "") + "."
        + (f" Note: {env['note']}" if env.get("note") else "") + "\n")
    load_runs = load(folder, prefix="load-")
    fewest = min(env["clients"])
    out.append(f"\n## Connecting ({fewest} client{'s' if fewest != 1 else ''}): negotiation and the transport's opening, per client\n")
    out.append("| transport | library | requests | connections | bytes up | bytes down |")
    out.append("|---|---|--:|--:|--:|--:|")
    for transport in TRANSPORTS:
        for server in SERVERS:
            run = runs.get((server, transport, fewest))
            if run:
                c = run["connect"]
                out.append(f"| {transport} | {NAMES[server]} | {c['requestsPerClient']:g} | {c['connectionsPerClient']:g} | {c['bytesUpPerClient']:,.0f} | {c['bytesDownPerClient']:,.0f} |")
    for clients in env["clients"]:
        out.append(f"\n## {clients} client{'s' if clients != 1 else ''}\n")
        out.append("| transport | library | s→c p50 | s→c p99 | c→s p50 | c→s p99 | B/msg s→c | B/msg c→s | req/msg s→c | req/msg c→s | framing s→c | lost/dup/gaps |")
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for transport in TRANSPORTS:
            for server in SERVERS:
                run = runs.get((server, transport, clients))
                if run is None:
                    continue
                out.append(row(transport, server, run))
        out.append("\nDuplex ÷ SignalR, same transport (below 1 is Duplex's advantage):\n")
        out.append("| transport | s→c p50 | s→c p99 | c→s p50 | c→s p99 | B/msg s→c | B/msg c→s | req/msg s→c | req/msg c→s |")
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for transport in TRANSPORTS:
            a, b = runs.get(("duplex", transport, clients)), runs.get(("signalr", transport, clients))
            if a is None or b is None:
                continue
            la, lb = a["down"]["latencyMicroseconds"], b["down"]["latencyMicroseconds"]
            ua, ub = a["up"]["latencyMicroseconds"], b["up"]["latencyMicroseconds"]
            out.append(
                f"| {transport} | {ratio(la['p50'], lb['p50'])} | {ratio(la['p99'], lb['p99'])} | {ratio(ua['p50'], ub['p50'])} | {ratio(ua['p99'], ub['p99'])} | "
                f"{ratio(window_bytes(a, 'down'), window_bytes(b, 'down'))} | {ratio(window_bytes(a, 'up'), window_bytes(b, 'up'))} | "
                f"{ratio(a['down']['requestsPerMessage'], b['down']['requestsPerMessage'])} | {ratio(a['up']['requestsPerMessage'], b['up']['requestsPerMessage'])} |")

    if load_runs and env.get("loadRatePerClient"):
        out.append(f"\n## Long polling under load: {max(env['clients'])} clients × {env['loadRatePerClient']:g} msg/s each way\n")
        out.append("| transport | library | s→c p50 | s→c p99 | c→s p50 | c→s p99 | B/msg s→c | B/msg c→s | req/msg s→c | req/msg c→s | framing s→c | lost/dup/gaps |")
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for server in SERVERS:
            run = load_runs.get((server, "long-polling", max(env["clients"])))
            if run:
                out.append(row("long-polling", server, run))
    out.append("\n## The goals\n")
    for clients in env["clients"]:
        a, b = runs.get(("duplex", "websocket", clients)), runs.get(("signalr", "websocket", clients))
        if a and b:
            for direction, label in (("down", "s→c"), ("up", "c→s")):
                pa, pb = a[direction]["latencyMicroseconds"]["p99"], b[direction]["latencyMicroseconds"]["p99"]
                out.append(f"- WebSocket p99 no worse than SignalR's, {clients} client{'s' if clients != 1 else ''}, {label}: "
                           f"{us(pa)} vs {us(pb)} — **{'met' if pa <= pb else 'not met'}** ({ratio(pa, pb)})")
    for clients in env["clients"]:
        a = runs.get(("duplex", "websocket", clients))
        if a:
            f = a["framingBytesPerSmallMessageDown"]
            out.append(f"- At most {FRAMING_GOAL} B of framing per small message down on WebSocket, {clients} client{'s' if clients != 1 else ''}: "
                       f"{f:.1f} B over the {a['settings']['size']} B payload — **{'met' if f <= FRAMING_GOAL else 'not met'}**")
    loaded = max(env["clients"])
    for which, rate in ((runs, env["ratePerClient"]), (load_runs, env.get("loadRatePerClient"))):
        a = which.get(("duplex", "long-polling", loaded))
        b = which.get(("signalr", "long-polling", loaded))
        if a and rate:
            r = a["down"]["requestsPerMessage"]
            out.append(f"- Long polling under load ({loaded} clients × {rate:g} msg/s) at most {LONG_POLL_REQUESTS_GOAL} HTTP requests per delivered message (s→c window): "
                       f"{r:.2f} — **{'met' if r <= LONG_POLL_REQUESTS_GOAL else 'not met'}** (c→s window: {a['up']['requestsPerMessage']:.2f}"
                       + (f"; SignalR {b['down']['requestsPerMessage']:.2f} and {b['up']['requestsPerMessage']:.2f}" if b else "") + ")")
    out.append("\nB/msg: TCP payload bytes through the relay in that direction's window (both ways of the wire: the messages, "
               "their acknowledgements, polls, heartbeats, HTTP heads), per delivered message. req/msg: HTTP requests started in "
               "the window per delivered message (a WebSocket makes none after its upgrade). framing s→c: bytes down per message "
               "less the payload. Latency from the sender's stamp just before its send call to the receiving application's read.")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
