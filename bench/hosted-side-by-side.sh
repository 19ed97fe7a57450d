#!/usr/bin/env bash
# Issue 13: Duplex inside ASP.NET Core, side by side with ASP.NET Core's own WebSocket middleware
# on the same Kestrel, and with Duplex's built-in server, in one run:
#
#   duplex   `duplex echo` (the built-in server: Duplex's sockets and readiness engine)
#   hosted   bench/servers/KestrelBench --engine duplex (Kestrel's sockets, Duplex.AspNetCore's
#            MapWebSocket: Duplex's engine over the stream Kestrel hands over)
#   kestrel  bench/servers/KestrelBench (the same Kestrel, UseWebSockets + AcceptWebSocketAsync)
#
# The three serve the same /echo and /publish → /broadcast (the hosted mode compiles in duplex
# echo's own handlers). Each scenario runs REPEATS times, the three servers in turn within each
# repeat, each server started afresh; one load generator (`duplex bench`). JSON per run goes to
# bench/results/hosted-DATE/, with the machine's load before and after; bench/summarize_hosted.py
# writes the tables and ratios (hosted/middleware above all) into docs/BENCHMARKS.md.
#
#   bench/hosted-side-by-side.sh                          # 3 runs of 10 s each (about 10 minutes)
#   REPEATS=1 DURATION=3 bench/hosted-side-by-side.sh     # a quick look
#   SCENARIOS="echo64 latency" SERVERS="hosted kestrel" bench/hosted-side-by-side.sh
#   BASELINE=d784176 bench/hosted-side-by-side.sh         # and the hosted engine as of that commit
#   NOTE="what the machine was doing" bench/hosted-side-by-side.sh
#   DOC=- REPEATS=1 DURATION=3 bench/hosted-side-by-side.sh   # print the summary, leave the doc alone
#
# Needs: the .NET SDK, python3 for the summary.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
REPEATS="${REPEATS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
SUBSCRIBERS="${SUBSCRIBERS:-1000}"
FANOUT_MESSAGES="${FANOUT_MESSAGES:-1000}"
SCENARIOS="${SCENARIOS:-echo64 echo64k latency fanout}"
# BASELINE: a commit whose Duplex.AspNetCore runs beside this tree's, in KestrelBench --engine
# duplex built from that commit's files, as server "baseline" (before and after in one run).
BASELINE="${BASELINE:-}"
SERVERS="${SERVERS:-duplex hosted ${BASELINE:+baseline }kestrel}"
OUT="${OUT:-$ROOT/bench/results/hosted-$(date -u +%Y%m%dT%H%M%SZ)}"
ART="${ART:-/tmp/duplex-bench-artifacts}"
mkdir -p "$OUT"

say() { printf '==> %s\n' "$*" >&2; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say "building Release"
dotnet build "$ROOT/src/Duplex.Cli" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/servers/KestrelBench" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null

BASELINE_COMMIT=""
if [ -n "$BASELINE" ]; then
    BASELINE_COMMIT="$(git rev-parse --short "$BASELINE^{commit}")"
    say "building KestrelBench at $BASELINE_COMMIT (the baseline)"
    BASELINE_SRC="$(mktemp -d)"
    git archive --format=tar "$BASELINE_COMMIT" | tar -x -C "$BASELINE_SRC"
    dotnet build "$BASELINE_SRC/bench/servers/KestrelBench" -c Release --artifacts-path "$ART/baseline-$BASELINE_COMMIT" -v quiet -nologo >/dev/null
    rm -rf "$BASELINE_SRC"
fi

DUPLEX=(dotnet "$ART/bin/Duplex.Cli/release/Duplex.Cli.dll")
KESTREL=(dotnet "$ART/bin/KestrelBench/release/KestrelBench.dll")
PORT=19300

# What the run was, and how busy the machine was around it (the summary quotes both).
{
    echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench/servers || echo ' (with uncommitted changes to src or bench/servers)')"
    echo "started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "settings REPEATS=$REPEATS DURATION=$DURATION WARMUP=$WARMUP SUBSCRIBERS=$SUBSCRIBERS FANOUT_MESSAGES=$FANOUT_MESSAGES"
    echo "scenarios $SCENARIOS"
    echo "servers $SERVERS"
    echo "baseline ${BASELINE_COMMIT}"
    echo "dotnet $(dotnet --version)"
    echo "cores $(nproc)"
    echo "note ${NOTE:-}"
    echo "uptime before $(uptime)"
} >"$OUT/run.txt"

start_server() { # name -> sets SERVER_PID, URL
    local name="$1"
    PORT=$((PORT + 1))
    case "$name" in
        duplex)  "${DUPLEX[@]}" echo --host 127.0.0.1 --port "$PORT" >"$OUT/$name.server.log" 2>&1 & ;;
        hosted)  "${KESTREL[@]}" "$PORT" --engine duplex >"$OUT/$name.server.log" 2>&1 & ;;
        baseline) dotnet "$ART/baseline-$BASELINE_COMMIT/bin/KestrelBench/release/KestrelBench.dll" "$PORT" --engine duplex >"$OUT/$name.server.log" 2>&1 & ;;
        kestrel) "${KESTREL[@]}" "$PORT" >"$OUT/$name.server.log" 2>&1 & ;;
        *) say "unknown server $name"; exit 2 ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
        sleep 0.05
    done
    URL="ws://127.0.0.1:$PORT"
}

stop_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
trap stop_server EXIT

bench() { # scenario server repeat args...
    local scenario="$1" server="$2" repeat="$3"; shift 3
    say "$scenario on $server (run $repeat/$REPEATS)"
    if ! "${DUPLEX[@]}" bench "$@" --quiet --json "$OUT/$scenario.$server.$repeat.json" >"$OUT/$scenario.$server.$repeat.txt" 2>&1; then
        say "  $scenario on $server reported errors (see $OUT/$scenario.$server.$repeat.txt); its JSON is kept"
    fi
}

for scenario in $SCENARIOS; do
    for repeat in $(seq 1 "$REPEATS"); do
        for server in $SERVERS; do
            start_server "$server"
            case "$scenario" in
                echo64)  bench "$scenario" "$server" "$repeat" echo "$URL/echo" --connections 100 --in-flight 16 --size 64 --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" ;;
                echo64k) bench "$scenario" "$server" "$repeat" echo "$URL/echo" --connections 10 --in-flight 1 --size 65536 --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" ;;
                latency) bench "$scenario" "$server" "$repeat" echo "$URL/echo" --connections 1 --in-flight 1 --size 64 --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" ;;
                fanout)  bench "$scenario" "$server" "$repeat" fanout "$URL" --subscribers "$SUBSCRIBERS" --messages "$FANOUT_MESSAGES" --burst 200 --size 64 --timeout 60 --server-pid "$SERVER_PID" ;;
                *) say "unknown scenario $scenario"; exit 2 ;;
            esac
            stop_server
        done
    done
done

echo "uptime after $(uptime)" >>"$OUT/run.txt"
echo "finished $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$OUT/run.txt"

# DOC=- prints the summary without touching docs/BENCHMARKS.md (quick looks).
DOC="${DOC:-$ROOT/docs/BENCHMARKS.md}"
say "summarising into $DOC"
python3 "$ROOT/bench/summarize_hosted.py" "$OUT" "$DOC"
say "done: $OUT"
say "docs/BENCHMARKS.md now cites it: keep it with  git add -f ${OUT#"$ROOT"/}  (and git rm -r the run it replaces if nothing cites that any more)"
