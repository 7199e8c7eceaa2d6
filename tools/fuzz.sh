#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) and runs each one for a fixed time,
# then reports per target: executions, exec/s, coverage (cov:) and whether it
# found a crash, leak, UB or timeout.
#
#   tools/fuzz.sh [seconds-per-target] [target...]
#
# Default 30 s per target. CI (tools/test.sh) runs `tools/fuzz.sh 20`: 8 x 20 s
# plus seeding, under 3 minutes. Run it longer by hand, e.g.
# `tools/fuzz.sh 3600 catalog`. The targets live in the sanitizer build
# (`tools/build.sh sanitize`: clang, ASan + UBSan + coverage, one instrumented
# core shared with the sanitizer test suite). Environment:
#   FUZZ_BUILD_DIR  build directory (default build-sanitize); corpora grow in
#                   $FUZZ_BUILD_DIR/fuzz-run/corpus/<target>, crash inputs land in
#                   $FUZZ_BUILD_DIR/fuzz-run/artifacts/<target>/, logs in $FUZZ_BUILD_DIR/fuzz-run/logs/
#   FUZZ_JOBS       parallel compile jobs (default: all cores)
#   CXX             the clang++ to use (default clang++)
# Before fuzzing, every input in fuzz/regressions/<target>/ is replayed: a
# crash found earlier must stay fixed. Exit status 1 when any target crashed
# or a regression input fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
shift || true
build="$(realpath -m "${FUZZ_BUILD_DIR:-$root/build-sanitize}")"
work="$build/fuzz-run"
all_targets=(rule_json rule_text catalog profile hints condition store session)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# Longest input per target: big enough for the seeds that matter (catalogs,
# stores, the demo's hint file), small enough to keep executions fast.
max_len() {
  case "$1" in
    rule_text) echo 4096 ;;
    rule_json | condition) echo 16384 ;;
    hints) echo 16384 ;;
    *) echo 65536 ;;
  esac
}

echo "== building fuzz targets in $build"
mkdir -p "$work"
(cd "$root" && SANITIZE_BUILD_DIR="$build" SANITIZE_JOBS="${FUZZ_JOBS:-}" bash tools/build.sh sanitize) \
  >"$work/build.log" 2>&1 || { tail -50 "$work/build.log"; exit 2; }

echo "== seeding corpora"
node "$root/fuzz/seeds.mjs" "$work/corpus"
"$root/fuzz/make_dicts.sh" "$work/dicts"
mkdir -p "$work/logs"

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/${t}_fuzzer"
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  log="$work/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  common=(-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")")
  fuzz_only=(-dict="$work/dicts/$t.dict")

  # Regressions: inputs that crashed once (fuzz/regressions/<target>/<name>).
  regress="$root/fuzz/regressions/$t"
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
    if ! "$bin" "${common[@]}" -runs=1 "$regress"/* >"$work/logs/$t.regressions.log" 2>&1; then
      echo "!! $t: a regression input fails (see $work/logs/$t.regressions.log)"
      status=1
    fi
  fi

  echo "== fuzzing $t for ${seconds}s"
  set +e
  "$bin" "${common[@]}" "${fuzz_only[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  found="none"
  if [ $rc -ne 0 ]; then
    status=1
    kind=$(grep -m1 -oE 'terminate called after throwing an instance of [^ ]*|ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-zA-Z -]+|runtime error: .*|PROPERTY VIOLATED: .*' "$log" || true)
    artifact=$(grep -m1 -o "Test unit written to [^ ]*" "$log" | sed 's/Test unit written to //' || true)
    # Crashes stop libFuzzer before its final stats: count from the last status line.
    [ -z "$runs" ] && runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    found="CRASH ($kind) -> ${artifact:-see $log}"
  fi
  summary+=("$(printf '%-10s runs %-9s exec/s %-6s cov %-6s %s' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$found")")
done

echo
echo "== summary (${seconds}s per target; logs in $work/logs)"
printf '%s\n' "${summary[@]}"
exit $status
