#!/usr/bin/env bash
# Duplex's session transports next to SignalR's, on this machine (docs/TRANSPORTS.md): every
# transport x {1, 100 clients} x {Duplex, SignalR}, each run with `duplex bench sessions`:
#
#   server: taskset -c 0 (duplex bench session-server | bench/SignalRAnchor)
#   load:   taskset -c 1 duplex bench sessions --server S --url URL -t T -c N -r RATE -d DURATION -w WARMUP
#
# The load generator runs the clients (Duplex's RealtimeClient, or SignalR's .NET client pinned to
# the same transport) and, between them and the server, the counting relay that measures the bytes
# and HTTP requests of both alike. SignalR has no short polling: that row is Duplex's alone. Each
# run starts its server afresh on a new port. Results go to bench/results/sessions-DATE/: one JSON
# per run (<server>.<transport>.<clients>.json), environment.json, the servers' logs, and
# summary.md (printed too): the table with the ratios to SignalR and the three goals. Then long
# polling at LOAD_RATE messages/s per client with the most clients, for both libraries
# (load-<server>.long-polling.<clients>.json).
#
#   bench/sessions-side-by-side.sh                         # about 4 minutes
#   DURATION=2 WARMUP=0.5 CLIENTS="1" bench/sessions-side-by-side.sh     # a quick look
#   TRANSPORTS="websocket long-polling" SERVERS=duplex bench/sessions-side-by-side.sh
#
# Needs: the .NET SDK, python3, taskset.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
DURATION="${DURATION:-3}"
WARMUP="${WARMUP:-1}"
# Messages per second per client in each direction's window: 100 clients make 2,000 a second
# each way, which the 2-core machine carries on every transport of both libraries.
RATE="${RATE:-20}"
# Long polling batches only when a client's messages come faster than a poll's round trip: it is
# also run at this rate per client with the most clients (both libraries), as "under load".
# LOAD_RATE= (empty) skips those runs.
LOAD_RATE="${LOAD_RATE-100}"
SIZE="${SIZE:-16}"
CLIENTS="${CLIENTS:-1 100}"
TRANSPORTS="${TRANSPORTS:-websocket sse long-polling polling}"
SERVERS="${SERVERS:-duplex signalr}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
# Ports 19501 and up: clear of side-by-side.sh's (19101...) and http-side-by-side.sh's (19301...).
PORT="${BASE_PORT:-19500}"
START_TIMEOUT="${START_TIMEOUT:-30}"
NOTE="${NOTE:-}"
OUT="${OUT:-$ROOT/bench/results/sessions-$(date -u +%Y%m%dT%H%M%SZ)}"
ART="${ART:-${TMPDIR:-/tmp}/duplex-sessions-bench-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'sessions-side-by-side: %s\n' "$*" >&2; exit 1; }

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
command -v python3 >/dev/null || die "python3 is not on PATH (it writes the summary)"
command -v taskset >/dev/null || die "taskset (util-linux) is not on PATH"
CORES="$(nproc --all)"
[ "$SERVER_CPU" != "$LOAD_CPU" ] && [ "$SERVER_CPU" -lt "$CORES" ] && [ "$LOAD_CPU" -lt "$CORES" ] \
    || die "SERVER_CPU=$SERVER_CPU and LOAD_CPU=$LOAD_CPU must be two different cores of this machine's $CORES"

SERVER_PID=""
BENCH_PID=""
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
cleanup() {
    [ -z "$BENCH_PID" ] || { kill -TERM "$BENCH_PID" 2>/dev/null; wait "$BENCH_PID" 2>/dev/null; } || true
    stop_server
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT"
say "results in $OUT"
say "building Release"
dotnet build "$ROOT/src/Duplex.Cli" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/SignalRAnchor" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
DUPLEX="$ART/bin/Duplex.Cli/release/Duplex.Cli.dll"
ANCHOR="$ART/bin/SignalRAnchor/release/SignalRAnchor.dll"

COMMIT="$(git rev-parse --short HEAD)" \
DIRTY="$(git status --porcelain -- src bench ':!bench/results')" \
DOTNET_VERSION="$(dotnet --version)" \
BUSIEST="$(ps -eo pcpu=,comm= --sort=-pcpu | grep -v ' ps$' | head -n 5)" \
NOTE="$NOTE" LOAD_RATE="$LOAD_RATE" DURATION="$DURATION" WARMUP="$WARMUP" RATE="$RATE" SIZE="$SIZE" CLIENTS="$CLIENTS" \
TRANSPORTS="$TRANSPORTS" SERVERS="$SERVERS" SERVER_CPU="$SERVER_CPU" LOAD_CPU="$LOAD_CPU" CORES="$CORES" \
python3 - "$OUT/environment.json" <<'PY'
import json, os, platform, sys, time
e = os.environ
json.dump({
    "commit": e["COMMIT"],
    "uncommittedChanges": bool(e["DIRTY"]),
    "dotnet": e["DOTNET_VERSION"],
    "kernel": platform.release(),
    "cores": int(e["CORES"]),
    "serverCpu": int(e["SERVER_CPU"]), "loadCpu": int(e["LOAD_CPU"]),
    "servers": e["SERVERS"].split(), "transports": e["TRANSPORTS"].split(), "clients": [int(c) for c in e["CLIENTS"].split()],
    "ratePerClient": float(e["RATE"]), "size": int(e["SIZE"]),
    "loadRatePerClient": float(e["LOAD_RATE"]) if e["LOAD_RATE"] else None,
    "durationSeconds": float(e["DURATION"]), "warmupSeconds": float(e["WARMUP"]),
    "note": e["NOTE"],
    "busiestProcessesAtStart": [" ".join(l.split()) for l in e["BUSIEST"].splitlines()],
    # The machine is shared: its load average (1, 5, 15 min) says how much else ran; again at the end.
    "loadAverageAtStart": [round(x, 2) for x in os.getloadavg()],
    "startedUtc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
}, open(sys.argv[1], "w", encoding="utf-8"), indent=2)
PY

port_is_listening() { ss -Htln "sport = :$1" | grep -q .; }

start_server() { # name
    local name="$1" log="$OUT/$1.server.log"
    PORT=$((PORT + 1))
    port_is_listening "$PORT" && die "port $PORT is already in use: set BASE_PORT to a free range"
    case "$name" in
        duplex)  taskset -c "$SERVER_CPU" dotnet "$DUPLEX" bench session-server --port "$PORT" >>"$log" 2>&1 & ;;
        signalr) taskset -c "$SERVER_CPU" dotnet "$ANCHOR" "$PORT" >>"$log" 2>&1 & ;;
        *) die "unknown server '$name' (known: duplex signalr)" ;;
    esac
    SERVER_PID=$!
    local tries=$((START_TIMEOUT * 10))
    while ! port_is_listening "$PORT"; do
        kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=""; die "$name exited before listening; see $log"; }
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || die "$name did not listen on port $PORT within ${START_TIMEOUT}s; see $log"
        sleep 0.1
    done
}

failed=0
run_one() { # server transport clients rate file-stem
    local name="$1" transport="$2" clients="$3" rate="$4" stem="$5" status=0
    say "$name $transport, $clients clients, $rate msg/s each"
    start_server "$name"
    # In the background and waited for, so that a TERM reaches the trap at once.
    taskset -c "$LOAD_CPU" dotnet "$DUPLEX" bench sessions --server "$name" --url "http://127.0.0.1:$PORT" \
        -t "$transport" -c "$clients" -r "$rate" -s "$SIZE" -d "$DURATION" -w "$WARMUP" \
        --server-pid "$SERVER_PID" --quiet --json "$OUT/$stem.json" >"$OUT/$stem.txt" 2>&1 &
    BENCH_PID=$!
    wait "$BENCH_PID" || status=$?
    BENCH_PID=""
    stop_server
    if [ "$status" -ne 0 ]; then
        failed=$((failed + 1))
        say "$stem: exit $status (see $OUT/$stem.txt)"
    fi
}

for clients in $CLIENTS; do
    for transport in $TRANSPORTS; do
        for name in $SERVERS; do
            if [ "$name" = signalr ] && [ "$transport" = polling ]; then
                continue
            fi
            run_one "$name" "$transport" "$clients" "$RATE" "$name.$transport.$clients"
        done
    done
done

if [ -n "$LOAD_RATE" ]; then
    most="$(printf '%s\n' $CLIENTS | sort -n | tail -n 1)"
    for name in $SERVERS; do
        run_one "$name" long-polling "$most" "$LOAD_RATE" "load-$name.long-polling.$most"
    done
fi

python3 - "$OUT/environment.json" <<'PY'
import json, os, sys, time
env = json.load(open(sys.argv[1], encoding="utf-8"))
env["loadAverageAtEnd"] = [round(x, 2) for x in os.getloadavg()]
env["endedUtc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
json.dump(env, open(sys.argv[1], "w", encoding="utf-8"), indent=2)
PY
python3 "$ROOT/bench/summarize_sessions.py" "$OUT" >"$OUT/summary.md"
cat "$OUT/summary.md"
say "done: $OUT ($failed runs reported errors)"
