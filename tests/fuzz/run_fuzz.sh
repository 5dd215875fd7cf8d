#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan + UBSan) and runs the loader
# fuzzer for a bounded time. Exits non-zero on any crash, sanitizer report,
# leak or hang; prints the number of executions.
#
#   tests/fuzz/run_fuzz.sh [SECONDS] [extra libFuzzer flags...]
#   EMBER_FUZZ_SECONDS=600 EMBER_FUZZ_WORKERS=4 tests/fuzz/run_fuzz.sh
#   EMBER_FUZZ_TIMEOUT=N: seconds one input may take before it counts as a
#   hang (default 30: generous, the build machine may be busy)
#
# New interesting inputs go to build/fuzz/corpus (the committed seeds in
# tests/fuzz/corpus are only read); crashes to build/fuzz/artifacts/.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${EMBER_FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
workers=${EMBER_FUZZ_WORKERS:-1}
jobs=${EMBER_BUILD_JOBS:-2}

cd "$root"
cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j"$jobs" --target ember_loader_fuzz

work="$root/build/fuzz/corpus"
artifacts="$root/build/fuzz/artifacts"
log="$root/build/fuzz/last_run.log"
mkdir -p "$work" "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

flags=(-max_total_time="$seconds" -timeout="${EMBER_FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048
       -max_len=16384 -print_final_stats=1
       -dict="$root/tests/fuzz/tflite.dict"
       -artifact_prefix="$artifacts/")
if [ "$workers" -gt 1 ]; then
  flags+=(-fork="$workers" -ignore_crashes=0)
fi

set +e
build/fuzz/ember_loader_fuzz "${flags[@]}" "$@" "$work" tests/fuzz/corpus \
  2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
        awk '{s += $2} END {print s + 0}')
if [ "$execs" = "0" ]; then
  # -fork mode reports progress lines instead of final stats.
  execs=$(grep -o '#[0-9]*' "$log" | tail -1 | tr -d '#')
fi
echo "ember_loader_fuzz: ${execs:-unknown} executions in ${seconds}s, exit $rc"
if [ "$rc" -ne 0 ]; then
  echo "FUZZER FOUND A PROBLEM: see $log and $artifacts" >&2
fi
exit "$rc"
