#!/usr/bin/env bash
# Stress check (issue 22): run the test suite RUNS times in a row under CPU contention and record, per run, pass/fail,
# the pytest summary, wall time and load average. No retries: a run fails when any test fails.
#
#   bench/stress_suite.sh [RUNS] [pytest targets...]      (default: 5 runs of tests/)
#   bench/stress_suite.sh 3 tests/browser tests/security   or   make stress RUNS=3 TARGETS="tests/browser"
#
# Environment: STRESS_CPUS (2) CPU hogs: `stress-ng --cpu N` (Debian: apt-get install stress-ng), else N Python busy
# loops; WORKERS (2) pytest -n; PYTHON (.venv/bin/python, else python3); OUT (artifacts/stress/<UTC time>/) holds
# run-K.txt (each run's pytest output) and stress.log. Exit status 0 only if every run passed. Last line: one JSON
# object with the figures of this invocation.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tests)
cpus=${STRESS_CPUS:-2}
workers=${WORKERS:-2}
py=${PYTHON:-.venv/bin/python}
[ -x "$py" ] || py=python3
out=${OUT:-artifacts/stress/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
log="$out/stress.log"

hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done; wait "${hogs[@]}" 2>/dev/null; }
trap stop_hogs EXIT
trap 'exit 130' INT TERM
if command -v stress-ng >/dev/null 2>&1; then
  stressor="stress-ng --cpu $cpus"
  stress-ng --cpu "$cpus" --timeout 0 --quiet &
  hogs+=($!)
else
  stressor="python busy loop x$cpus"
  for _ in $(seq "$cpus"); do python3 -c 'while True: pass' & hogs+=($!); done
fi

echo "stress check: $runs run(s) of pytest ${targets[*]} -n $workers under $stressor on $(nproc) CPUs" | tee "$log"
walls=() rcs=() passed=0
for i in $(seq "$runs"); do
  t0=$(date +%s%N)
  "$py" -m pytest "${targets[@]}" -n "$workers" -p no:cacheprovider -q >"$out/run-$i.txt" 2>&1
  rc=$?
  wall=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  summary=$(grep -E '^=*.* (passed|failed|error|errors|no tests ran)' "$out/run-$i.txt" | tail -n 1 | tr -d '=')
  [ "$rc" -eq 0 ] && passed=$((passed + 1))
  walls+=("$wall") rcs+=("$rc")
  echo "run $i/$runs: $([ "$rc" -eq 0 ] && echo PASS || echo FAIL) rc=$rc wall_s=$wall" \
       "load=$(cut -d' ' -f1-3 /proc/loadavg) |$summary" | tee -a "$log"
  grep -E '^(FAILED|ERROR) ' "$out/run-$i.txt" | sed 's/^/    /' | tee -a "$log"
done
join() { local IFS=,; echo "$*"; }
json_targets=$(printf '"%s",' "${targets[@]}")
echo "{\"runs\": $runs, \"passed_runs\": $passed, \"wall_s\": [$(join "${walls[@]}")], \"rc\": [$(join "${rcs[@]}")]," \
     "\"stressor\": \"$stressor\", \"workers\": $workers, \"targets\": [${json_targets%,}], \"log\": \"$log\"}" | tee -a "$log"
[ "$passed" -eq "$runs" ]
