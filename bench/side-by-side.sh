#!/usr/bin/env bash
# Side-by-side benchmarks: Duplex, ASP.NET Core Kestrel (built-in WebSocket middleware), Node's
# `ws`, and a raw TCP echo (the ceiling: no framing at all), started one after another on this
# machine and measured by the same load generator (`duplex bench`), each scenario repeated
# REPEATS times. Results (JSON per run) go to bench/results/DATE/, and the summary with medians,
# spreads and ratios to docs/BENCHMARKS.md.
#
#   bench/side-by-side.sh                 # everything (about 15 minutes on 2 cores)
#   REPEATS=1 DURATION=3 bench/side-by-side.sh   # a quick look
#   SCENARIOS="echo64 latency" bench/side-by-side.sh
#
# Needs: the .NET SDK, node (the `ws` package from tests/peers: run ./test.sh once, or
# `npm ci` in tests/peers), python3 for the summary.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
REPEATS="${REPEATS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
SUBSCRIBERS="${SUBSCRIBERS:-1000}"
SCENARIOS="${SCENARIOS:-echo64 echo64k latency idle fanout}"
OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}"
ART="${ART:-/tmp/duplex-bench-artifacts}"
mkdir -p "$OUT"

say() { printf '==> %s\n' "$*" >&2; }

# Raise the open-file limit as far as the machine allows: idle runs hold many sockets.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Idle connections: as many as the open-file limit allows (issue 4), less room for everything
# else the generator and the servers keep open, at most 100,000. One-time costs and the GC's
# fixed slack spread over more connections, so the per-connection figures are steadier too.
OPEN_FILES="$(ulimit -n)"; [ "$OPEN_FILES" = unlimited ] && OPEN_FILES=102000
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-$(( OPEN_FILES > 102000 ? 100000 : OPEN_FILES - 2000 ))}"

say "building Release"
dotnet build "$ROOT/src/Duplex.Cli" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/servers/KestrelBench" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/servers/RawTcpEcho" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
[ -d "$ROOT/tests/peers/node_modules/ws" ] || (cd "$ROOT/tests/peers" && npm ci --no-audit --no-fund --loglevel=error)

DUPLEX=(dotnet "$ART/bin/Duplex.Cli/release/Duplex.Cli.dll")
PORT=19100

start_server() { # name -> sets SERVER_PID, URL
    local name="$1"
    PORT=$((PORT + 1))
    case "$name" in
        duplex)  "${DUPLEX[@]}" echo --host 127.0.0.1 --port "$PORT" >"$OUT/$name.server.log" 2>&1 & ;;
        kestrel) dotnet "$ART/bin/KestrelBench/release/KestrelBench.dll" "$PORT" >"$OUT/$name.server.log" 2>&1 & ;;
        ws)      node "$ROOT/bench/servers/ws-bench-server.js" "$PORT" >"$OUT/$name.server.log" 2>&1 & ;;
        raw)     dotnet "$ART/bin/RawTcpEcho/release/RawTcpEcho.dll" "$PORT" >"$OUT/$name.server.log" 2>&1 & ;;
        rawmsg)  dotnet "$ART/bin/RawTcpEcho/release/RawTcpEcho.dll" "$PORT" 65536 >"$OUT/$name.server.log" 2>&1 & ;;
    esac
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
        sleep 0.05
    done
    case "$name" in raw|rawmsg) URL="tcp://127.0.0.1:$PORT" ;; *) URL="ws://127.0.0.1:$PORT" ;; esac
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}

bench() { # scenario server repeat args...
    local scenario="$1" server="$2" repeat="$3"; shift 3
    say "$scenario on $server (run $repeat/$REPEATS)"
    if ! "${DUPLEX[@]}" bench "$@" --quiet --json "$OUT/$scenario.$server.$repeat.json" >"$OUT/$scenario.$server.$repeat.txt" 2>&1; then
        say "  $scenario on $server reported errors (see $OUT/$scenario.$server.$repeat.txt); its JSON is kept"
    fi
}

for scenario in $SCENARIOS; do
    case "$scenario" in
        echo64|latency) servers="duplex kestrel ws raw" ;;
        # rawmsg: the raw echo in whole 64 KiB messages (store-and-forward), the ceiling for any
        # server that hands whole messages to its application.
        echo64k) servers="duplex kestrel ws raw rawmsg" ;;
        *) servers="duplex kestrel ws" ;;
    esac
    for repeat in $(seq 1 "$REPEATS"); do
        for server in $servers; do
            start_server "$server"
            path="/echo"; case "$server" in raw|rawmsg) path="" ;; esac
            case "$scenario" in
                echo64)  bench "$scenario" "$server" "$repeat" echo "$URL$path" --connections 100 --in-flight 16 --size 64 --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" ;;
                echo64k) bench "$scenario" "$server" "$repeat" echo "$URL$path" --connections 10 --in-flight 1 --size 65536 --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" ;;
                latency) bench "$scenario" "$server" "$repeat" echo "$URL$path" --connections 1 --in-flight 1 --size 64 --duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" ;;
                idle)    bench "$scenario" "$server" "$repeat" idle "$URL/echo" --connections "$IDLE_CONNECTIONS" --hold 5 --server-pid "$SERVER_PID" ;;
                fanout)  bench "$scenario" "$server" "$repeat" fanout "$URL" --subscribers "$SUBSCRIBERS" --messages 200 --burst 200 --size 64 --timeout 60 --server-pid "$SERVER_PID" ;;
            esac
            stop_server
        done
    done
done

say "summarising into docs/BENCHMARKS.md"
python3 "$ROOT/bench/summarize.py" "$OUT" "$ROOT/docs/BENCHMARKS.md"
say "done: $OUT"
# bench/results/ is ignored (.gitignore): a run is kept only once a document cites it.
say "docs/BENCHMARKS.md now cites it: keep it with  git add -f ${OUT#"$ROOT"/}  (and git rm -r the run it replaces if nothing cites that any more)"
