#!/usr/bin/env bash
# Runs every test on a fresh machine: installs and starts what the tests need, then `dotnet test`.
# The last line printed is the totals alone: "N passed, N failed, N skipped"; the exit code is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

log="$(mktemp -t coffer-test-XXXXXX.log)"
stop_postgres() { :; }
trap 'stop_postgres; rm -f "$log"' EXIT

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

echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
