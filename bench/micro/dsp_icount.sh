#!/usr/bin/env bash
# Ember Micro's DSP-extension int8 kernels (src/micro/dsp_kernels.h)
# against the plain C reference kernels on the same core: every model is
# exported once and built twice, as is (DSP kernels, __ARM_FEATURE_DSP) and
# with EXTRA_FLAGS=-DEMBER_MICRO_NO_DSP (reference kernels), then run under
# QEMU with -icount shift=0 (`make run-icount`). The firmware counts one
# Invoke with SysTick on the 25 MHz MPS2/MPS3 boards: ticks x 40 =
# instructions (QEMU executes one instruction per virtual nanosecond), so
# these are instruction counts, not cycles. Also checks that both builds
# print the same outputs, that the DSP build links the dsp:: kernels and the
# other does not, and reports code size (arm-none-eabi-size: text).
#   BUILD_DIR    the built tree with build/release/ember (default)
#   DSP_TARGETS  default "cortex-m4" (also cortex-m7 cortex-m33)
#   DSP_MODELS   default: the four models of issue 12's table
#   EMBER_SHARED_MODELS  default ../shared/models
# Prints a Markdown table; about 1-2 minutes per target on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
TARGETS=${DSP_TARGETS:-cortex-m4}
NAMES=${DSP_MODELS:-"hello_world_int8 person_detect keyword_scrambled_8bit micro_speech_quantized"}
OUT=$BUILD_DIR/micro_dsp
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CCACHE_BIN=$(command -v ccache || true)

[ -x "$EMBER" ] || { echo "dsp_icount.sh: build $EMBER first" >&2; exit 2; }
for tool in make qemu-system-arm arm-none-eabi-gcc arm-none-eabi-size; do
  command -v $tool >/dev/null ||
    { echo "dsp_icount.sh: missing $tool" >&2; exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT/inputs"

inputs_of() {  # model -> "--input" flags
  local m=$1 dir=$OUT/inputs/$1 k=0 f
  if [ "$m" = person_detect ]; then
    mkdir -p "$dir"
    $PY tests/micro/qemu_helper.py bmp2npy \
      "$MODELS/data/images/person.bmp" "$dir/input_0.npy"
  else
    $PY tests/micro/qemu_helper.py random-inputs "$MODELS/tflm/$m.tflite" 7 \
      "$dir" >/dev/null
  fi
  for f in $(ls "$dir"/input_*.npy | sort -V); do
    printf -- '--input %s=%s ' "$k" "$f"
    k=$((k + 1))
  done
}

# Builds and runs one variant; prints "instructions text_bytes dsp_symbols".
run_variant() {  # dir extra_flags
  local dir=$1 flags=$2 ticks
  make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" EXTRA_FLAGS="$flags" \
    >"$dir.build.log" 2>&1 ||
    { echo "dsp_icount.sh: build failed, see $dir.build.log" >&2; return 1; }
  timeout 600 make -s -C "$dir" run-icount EXTRA_FLAGS="$flags" \
    >"$dir.log" 2>&1 ||
    { echo "dsp_icount.sh: run failed, see $dir.log" >&2; return 1; }
  ticks=$(sed -n 's/^# counter systick \([0-9]*\)$/\1/p' "$dir.log")
  [ -n "$ticks" ] || { echo "dsp_icount.sh: no counter in $dir.log" >&2
                       return 1; }
  echo "$((ticks * 40)) $(arm-none-eabi-size "$dir/build/app.elf" |
    awk 'NR == 2 { print $1 }') $(arm-none-eabi-nm -C "$dir/build/app.elf" |
    grep -c 'ember::micro::dsp::' || true)"
}

echo "| model | target | plain C (instructions) | DSP (instructions) |" \
     "ratio | text plain C (B) | text DSP (B) | outputs |"
echo "|---|---|---|---|---|---|---|---|"
failures=0
for m in $NAMES; do
  read -r -a flags <<<"$(inputs_of "$m")"
  for t in $TARGETS; do
    base=$OUT/${m}_$t
    for v in dsp plain; do
      "$EMBER" micro export "$MODELS/tflm/$m.tflite" "${flags[@]}" \
        -o "${base}_$v" --target "$t" >/dev/null
    done
    read -r dsp_n dsp_text dsp_syms <<<"$(run_variant "${base}_dsp" "")"
    read -r ref_n ref_text ref_syms \
      <<<"$(run_variant "${base}_plain" -DEMBER_MICRO_NO_DSP)"
    same=identical
    if ! diff <(grep -v '^#' "${base}_dsp.log") \
              <(grep -v '^#' "${base}_plain.log") >/dev/null; then
      same=DIFFER
      failures=$((failures + 1))
    fi
    if [ "$dsp_syms" -eq 0 ] || [ "$ref_syms" -ne 0 ]; then
      echo "dsp_icount.sh: $m $t: the DSP build has $dsp_syms dsp:: symbols," \
           "the plain one $ref_syms" >&2
      failures=$((failures + 1))
    fi
    ratio=$(awk -v a="$ref_n" -v b="$dsp_n" 'BEGIN { printf "%.2fx", a / b }')
    echo "| $m | $t | $ref_n | $dsp_n | $ratio | $ref_text | $dsp_text |" \
         "$same |"
  done
done
[ "$failures" -eq 0 ]
