#!/usr/bin/env bash
# Wall time of each test file run alone (node's test runner through tsx, as `npm test` runs them), one line per file:
#   seconds <TAB> exit status <TAB> file
# Usage: scripts/bench/test-times.sh [files...]   (default: every test/**/*.test.ts). Needs dist/ (`npm run build`).
# On a shared machine compare files within one run, and note the load average it prints at the start and the end.
set -uo pipefail
cd "$(dirname "$0")/../.."
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find test -name "*.test.ts" | sort)
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
total_start=$(date +%s.%N)
for f in "${files[@]}"; do
  start=$(date +%s.%N)
  node --import tsx --test --test-concurrency=1 "$f" >/dev/null 2>&1
  rc=$?
  printf '%.1f\t%d\t%s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$rc" "$f"
done
printf '# total %.1f s, load average at end: %s\n' "$(echo "$(date +%s.%N) - $total_start" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
