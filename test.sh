#!/usr/bin/env bash
# Runs every test on a fresh machine: installs and starts what the tests need, then `dotnet test`.
# The last line printed is the totals alone: "N passed, N failed, N skipped"; the exit code is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

log="$(mktemp -t coffer-test-XXXXXX.log)"
# Every test server leaves its log lines, audit files and a last /metrics scrape here, for the leak scan at the end.
COFFER_TEST_ARTIFACTS="$(mktemp -d -t coffer-test-artifacts-XXXXXX)"
export COFFER_TEST_ARTIFACTS
stop_postgres() { :; }
trap 'stop_postgres; rm -rf "$log" "$COFFER_TEST_ARTIFACTS"' EXIT

# promtool (Debian's prometheus package) checks the /metrics output and the shipped alerting rules.
if ! command -v promtool >/dev/null 2>&1; then
  echo "Installing promtool from Debian's prometheus package..."
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
    || { echo "could not install prometheus (promtool)" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

# shellcheck source=tests/start-postgres.sh
source tests/start-postgres.sh || { echo "0 passed, 1 failed"; exit 1; }

# Third-party npm clients the compatibility tests run against (tests/npm, pinned by its lockfile).
(cd tests/npm && npm ci --no-audit --no-fund >/dev/null) || { echo "npm ci in tests/npm failed" >&2; echo "0 passed, 1 failed"; exit 1; }

dotnet test Coffer.slnx --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project summary lines: "Passed!  - Failed: 0, Passed: 20, Skipped: 0, Total: 20, ..."
read -r passed failed skipped projects < <(awk '
  /^(Passed|Failed)!  - Failed:/ {
    line = $0; gsub(/,/, "", line); n = split(line, f, /[ \t]+/)
    for (i = 1; i < n; i++) {
      if (f[i] == "Failed:") failed += f[i + 1]
      if (f[i] == "Passed:") passed += f[i + 1]
      if (f[i] == "Skipped:") skipped += f[i + 1]
    }
    projects++
  }
  END { printf "%d %d %d %d\n", passed, failed, skipped, projects }' "$log")

expected=$(grep -c '<Project Path="tests/' Coffer.slnx)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A build error or a crashed test host reports no failed test: count it as one so the totals never read green.
  echo "dotnet test exited with $status without reporting a failed test (build error or crashed test host)" >&2
  failed=1
elif [ "$projects" -lt "$expected" ]; then
  echo "only $projects of $expected test projects reported results" >&2
  failed=$((failed > 0 ? failed : 1))
fi

# Leak scan: the tests' secret values (hunter2, and every *-canary-<hex>) must appear in no log, audit file or metric.
servers=$(find "$COFFER_TEST_ARTIFACTS" -name server.log | wc -l)
leaks=$(grep -rlIE 'hunter2|aHVudGVyMg|[a-z]+-canary-[0-9a-f]{6,}' "$COFFER_TEST_ARTIFACTS" | head -20)
if [ -n "$leaks" ]; then
  echo "leak scan: test secret values found in:" >&2
  for f in $leaks; do echo "  $f: $(grep -oE 'hunter2|aHVudGVyMg|[a-z]+-canary-[0-9a-f]{6,}' "$f" | sort -u | tr '\n' ' ')" >&2; done
  failed=$((failed + 1))
elif [ "$servers" -eq 0 ] && [ "$passed" -gt 0 ]; then
  echo "leak scan: no test server left its logs to scan" >&2
  failed=$((failed + 1))
else
  echo "leak scan: no test secret value in the logs, audit files and metrics of $servers test servers"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
