#!/usr/bin/env bash
# Runs every test of Tether, from a fresh Debian 12 machine that has the .NET 10 SDK:
#   1. installs the system packages the tests need, when they are missing (Node.js and npm, Chromium, Redis);
#   2. installs the browser tests' npm packages, when node_modules is missing or older than the lock file;
#   3. builds Tether.slnx once, in Release;
#   4. runs every test project under tests/, two at a time, each into its own log, printed when the project ends;
#   5. ends with one line, "N passed, N failed" (", N skipped" when some were), and exits non-zero when a project
#      failed or no test ran.
# Environment: TEST_PARALLEL (projects run at once, default 2), TEST_HANG_TIMEOUT (per test, default 5m).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

readonly PARALLEL="${TEST_PARALLEL:-2}"
readonly HANG_TIMEOUT="${TEST_HANG_TIMEOUT:-5m}"
readonly LOG_DIR="TestResults/test-sh"
readonly BROWSER_DIR="tests/Tether.Browser.Tests"

# Quiet, reproducible dotnet; no MSBuild worker nodes left running after the script.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

say() { printf '\n==> %s\n' "$*"; }

# Runs a command as root: directly when we are root (as in CI), through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- 1. System packages -------------------------------------------------------------------------------------------
# Only what is missing is installed, so a prepared machine runs no apt-get at all.
#   nodejs, npm    the browser tests' npm packages (jQuery and the classic SignalR client)
#   chromium       the browser the browser tests drive (Debian's /usr/bin/chromium; nothing downloads a browser)
#   redis-server   the Redis scale-out tests, which start their own server on a free port
#   mono-runtime, libmono-*-cil
#                  Mono 6.8, which runs the official classic server (tests/testassets/ClassicServer) for the
#                  classic-server tests; the libraries are the framework assemblies SignalR and Json.NET load
#                  (a fraction of mono-complete: about 30 MB installed)
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || dpkg -s chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
for package in mono-runtime libmono-system-runtime-serialization4.0-cil libmono-system-xml-linq4.0-cil \
    libmono-system-data4.0-cil libmono-microsoft-csharp4.0-cil; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "Installing missing system packages: ${missing[*]}"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# --- 2. npm packages of the browser tests ---------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install: when it is missing or older than the lock file (or
# package.json), node_modules is missing or stale.
if [ -f "$BROWSER_DIR/package-lock.json" ]; then
    installed="$BROWSER_DIR/node_modules/.package-lock.json"
    if [ ! -f "$installed" ] || [ "$BROWSER_DIR/package-lock.json" -nt "$installed" ] || [ "$BROWSER_DIR/package.json" -nt "$installed" ]; then
        say "npm ci in $BROWSER_DIR"
        (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund)
    fi
fi

# --- 3. Build -------------------------------------------------------------------------------------------------------
say "Building Tether.slnx (Release)"
dotnet build Tether.slnx -c Release

# --- 4. Test projects -----------------------------------------------------------------------------------------------
# A test project is a tests/*/*.csproj that references Microsoft.NET.Test.Sdk (so Tether.Tests.Utils is not one).
projects=()
for csproj in tests/*/*.csproj; do
    [ -f "$csproj" ] || continue
    grep -q 'Microsoft.NET.Test.Sdk' "$csproj" || continue
    # A project missing from the solution was not built above; build it rather than skip its tests silently.
    if ! grep -qF "\"$csproj\"" Tether.slnx; then
        say "warning: $csproj is not in Tether.slnx; building it on its own (add it with: dotnet sln Tether.slnx add $csproj)"
        dotnet build "$csproj" -c Release
    fi
    projects+=("$csproj")
done
if [ "${#projects[@]}" -eq 0 ]; then
    echo "test.sh: no test project found under tests/" >&2
    echo "0 passed, 0 failed"
    exit 1
fi

rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"

# Runs one project's tests into its log; the exit code is dotnet test's. The hang timeout bounds each test: a hung
# test is killed (no dump; it would only fill the disk) and its project fails, instead of eating CI's time budget.
run_project() {
    local csproj="$1" name
    name="$(basename "$csproj" .csproj)"
    dotnet test "$csproj" --no-build -c Release \
        --blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type none \
        --logger "trx;LogFileName=$name.trx" --results-directory "$LOG_DIR" \
        >"$LOG_DIR/$name.log" 2>&1
}

# Stop the running projects if the script itself is interrupted.
trap 'jobs -p | xargs -r kill 2>/dev/null; exit 130' INT TERM

passed=0 failed=0 skipped=0
failed_projects=()
declare -A project_of=() # background pid -> project

# Waits for one running project to end, prints its log and adds its summary line(s) to the totals.
finish_one() {
    local pid rc=0 csproj name log p f s
    wait -n -p pid || rc=$?
    csproj="${project_of[$pid]}"
    unset "project_of[$pid]"
    name="$(basename "$csproj" .csproj)"
    log="$LOG_DIR/$name.log"

    say "$name finished (exit code $rc); log: $log"
    cat "$log"

    # VSTest ends each run with a line such as:
    #   Passed!  - Failed:     0, Passed:    22, Skipped:     0, Total:    22, Duration: 3 s - Tether.Cli.Tests.dll (net10.0)
    # awk reads "22," as 22. A project may print several such lines (one per target framework); they are summed.
    read -r p f s < <(awk '/^[[:space:]]*(Passed|Failed)![[:space:]]+-/ {
            for (i = 1; i < NF; i++) {
                if ($i == "Passed:") p += $(i + 1)
                if ($i == "Failed:") f += $(i + 1)
                if ($i == "Skipped:") s += $(i + 1)
            }
        } END { print p + 0, f + 0, s + 0 }' "$log")

    # A project that failed without a failed test (crash, hang, bad build output) still counts as one failure.
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "test.sh: $name exited with $rc without reporting a failed test; counted as 1 failed"
        f=1
    fi
    if [ "$rc" -ne 0 ] || [ "$f" -gt 0 ]; then
        failed_projects+=("$name")
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

say "Running ${#projects[@]} test project(s), $PARALLEL at a time: ${projects[*]}"
for csproj in "${projects[@]}"; do
    while [ "${#project_of[@]}" -ge "$PARALLEL" ]; do
        finish_one
    done
    run_project "$csproj" &
    project_of[$!]="$csproj"
done
while [ "${#project_of[@]}" -gt 0 ]; do
    finish_one
done

# Roslyn's compiler server outlives the build; on CI, stop it so nothing of the run is left behind.
if [ -n "${CI:-}" ]; then
    dotnet build-server shutdown >/dev/null 2>&1 || true
fi

# --- 5. Summary -----------------------------------------------------------------------------------------------------
status=0
if [ "${#failed_projects[@]}" -gt 0 ]; then
    echo
    echo "Failed projects: ${failed_projects[*]}"
    status=1
fi
if [ $((passed + failed)) -eq 0 ]; then
    echo
    echo "test.sh: no test ran"
    status=1
fi

summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
    summary+=", $skipped skipped"
fi
echo
echo "$summary"
exit "$status"
