#!/usr/bin/env bash
# Builds and runs the parser fuzzers (clang, libFuzzer, ASan+UBSan), one for
# each kind of file Ember reads from outside besides .tflite models (that is
# run_fuzz.sh's loader target):
#   trust     signature trailer, encrypted container, key files
#   microsig  the micro runtime's signature verifier, against src/trust's
#   manifest  update manifest and its JSON reader
#   metadata  TFLite Metadata buffer and packed-file zip
#   media     image (JPEG/EXIF, PNG, BMP) and WAV decoders
#   npy       .npy tensors (inputs, calibration data, update probes)
#   onnx      the ONNX frontend (protobuf, tensors, op converters)
#   keras     the Keras frontend (.keras zip + HDF5, legacy .h5)
#   keras_config  Ember's Keras code alone (config, layer converters, graph
#             passes) with the weights from memory: no libhdf5, so it runs
#             in-process at thousands of inputs a second
# each for SECONDS (default 30). Seeds come from the project's own programs
# and scripts (no sample files in the repo); the onnx and keras seeds need
# the test tooling's Python ($PYTHON: onnx, onnxruntime, tensorflow). Every
# input a fuzzer once failed on is kept in tests/fuzz/regressions/TARGET
# and replayed first (and as a unit test where the parser has one).
# Exits non-zero on any crash, sanitizer report, leak or hang; prints
# executions per target.
#   tests/fuzz/run_parser_fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${EMBER_FUZZ_SECONDS:-30}}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] &&
  targets=(trust microsig manifest metadata media npy onnx keras keras_config)
jobs=${EMBER_BUILD_JOBS:-2}
PYTHON=${PYTHON:-python3}
cd "$root"
cmake --preset fuzz >/dev/null
build=()
for t in "${targets[@]}"; do
  build+=("ember_${t}_fuzz")
  case $t in
    media | metadata | microsig | keras_config) build+=("ember_${t}_seeds") ;;
  esac
done
cmake --build build/fuzz -j"$jobs" --target "${build[@]}"

seeds_of() {  # prints the seed folder of target $1, writing it first
  local dir="$root/build/fuzz/${1}_seeds"
  case $1 in
    trust | manifest)  # committed seeds where there are any (and a dict)
      dir="$root/tests/fuzz/${1}_seeds"
      [ -d "$dir" ] || return 0 ;;
    media) mkdir -p "$dir" && build/fuzz/ember_media_seeds "$dir" ;;
    microsig)  # the loader's seed models, signed by the target's key
      mkdir -p "$dir"
      build/fuzz/ember_microsig_seeds "$dir" tests/fuzz/corpus/*.tflite ;;
    metadata)
      mkdir -p "$dir"
      build/fuzz/ember_metadata_seeds tests/fuzz/corpus/add_chain.tflite "$dir" ;;
    npy | onnx)  # the ONNX test models and their input/output tensors
      local models="$root/build/fuzz/onnx_models"
      if [ ! -d "$models" ]; then
        "$PYTHON" tests/convert_onnx/make_models.py "$models.tmp" \
          >"$models.log" 2>&1 || { cat "$models.log" >&2; return 1; }
        mv "$models.tmp" "$models"
      fi
      mkdir -p "$dir"
      find "$models" -name "*.$1" -size -64k -exec cp {} "$dir" \; ;;
    keras | keras_config)
      local models="$root/build/fuzz/keras_models"
      if [ ! -d "$models" ]; then
        "$PYTHON" tests/convert/keras_models.py "$models.tmp" \
          >"$models.log" 2>&1 || { cat "$models.log" >&2; return 1; }
        mv "$models.tmp" "$models"
      fi
      mkdir -p "$dir"
      if [ "$1" = keras ]; then
        find "$models" \( -name "*.keras" -o -name "*.h5" \) -size -96k \
          -exec cp {} "$dir" \;
      else  # every test model's config and (some of) its weights
        find "$models" \( -name "*.keras" -o -name "*.h5" \) -print0 |
          xargs -0 build/fuzz/ember_keras_config_seeds "$dir" >/dev/null
      fi ;;
  esac
  [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || {
    echo "no seeds for $1 in $dir" >&2
    return 1
  }
  echo "$dir"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for target in "${targets[@]}"; do
  work="$root/build/fuzz/corpus-$target"
  artifacts="$root/build/fuzz/artifacts-$target"
  log="$root/build/fuzz/last_run_$target.log"
  mkdir -p "$work" "$artifacts"
  seeds=$(seeds_of "$target")
  corpora=("$work")
  [ -n "$seeds" ] && corpora+=("$seeds")
  # Inputs that once failed run first, every time (tests/fuzz/regressions).
  regressions=()
  [ -d "tests/fuzz/regressions/$target" ] &&
    regressions=("tests/fuzz/regressions/$target")
  dict=()
  [ -f "tests/fuzz/$target.dict" ] && dict=(-dict="tests/fuzz/$target.dict")
  max_len=8192
  case $target in
    onnx | keras_config) max_len=65536 ;;
    keras) max_len=98304 ;;
  esac
  env=()
  mode=()
  if [ "$target" = keras ]; then
    # A damaged HDF5 header can ask libhdf5 for 2^62 bytes; in a real process
    # malloc returns NULL and libhdf5 reports an error, so let ASan do the
    # same rather than abort; libhdf5's own error-path leaks are suppressed.
    env=(ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1"
         LSAN_OPTIONS="suppressions=$root/tests/sanitizers/libhdf5_lsan.supp")
    # Debian 12's libhdf5 1.10 has memory errors on damaged files that Ember
    # cannot fix; ConvertKeras runs the frontend in a child process so that
    # they become errors. Fuzzing goes on past a crash (-fork) and each
    # crash is triaged below: inside libhdf5/libzip it is counted, in
    # Ember's code it fails the run.
    rm -f "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/leak-*
    mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1)
  fi
  set +e
  env "${env[@]}" "build/fuzz/ember_${target}_fuzz" "${mode[@]}" \
    -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$artifacts/" "${corpora[@]}" "${regressions[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$({ grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" || true; } |
          awk '{s += $2} END {print s + 0}')
  if [ ${#mode[@]} -gt 0 ]; then  # fork mode prints "#N: cov: ..." lines
    execs=$({ grep -o '^#[0-9]*:' "$log" || true; } | tail -1 | tr -d '#:')
    # libFuzzer's exit status reports the crashes it ignored; the triage
    # below decides instead (a run that executed nothing still fails).
    [ "${execs:-0}" -gt 0 ] && rc=0
    third_party=0
    not_reproduced=0
    for input in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/leak-*; do
      [ -e "$input" ] || continue
      report=$(env "${env[@]}" "build/fuzz/ember_${target}_fuzz" -timeout=10 \
               "$input" 2>&1 || true)
      # The first stack frame that is not the sanitizer's, libFuzzer's or
      # libc's (a timeout's stack starts in the alarm handler; libc's
      # memcpy shows as its source file under sysdeps/).
      frame=$({ grep -E '^ +#[0-9]+ ' <<<"$report" || true; } |
              { grep -v -E ' in (__interceptor_|__asan|__sanitizer|fuzzer::|_?_?str|_?_?mem|malloc|calloc|realloc)|libc\.so|sysdeps/' || true; } |
              head -1)
      if grep -q -E 'libhdf5|libzip' <<<"$frame"; then
        third_party=$((third_party + 1))
      elif ! grep -q -E 'ERROR: |runtime error:' <<<"$report"; then
        # It failed inside the fork's child after other inputs but not on
        # its own: the fork log kept only its first line (below). Reported,
        # not failed, since nothing can attribute it; a crash that
        # reproduces always fails the run.
        not_reproduced=$((not_reproduced + 1))
        echo "ember_${target}_fuzz: $(basename "$input") does not fail on its own" >&2
      else
        echo "$report" | head -60 >&2
        rc=1
      fi
    done
    echo "ember_${target}_fuzz: $third_party input(s) crashed inside libhdf5/libzip" \
         "(isolated by ConvertKeras's child process)," \
         "$not_reproduced failed only after other inputs"
    [ "$not_reproduced" -gt 0 ] &&
      { grep -E '^==[0-9]+== ?ERROR' "$log" || true; } | sort | uniq -c >&2
  fi
  echo "ember_${target}_fuzz: ${execs:-0} executions in ${seconds}s, exit $rc"
  if [ "$rc" -ne 0 ]; then
    echo "FUZZER FOUND A PROBLEM: see $log and $artifacts" >&2
    status=1
  fi
done
exit "$status"
