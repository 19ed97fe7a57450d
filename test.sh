#!/usr/bin/env bash
# Runs every test of Duplex.
#
# 1. Installs what the interop tests need, only when it is missing (so reruns are fast):
#    Debian's chromium, python3-websockets and curl, and the Node peers' packages (npm ci from
#    the committed tests/peers/package-lock.json).
# 2. Builds and runs all test projects of Duplex.slnx, with a TRX file per project in
#    TestResults/ (emptied first); then runs the server, client and conformance tests a second
#    time on .NET's own socket waits (DUPLEX_SOCKET_ENGINE=dotnet), the path every system other
#    than Linux takes, so that it stays tested here; and the realtime and interop tests a third
#    time through ASP.NET Core on Kestrel (DUPLEX_TEST_HOST=aspnetcore). Both are skipped when TEST_FILTER is set.
# 3. Prints the totals, counted from the TRX files, alone on the last line:
#        N passed, N failed, N skipped
#    and exits non-zero if the build or any test failed, or if no test ran.
#
# Needs: the .NET SDK of global.json, node (20 or later) with npm, and apt-get (Debian) when a
# package is missing. Environment: TEST_FILTER=EXPR passes `--filter EXPR` to dotnet test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT="$PWD"
RESULTS="$ROOT/TestResults"

say() { printf '==> %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NPM_CONFIG_UPDATE_NOTIFIER=false
export PYTHONDONTWRITEBYTECODE=1

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
command -v node >/dev/null || die "node is not on PATH (Node.js 20 or later is needed)"
command -v npm >/dev/null || die "npm is not on PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "node $(node --version) is too old: the peers need Node.js 20 or later"

# --- system packages -------------------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)
[ -x /usr/bin/curl ] || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get to install them"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "missing ${missing[*]}: run as root or install them"
        SUDO=(sudo)
    fi
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" </dev/null
fi
[ -x /usr/bin/chromium ] || die "chromium is still missing after apt-get install"
/usr/bin/python3 -c 'import websockets' || die "python3-websockets is still missing after apt-get install"
[ -x /usr/bin/curl ] || die "curl is still missing after apt-get install"

# --- node packages of the peers --------------------------------------------------------------
PEERS="$ROOT/tests/peers"
lock_sum="$(sha256sum "$PEERS/package-lock.json" | cut -d' ' -f1)"
stamp="$PEERS/node_modules/.duplex-lock-sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
    say "npm ci in tests/peers"
    (cd "$PEERS" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    printf '%s\n' "$lock_sum" >"$stamp"
fi

# --- build and test --------------------------------------------------------------------------
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

test_args=(
    test "$ROOT/Duplex.slnx"
    --logger trx
    --results-directory "$RESULTS"
    --blame-hang-timeout 5min
    --blame-hang-dump-type none
)
if [ -n "${TEST_FILTER:-}" ]; then
    test_args+=(--filter "$TEST_FILTER")
fi
if [ -n "${CI:-}" ]; then
    # Leave no compiler or MSBuild server running after the run.
    test_args+=(--disable-build-servers)
fi

say "dotnet ${test_args[*]}"
set +e
timeout --kill-after=30s 18m dotnet "${test_args[@]}" </dev/null
test_rc=$?
set -e
if [ "$test_rc" -eq 124 ] || [ "$test_rc" -eq 137 ]; then
    printf 'test.sh: dotnet test did not finish within 18 minutes\n' >&2
fi

if [ -z "${TEST_FILTER:-}" ] && [ "$test_rc" -eq 0 ]; then
    say "the server, client and conformance tests again on .NET's socket waits (DUPLEX_SOCKET_ENGINE=dotnet)"
    set +e
    DUPLEX_SOCKET_ENGINE=dotnet timeout --kill-after=30s 5m dotnet test "$ROOT/tests/Duplex.Tests" --no-build \
        --logger trx --results-directory "$RESULTS/dotnet-socket-waits" \
        --blame-hang-timeout 3min --blame-hang-dump-type none \
        --filter '(FullyQualifiedName~Duplex.Tests.Integration|FullyQualifiedName~Duplex.Tests.Conformance)&FullyQualifiedName!~HostedTests' </dev/null
    test_rc=$?
    set -e
fi

if [ -z "${TEST_FILTER:-}" ] && [ "$test_rc" -eq 0 ]; then
    say "the realtime and interop tests again through ASP.NET Core on Kestrel (DUPLEX_TEST_HOST=aspnetcore)"
    set +e
    DUPLEX_TEST_HOST=aspnetcore timeout --kill-after=30s 4m dotnet test "$ROOT/tests/Duplex.Realtime.Tests" --no-build \
        --logger trx --results-directory "$RESULTS/aspnetcore-host" \
        --blame-hang-timeout 3min --blame-hang-dump-type none </dev/null
    test_rc=$?
    if [ "$test_rc" -eq 0 ]; then
        DUPLEX_TEST_HOST=aspnetcore timeout --kill-after=30s 4m dotnet test "$ROOT/tests/Duplex.Tests" --no-build \
            --logger trx --results-directory "$RESULTS/aspnetcore-host-interop" \
            --blame-hang-timeout 3min --blame-hang-dump-type none \
            --filter 'FullyQualifiedName~Duplex.Tests.Interop.ThirdPartyPeer|FullyQualifiedName~Duplex.Tests.Interop.ClientWebSocket|FullyQualifiedName~Duplex.Tests.Interop.Chromium|FullyQualifiedName~Duplex.Tests.Interop.InteropHostSelection' </dev/null
        test_rc=$?
    fi
    set -e
fi

# --- totals from the TRX files ---------------------------------------------------------------
passed=0 failed=0 skipped=0 executed=0 trx_count=0 total=0 ran=0
counter() { # attribute name, Counters element
    local v
    v="$(printf '%s' "$2" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9][0-9]*' || true)"
    printf '%s' "${v:-0}"
}
while IFS= read -r -d '' trx; do
    trx_count=$((trx_count + 1))
    counters="$(tr '\n' ' ' <"$trx" | grep -o '<Counters [^>]*>' || true)"
    if [ -z "$counters" ]; then
        printf 'test.sh: %s has no <Counters>\n' "$trx" >&2
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + $(counter passed "$counters")))
    failed=$((failed + $(counter failed "$counters") + $(counter error "$counters") \
        + $(counter timeout "$counters") + $(counter aborted "$counters")))
    # A skipped test counts in total but not in executed (TRX leaves notExecuted at 0 for it).
    total="$(counter total "$counters")"
    ran="$(counter executed "$counters")"
    if [ "$total" -gt "$ran" ]; then skipped=$((skipped + total - ran)); fi
    executed=$((executed + ran))
done < <(find "$RESULTS" -name '*.trx' -type f -print0)

status=0
# Each test project writes its own TRX file; fewer files means a project did not run.
test_projects="$(grep -o 'Path="tests/[^"]*\.csproj"' "$ROOT/Duplex.slnx" | wc -l)"
if [ "$trx_count" -lt "$test_projects" ]; then
    printf 'test.sh: found %s TRX files for %s test projects in Duplex.slnx\n' "$trx_count" "$test_projects" >&2
    status=1
fi
if [ "$test_rc" -ne 0 ]; then
    printf 'test.sh: dotnet test exited with code %s (build or test failure)\n' "$test_rc" >&2
    status=1
fi
if [ "$failed" -ne 0 ]; then status=1; fi
if [ "$executed" -eq 0 ]; then
    printf 'test.sh: no test was executed (%s TRX files in %s)\n' "$trx_count" "$RESULTS" >&2
    status=1
fi

printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
exit "$status"
