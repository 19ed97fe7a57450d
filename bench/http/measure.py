#!/usr/bin/env python3
"""One measured wrk run for bench/http-side-by-side.sh, written as JSON beside wrk's own text.

    measure.py --json OUT.json --text OUT.txt --server-pid PID --server-cpu 0 --wrk-cpu 1 \
               --counters-scope "..." [--label k=v ...] -- taskset -c 1 wrk ... URL

Runs the wrk command given after `--` (which must load bench/http/wrk-report.lua), and around it
reads what wrk cannot see:

- TCP connections opened, from the kernel's counters (/proc/net/snmp ActiveOpens/PassiveOpens,
  /proc/net/netstat ListenOverflows/ListenDrops). wrk reconnects silently when a response says
  `Connection: close`, so its own output never shows that a server closes every connection; these
  counters do. They belong to the network namespace this script runs in: the script's own when
  the caller made one (exact), the machine's otherwise (other programs' connections included).
- CPU: the server's (its process and descendants, so nginx's worker counts), wrk's (rusage of the
  child), and each pinned core's time by kind from /proc/stat (idle included), so that other
  work on the shared machine shows as the core's busy time less ours, and a server that leaves
  its core idle shows as idle.
- The load average before and after.

Standard library only.
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time

MARKER = "WRK-JSON "
TICKS = os.sysconf("SC_CLK_TCK")


def kernel_counters():
    """The TCP counters of this network namespace, by name: {'Tcp.ActiveOpens': n, ...}."""
    counters = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        with open(path, encoding="ascii") as handle:
            lines = handle.read().splitlines()
        # Each group is two lines: names, then values, both prefixed with the group's name.
        for names, values in zip(lines[0::2], lines[1::2]):
            group, _, names = names.partition(": ")
            _, _, values = values.partition(": ")
            for name, value in zip(names.split(), values.split()):
                counters[f"{group}.{name}"] = int(value)
    return counters


def process_ticks(pid):
    """utime + stime of a process (all its threads) in clock ticks, or 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return 0
    # After the command name: state is field 3 of stat(5), utime field 14, stime field 15.
    return int(fields[11]) + int(fields[12])


def descendants(root):
    """root and every process below it (nginx's master and its worker)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    ppid = int(handle.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


# The columns of a core's line in /proc/stat (proc(5)), in clock ticks.
CORE_COLUMNS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
# Busy includes interrupt time: on loopback much of the TCP work runs as softirq, and the kernel
# may charge it to the process that was running (nginx's CPU came out above the core's
# user + system time in a trial), so "others" = busy - ours only holds with it counted in.
BUSY_COLUMNS = ["user", "nice", "system", "irq", "softirq"]


def core_times(cpu):
    """One core's ticks from /proc/stat, by column name."""
    with open("/proc/stat", encoding="ascii") as handle:
        for line in handle:
            fields = line.split()
            if fields[0] == f"cpu{cpu}":
                return dict(zip(CORE_COLUMNS, (int(x) for x in fields[1:])))
    raise SystemExit(f"measure.py: no cpu{cpu} in /proc/stat")


def load_average():
    with open("/proc/loadavg", encoding="ascii") as handle:
        return [float(x) for x in handle.read().split()[:3]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", required=True)
    parser.add_argument("--text", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--server-cpu", type=int, required=True)
    parser.add_argument("--wrk-cpu", type=int, required=True)
    parser.add_argument("--counters-scope", required=True)
    parser.add_argument("--label", action="append", default=[], help="key=value copied into the JSON")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no wrk command after --")

    server_pids = descendants(args.server_pid)
    load_before = load_average()
    tcp_before = kernel_counters()
    server_before = sum(process_ticks(p) for p in server_pids)
    cores_before = {c: core_times(c) for c in (args.server_cpu, args.wrk_cpu)}
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall_before = time.monotonic()

    wrk_process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(signum, _frame):
        # Stopped by the script's trap (or Ctrl+C): wrk goes too rather than loading on alone.
        wrk_process.terminate()
        wrk_process.wait()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    output, _ = wrk_process.communicate()
    result = subprocess.CompletedProcess(command, wrk_process.returncode, output)

    wall = time.monotonic() - wall_before
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cores_after = {c: core_times(c) for c in (args.server_cpu, args.wrk_cpu)}
    server_after = sum(process_ticks(p) for p in server_pids)
    tcp_after = kernel_counters()
    load_after = load_average()

    with open(args.text, "w", encoding="utf-8") as handle:
        handle.write(result.stdout)
    line = next((l for l in result.stdout.splitlines() if l.startswith(MARKER)), None)
    if result.returncode != 0 or line is None:
        sys.stderr.write(result.stdout)
        raise SystemExit(f"measure.py: wrk failed (exit code {result.returncode}); its output is in {args.text}")
    wrk = json.loads(line[len(MARKER):])

    seconds = wrk["durationMicroseconds"] / 1e6
    delta = {k: tcp_after.get(k, 0) - tcp_before.get(k, 0) for k in tcp_after}
    server_cpu = (server_after - server_before) / TICKS / wall
    wrk_cpu = ((usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)) / wall

    def core_shares(cpu):
        """Each column's share of the core's time during the run, and busy."""
        ticks = {k: cores_after[cpu][k] - cores_before[cpu][k] for k in CORE_COLUMNS}
        total = sum(ticks.values()) or 1
        shares = {k: v / total for k, v in ticks.items()}
        shares["busy"] = sum(shares[k] for k in BUSY_COLUMNS)
        return shares

    server_core, wrk_core = core_shares(args.server_cpu), core_shares(args.wrk_cpu)
    errors = wrk["errors"]
    report = dict(kv.split("=", 1) for kv in args.label)
    report.update({
        "command": command,
        "durationSeconds": seconds,
        "requests": wrk["requests"],
        "requestsPerSecond": wrk["requests"] / seconds,
        "bytes": wrk["bytes"],
        "megabytesPerSecond": wrk["bytes"] / seconds / 1e6,
        # What wrk itself counts: failed connects, read/write errors (a reset, a close mid-response),
        # timeouts (no response within its 2 s), and responses with a status of 400 or more.
        "errors": errors,
        "socketErrors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "latencyMicroseconds": wrk["latencyMicroseconds"],
        "tcp": {
            "scope": args.counters_scope,
            "connectionsOpened": delta.get("Tcp.ActiveOpens", 0),
            "connectionsAccepted": delta.get("Tcp.PassiveOpens", 0),
            "connectFailures": delta.get("Tcp.AttemptFails", 0),
            "resetsSent": delta.get("Tcp.OutRsts", 0),
            "retransmittedSegments": delta.get("Tcp.RetransSegs", 0),
            "listenQueueOverflows": delta.get("TcpExt.ListenOverflows", 0),
            "listenDrops": delta.get("TcpExt.ListenDrops", 0),
        },
        "connectionsOpenedPer1000Requests": 1000 * delta.get("Tcp.ActiveOpens", 0) / wrk["requests"] if wrk["requests"] else None,
        "cpu": {
            # Shares of one core: the server is pinned to one core and wrk to the other, so 1.0 is
            # a saturated core.
            "server": server_cpu,
            "wrk": wrk_cpu,
            # Each pinned core's time by /proc/stat column (shares of the run), and busy: user,
            # nice, system, irq and softirq.
            "serverCore": server_core,
            "wrkCore": wrk_core,
            # Busy time on each core that is neither the server's nor wrk's: the rest of the
            # machine's work, plus any interrupt time the kernel did not charge to our processes.
            "othersOnServerCore": max(0.0, server_core["busy"] - server_cpu),
            "othersOnWrkCore": max(0.0, wrk_core["busy"] - wrk_cpu),
        },
        "loadAverage": {"before": load_before, "after": load_after},
    })
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    print(f"{report['requestsPerSecond']:,.0f} requests/s, p50 {wrk['latencyMicroseconds']['p50']:,} µs, p99 {wrk['latencyMicroseconds']['p99']:,} µs, "
          f"{report['tcp']['connectionsOpened']:,} connections opened, socket errors {report['socketErrors']:,}, "
          f"server CPU {server_cpu:.0%}, wrk CPU {wrk_cpu:.0%}", file=sys.stderr)


if __name__ == "__main__":
    main()
