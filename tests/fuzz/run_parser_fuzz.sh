#!/usr/bin/env bash
# Builds and runs the small parser fuzzers (clang, libFuzzer, ASan+UBSan):
#   ember_trust_fuzz     signature trailer, encrypted container, key files
#   ember_manifest_fuzz  update manifest and its JSON reader
#   ember_metadata_fuzz  TFLite Metadata buffer and packed-file zip
#   ember_media_fuzz     image (JPEG/EXIF, PNG, BMP) and WAV decoders
# each for SECONDS (default 30). They need only src/trust, src/base,
# src/processing and two files of src/update, so they build in a minute or two. Exits non-zero on any
# crash, sanitizer report, leak or hang; prints executions per target.
#   tests/fuzz/run_parser_fuzz.sh [SECONDS]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${EMBER_FUZZ_SECONDS:-30}}
jobs=${EMBER_BUILD_JOBS:-2}
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j"$jobs" --target ember_trust_fuzz ember_manifest_fuzz \
  ember_metadata_fuzz ember_metadata_seeds ember_media_fuzz ember_media_seeds
# The media seeds are written by the project's own program (no image files
# in the repo).
mkdir -p build/fuzz/media_seeds
build/fuzz/ember_media_seeds build/fuzz/media_seeds
mkdir -p build/fuzz/metadata_seeds
build/fuzz/ember_metadata_seeds tests/fuzz/corpus/add_chain.tflite \
  build/fuzz/metadata_seeds

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for target in trust manifest metadata media; do
  work="$root/build/fuzz/corpus-$target"
  artifacts="$root/build/fuzz/artifacts-$target"
  log="$root/build/fuzz/last_run_$target.log"
  mkdir -p "$work" "$artifacts"
  dict=()
  [ -f "tests/fuzz/$target.dict" ] && dict=(-dict="tests/fuzz/$target.dict")
  seeds=()
  [ -d "tests/fuzz/${target}_seeds" ] && seeds=("tests/fuzz/${target}_seeds")
  [ -d "build/fuzz/${target}_seeds" ] && seeds=("build/fuzz/${target}_seeds")
  set +e
  "build/fuzz/ember_${target}_fuzz" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$artifacts/" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
          awk '{s += $2} END {print s + 0}')
  echo "ember_${target}_fuzz: $execs executions in ${seconds}s, exit $rc"
  if [ "$rc" -ne 0 ]; then
    echo "FUZZER FOUND A PROBLEM: see $log and $artifacts" >&2
    status=1
  fi
done
exit "$status"
