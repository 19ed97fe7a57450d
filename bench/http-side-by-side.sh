#!/usr/bin/env bash
# HTTP/1.1 keep-alive throughput, side by side (issue 10, "Measured"): the front page of the
# repository's web/ folder served by Duplex (`duplex serve`), by ASP.NET Core Kestrel with its
# static-file middleware (bench/servers/KestrelStatic) and by Debian's nginx with one worker,
# started one after another on this machine and loaded by the same `wrk`:
#
#   server: taskset -c 0 ...      load: taskset -c 1 wrk -t1 -c100 -dDURATION --latency URL
#
# Before measuring, each server must answer GET / with 200 and exactly the bytes of
# web/index.html; the response headers it sends (Connection, Content-Length, ETag, ...) and
# whether curl could reuse the connection for a second request are kept with the results, so
# that keep-alive is visibly on or off. Each repetition starts the server afresh, warms it up with
# a short wrk run, then measures. Per run: wrk's text and a JSON with requests/s, latency
# percentiles, wrk's error counts, the TCP connections the kernel saw opened (wrk reconnects
# silently when a server closes the connection), CPU of server, wrk and the rest of the machine.
# Results go to bench/results/http-DATE/, with summary.md (printed too) to paste into
# docs/BENCHMARKS.md.
#
#   bench/http-side-by-side.sh                          # 3 runs x 10 s per server (about 3 minutes)
#   REPEATS=1 DURATION=3 bench/http-side-by-side.sh     # a quick look
#   PATHS="/ /index.html" bench/http-side-by-side.sh    # the file by name too (/ is the contract)
#   SERVERS="duplex nginx" NOTE="..." bench/http-side-by-side.sh
#   BASELINE=3aa36fc bench/http-side-by-side.sh         # and Duplex as of that commit, in the same run
#
# Needs: the .NET SDK, python3, curl; wrk and nginx are installed with apt-get when missing
# (as root, or with sudo). Run as root, it runs everything in a network namespace of its own,
# so that the kernel's TCP counters count this benchmark's connections alone (NETNS=0: don't).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
REPEATS="${REPEATS:-3}"
DURATION="${DURATION:-10}"
# Long enough for .NET's tiered JIT to have compiled the request path at full optimisation (it
# recompiles a method after 30 calls, in the background, within about a second) and for each
# server to have all 100 connections open; the same as side-by-side.sh's warm-up.
WARMUP="${WARMUP:-2}"
# The issue's contract: 100 connections on one wrk thread (wrk has one core: one thread).
CONNECTIONS="${CONNECTIONS:-100}"
# BASELINE: a commit whose Duplex runs beside this tree's as server "baseline" (before and after
# in one run: the shared machine moves absolute numbers by a third between runs).
BASELINE="${BASELINE:-}"
SERVERS="${SERVERS:-duplex ${BASELINE:+baseline }kestrel nginx}"
PATHS="${PATHS:-/}"
SERVER_CPU="${SERVER_CPU:-0}"
WRK_CPU="${WRK_CPU:-1}"
# Ports 19301 and up: clear of side-by-side.sh's (19101 and up). Every server start takes the
# next port, so nothing a previous server left behind (sockets in TIME_WAIT) meets the next one.
PORT="${BASE_PORT:-19300}"
# How long a server may take to listen: a cold `dotnet` start on a busy 2-core machine can take
# several seconds; anything past this is a failure, not slowness.
START_TIMEOUT="${START_TIMEOUT:-30}"
NOTE="${NOTE:-}"
OUT="${OUT:-$ROOT/bench/results/http-$(date -u +%Y%m%dT%H%M%SZ)}"
# Build output outside the tree, one folder per worktree: several worktrees of this repository
# build the same project names, and sharing one artifacts folder would mix their binaries.
ART="${ART:-${TMPDIR:-/tmp}/duplex-http-bench-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)}"
WEB="$ROOT/web"
NS_NAME="duplex-http-bench-$$"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'http-side-by-side: %s\n' "$*" >&2; exit 1; }

[ -f "$WEB/index.html" ] || die "no $WEB/index.html to serve"
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
command -v python3 >/dev/null || die "python3 is not on PATH (it writes the JSON and the summary)"
command -v taskset >/dev/null || die "taskset (util-linux) is not on PATH"
CORES="$(nproc --all)"
[ "$SERVER_CPU" != "$WRK_CPU" ] && [ "$SERVER_CPU" -lt "$CORES" ] && [ "$WRK_CPU" -lt "$CORES" ] \
    || die "SERVER_CPU=$SERVER_CPU and WRK_CPU=$WRK_CPU must be two different cores of this machine's $CORES"

# --- wrk, nginx and curl from Debian, when missing (as test.sh installs chromium) -------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get to install them"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "missing ${missing[*]}: run as root or install them"
        SUDO=(sudo)
    fi
    "${SUDO[@]}" apt-get update -qq
    # Debian starts nginx's own service on install (the default site on port 80); this script
    # runs its own instance and does not touch that one.
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
command -v wrk >/dev/null || die "wrk is still missing after apt-get install"
[ -x /usr/sbin/nginx ] || die "nginx is still missing after apt-get install"
NGINX=/usr/sbin/nginx

# --- scratch space, the network namespace, and cleaning up whatever happens ------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/duplex-http-bench.XXXXXX")"
SERVER_PID=""
MEASURE_PID=""
NS=()
COUNTERS_SCOPE="the machine's network namespace, so other programs' connections too"

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    # A graceful stop takes well under a second; past 10 s the server is stuck: kill it.
    for _ in $(seq 1 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cleanup() {
    # measure.py stops its wrk when it is terminated.
    [ -z "$MEASURE_PID" ] || { kill -TERM "$MEASURE_PID" 2>/dev/null; wait "$MEASURE_PID" 2>/dev/null; } || true
    stop_server
    [ "${#NS[@]}" -eq 0 ] || ip netns delete "$NS_NAME" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${NETNS:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null \
    && ip netns add "$NS_NAME" 2>/dev/null; then
    NS=(ip netns exec "$NS_NAME")
    "${NS[@]}" ip link set lo up
    COUNTERS_SCOPE="a network namespace of the run's own, so only this benchmark's connections"
fi

mkdir -p "$OUT"
say "results in $OUT"

say "building Release"
dotnet build "$ROOT/src/Duplex.Cli" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/servers/KestrelStatic" -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
BASELINE_COMMIT=""
if [ -n "$BASELINE" ]; then
    BASELINE_COMMIT="$(git rev-parse --short "$BASELINE^{commit}")" || die "BASELINE=$BASELINE is not a commit"
    say "building Duplex at $BASELINE_COMMIT (the baseline)"
    # The commit's files only (git archive), so that neither this worktree nor git's list of
    # worktrees changes; built into artifacts of its own.
    mkdir -p "$TMP/baseline"
    git archive --format=tar "$BASELINE_COMMIT" | tar -x -C "$TMP/baseline"
    dotnet build "$TMP/baseline/src/Duplex.Cli" -c Release --artifacts-path "$ART/baseline-$BASELINE_COMMIT" -v quiet -nologo >/dev/null
fi

# --- what was measured, for the record --------------------------------------------------------
# Passed through the environment, not pasted into the Python: NOTE may hold any character.
COMMIT="$(git rev-parse --short HEAD)" \
DIRTY="$(git status --porcelain -- src web bench ':!bench/results')" \
BASELINE_COMMIT="$BASELINE_COMMIT" \
DOTNET_VERSION="$(dotnet --version)" \
NGINX_VERSION="$("$NGINX" -v 2>&1)" \
WRK_VERSION="$(wrk -v 2>&1 | head -n 1 || true)" \
BUSIEST="$(ps -eo pcpu=,comm= --sort=-pcpu | grep -v ' ps$' | head -n 5)" \
COUNTERS_SCOPE="$COUNTERS_SCOPE" NOTE="$NOTE" REPEATS="$REPEATS" DURATION="$DURATION" WARMUP="$WARMUP" \
CONNECTIONS="$CONNECTIONS" PATHS="$PATHS" SERVERS="$SERVERS" SERVER_CPU="$SERVER_CPU" WRK_CPU="$WRK_CPU" CORES="$CORES" \
python3 - "$OUT/environment.json" <<'EOF'
import json, os, platform, sys, time
e = os.environ
json.dump({
    "commit": e["COMMIT"],
    # Changes not in the commit, in anything the run is made of (src, web, bench but its results).
    "uncommittedChanges": bool(e["DIRTY"]),
    "baselineCommit": e["BASELINE_COMMIT"] or None,
    "dotnet": e["DOTNET_VERSION"],
    "nginx": e["NGINX_VERSION"].removeprefix("nginx version: "),
    "wrk": e["WRK_VERSION"],
    "kernel": platform.release(),
    "cores": int(e["CORES"]),
    "serverCpu": int(e["SERVER_CPU"]), "wrkCpu": int(e["WRK_CPU"]),
    "servers": e["SERVERS"].split(), "paths": e["PATHS"].split(),
    "repeats": int(e["REPEATS"]), "durationSeconds": int(e["DURATION"]), "warmupSeconds": int(e["WARMUP"]),
    "connections": int(e["CONNECTIONS"]),
    "tcpCountersScope": e["COUNTERS_SCOPE"],
    "note": e["NOTE"],
    # The machine is shared: what else was busy when the run started (ps's %CPU, which is the
    # share of each process's lifetime, and its command).
    "busiestProcessesAtStart": [" ".join(l.split()) for l in e["BUSIEST"].splitlines()],
    "startedUtc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
}, open(sys.argv[1], "w", encoding="utf-8"), indent=2)
EOF

# --- servers ---------------------------------------------------------------------------------
port_is_listening() { # port
    "${NS[@]}" ss -Htln "sport = :$1" | grep -q .
}

# nginx as Debian configures it (sendfile, tcp_nopush, its mime.types), but with one worker, no
# access log, and everything it writes (pid, error log, temp files) in a scratch folder.
write_nginx_conf() { # dir port
    local dir="$1" port="$2"
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<EOF
# Written by bench/http-side-by-side.sh for one run; a copy is kept with the results.
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
# Debian's own nginx.conf runs the worker as www-data; nginx's built-in default group (nobody)
# does not exist on Debian.
user www-data;
events {
    # Room for the 100 connections and any reconnects; Debian's nginx.conf says 768.
    worker_connections 1024;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # text/html; charset=utf-8, as Duplex sends it.
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    access_log off;
    keepalive_timeout 65s;
    # nginx closes a keep-alive connection after 1,000 requests by default; the other servers
    # never do. With no limit in practice, a reconnect counted here means a server closed.
    keepalive_requests 1000000000;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$port;
        root $WEB;
        index index.html;
    }
}
EOF
}

start_server() { # name -> SERVER_PID, PORT
    local name="$1" log
    PORT=$((PORT + 1))
    port_is_listening "$PORT" && die "port $PORT is already in use: set BASE_PORT to a free range"
    log="$OUT/$name.server.log"
    local pin=(taskset -c "$SERVER_CPU")
    case "$name" in
        duplex)  "${NS[@]}" "${pin[@]}" dotnet "$ART/bin/Duplex.Cli/release/Duplex.Cli.dll" serve --host 127.0.0.1 --port "$PORT" --web "$WEB" >>"$log" 2>&1 & ;;
        baseline)
            [ -n "$BASELINE_COMMIT" ] || die "server 'baseline' needs BASELINE=<commit>"
            "${NS[@]}" "${pin[@]}" dotnet "$ART/baseline-$BASELINE_COMMIT/bin/Duplex.Cli/release/Duplex.Cli.dll" serve --host 127.0.0.1 --port "$PORT" --web "$WEB" >>"$log" 2>&1 &
            ;;
        kestrel) "${NS[@]}" "${pin[@]}" dotnet "$ART/bin/KestrelStatic/release/KestrelStatic.dll" "$PORT" "$WEB" >>"$log" 2>&1 & ;;
        nginx)
            write_nginx_conf "$TMP/nginx-$PORT" "$PORT"
            cp "$TMP/nginx-$PORT/nginx.conf" "$OUT/nginx.conf"
            "${NS[@]}" "${pin[@]}" "$NGINX" -p "$TMP/nginx-$PORT" -c "$TMP/nginx-$PORT/nginx.conf" -e "$TMP/nginx-$PORT/error.log" >>"$log" 2>&1 &
            ;;
        *) die "unknown server '$name' (known: duplex baseline kestrel nginx)" ;;
    esac
    SERVER_PID=$!
    local tries=$((START_TIMEOUT * 10))
    while ! port_is_listening "$PORT"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            [ "$name" != nginx ] || cat "$TMP/nginx-$PORT/error.log" >>"$log" 2>/dev/null || true
            die "$name exited before listening on port $PORT; its output ($log) ends with:
$(tail -n 20 "$log")"
        fi
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || die "$name did not listen on port $PORT within ${START_TIMEOUT}s; see $log"
        sleep 0.1
    done
}

# The contract before any number counts: 200 and the very bytes of web/index.html. Also kept:
# the response headers, and whether curl could send a second request on the same connection.
check_server() { # scenario name url
    local scenario="$1" name="$2" url="$3" status reused=false
    status="$("${NS[@]}" curl -sS --max-time 5 -o "$TMP/body" -D "$OUT/headers.$scenario.$name.txt" -w '%{http_code}' "$url")" \
        || die "$name: curl $url failed"
    [ "$status" = 200 ] || die "$name answered $url with $status, not 200 (headers: $OUT/headers.$scenario.$name.txt)"
    cmp -s "$TMP/body" "$WEB/index.html" \
        || die "$name's body for $url ($(wc -c <"$TMP/body") bytes) is not web/index.html ($(wc -c <"$WEB/index.html") bytes)"
    # Two URLs on one command line: curl reuses the connection when the server kept it open.
    if "${NS[@]}" curl -sv --max-time 5 "$url" "$url" -o /dev/null -o /dev/null 2>&1 | grep -q 'Re-using existing connection'; then
        reused=true
    fi
    cat >"$OUT/check.$scenario.$name.json" <<EOF
{"url": "$url", "status": $status, "bodyBytes": $(wc -c <"$TMP/body"), "bodySha256": "$(sha256sum "$TMP/body" | cut -d' ' -f1)", "sameBytesAsFile": true, "secondRequestReusedConnection": $reused}
EOF
}

run_wrk() { # seconds url json text labels...
    local seconds="$1" url="$2" json="$3" text="$4" status=0; shift 4
    # In the background and waited for: bash runs a trap only once a foreground command ends, so a
    # TERM would otherwise wait out the whole run; `wait` returns at once and the trap stops it.
    "${NS[@]}" python3 "$ROOT/bench/http/measure.py" --json "$json" --text "$text" \
        --server-pid "$SERVER_PID" --server-cpu "$SERVER_CPU" --wrk-cpu "$WRK_CPU" \
        --counters-scope "$COUNTERS_SCOPE" "$@" -- \
        taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$ROOT/bench/http/wrk-report.lua" "$url" &
    MEASURE_PID=$!
    wait "$MEASURE_PID" || status=$?
    MEASURE_PID=""
    return "$status"
}

# Repetitions outermost, servers inside: a slow stretch of the shared machine then falls on every
# server alike instead of on one server's runs.
for path in $PATHS; do
    case "$path" in
        /) scenario=front ;;
        /index.html) scenario=index ;;
        *) die "PATHS: only / and /index.html are served as the same file" ;;
    esac
    for repeat in $(seq 1 "$REPEATS"); do
        for name in $SERVERS; do
            say "$scenario ($path) on $name, run $repeat/$REPEATS"
            start_server "$name"
            url="http://127.0.0.1:$PORT$path"
            check_server "$scenario" "$name" "$url"
            run_wrk "$WARMUP" "$url" "$TMP/warmup.json" "$TMP/warmup.txt" --label server="$name" 2>/dev/null \
                || die "$name: the warm-up run failed: $(cat "$TMP/warmup.txt" 2>/dev/null)"
            run_wrk "$DURATION" "$url" "$OUT/$scenario.$name.$repeat.json" "$OUT/$scenario.$name.$repeat.txt" \
                --label server="$name" --label scenario="$scenario" --label repeat="$repeat" --label path="$path" \
                || die "$name: the measured run failed (see $OUT/$scenario.$name.$repeat.txt)"
            stop_server
        done
    done
done

python3 "$ROOT/bench/summarize_http.py" "$OUT" >"$OUT/summary.md"
cat "$OUT/summary.md"
say "done: $OUT (summary.md to paste into docs/BENCHMARKS.md)"
