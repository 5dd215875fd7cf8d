#!/usr/bin/env bash
# Ember Micro's DSP-extension int8 kernels (src/micro/dsp_kernels.h,
# dsp_svdf.h) and Helium ones (mve_kernels.h) against the plain C reference
# kernels on the same core: every model is exported and built with
# EXTRA_FLAGS=-DEMBER_MICRO_NO_DSP -DEMBER_MICRO_NO_MVE (plain C),
# -DEMBER_MICRO_NO_MVE (DSP kernels) and, on the Cortex-M55, as is
# (Helium), then run under QEMU with -icount shift=0 (`make run-icount`).
# The firmware counts one Invoke with SysTick; QEMU executes one
# instruction per virtual nanosecond, so ticks x ns/tick (below) =
# instructions: instruction counts, not cycles. Also checks that every
# build prints the same outputs, that each links the kernels it should
# (nm), and reports code size (arm-none-eabi-size: text).
#   BUILD_DIR    the built tree with build/release/ember (default)
#   DSP_TARGETS  default "cortex-m4" (also cortex-m7 cortex-m33 cortex-m55)
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

# Nanoseconds per SysTick tick of each QEMU board (SysTick on the core
# clock): MPS2 AN385/AN386/AN500 run at 25 MHz, AN505 (Cortex-M33) at
# 20 MHz, MPS3 AN547 (Cortex-M55) at 32 MHz. With -icount shift=0 QEMU runs
# one instruction per nanosecond. Ratios on one target do not depend on it.
ns_per_tick() {
  case $1 in
    cortex-m33) echo 50 ;;
    cortex-m55) echo 31.25 ;;
    *) echo 40 ;;
  esac
}

# Builds and runs one variant; prints "instructions text_bytes
# dsp_symbols mve_symbols".
run_variant() {  # dir extra_flags target
  local dir=$1 flags=$2 ticks elf=$1/build/app.elf
  make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" EXTRA_FLAGS="$flags" \
    >"$dir.build.log" 2>&1 ||
    { echo "dsp_icount.sh: build failed, see $dir.build.log" >&2; return 1; }
  timeout 600 make -s -C "$dir" run-icount EXTRA_FLAGS="$flags" \
    >"$dir.log" 2>&1 ||
    { echo "dsp_icount.sh: run failed, see $dir.log" >&2; return 1; }
  ticks=$(sed -n 's/^# counter systick \([0-9]*\)$/\1/p' "$dir.log")
  [ -n "$ticks" ] || { echo "dsp_icount.sh: no counter in $dir.log" >&2
                       return 1; }
  awk -v t="$ticks" -v f="$(ns_per_tick "$3")" \
    'BEGIN { printf "%d ", t * f }'
  echo "$(arm-none-eabi-size "$elf" | awk 'NR == 2 { print $1 }')" \
    "$(arm-none-eabi-nm -C "$elf" | grep -c 'ember::micro::dsp::' || true)" \
    "$(arm-none-eabi-nm -C "$elf" | grep -c 'ember::micro::mve::' || true)"
}

# variant name | EXTRA_FLAGS
VARIANTS=(
  "plain|-DEMBER_MICRO_NO_DSP -DEMBER_MICRO_NO_MVE"
  "dsp|-DEMBER_MICRO_NO_MVE"
  "mve|"
)
echo "| model | target | plain C (instr.) | DSP (instr.) | DSP ratio |" \
     "Helium (instr.) | Helium ratio | text plain / DSP / Helium (B) |" \
     "outputs |"
echo "|---|---|---|---|---|---|---|---|---|"
failures=0
for m in $NAMES; do
  read -r -a flags <<<"$(inputs_of "$m")"
  for t in $TARGETS; do
    base=$OUT/${m}_$t
    declare -A n=() text=() dsp=() mve=()
    same=identical
    for entry in "${VARIANTS[@]}"; do
      IFS='|' read -r v vflags <<<"$entry"
      # Only the Cortex-M55 has Helium: elsewhere "mve" builds as "dsp".
      if [ "$v" = mve ] && [ "$t" != cortex-m55 ]; then continue; fi
      "$EMBER" micro export "$MODELS/tflm/$m.tflite" "${flags[@]}" \
        -o "${base}_$v" --target "$t" >/dev/null
      read -r n[$v] text[$v] dsp[$v] mve[$v] \
        <<<"$(run_variant "${base}_$v" "$vflags" "$t")"
      if ! diff <(grep -v '^#' "${base}_$v.log") \
                <(grep -v '^#' "${base}_plain.log") >/dev/null; then
        same="DIFFER ($v)"
        failures=$((failures + 1))
      fi
    done
    # Which kernels each build links: plain none, dsp the DSP ones, mve
    # the Helium ones.
    if [ "${dsp[plain]}${mve[plain]}" != 00 ] || [ "${dsp[dsp]}" -eq 0 ] ||
       [ "${mve[dsp]}" -ne 0 ] || { [ -n "${mve[mve]:-}" ] &&
                                    [ "${mve[mve]}" -eq 0 ]; }; then
      echo "dsp_icount.sh: $m $t: unexpected kernels (dsp:: / mve:: symbols:" \
           "plain ${dsp[plain]}/${mve[plain]}, dsp ${dsp[dsp]}/${mve[dsp]})" >&2
      failures=$((failures + 1))
    fi
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
    mve_n=-; mve_ratio=-; mve_text=-
    if [ -n "${n[mve]:-}" ]; then
      mve_n=${n[mve]}; mve_ratio=$(ratio "${n[plain]}" "${n[mve]}")
      mve_text=${text[mve]}
    fi
    echo "| $m | $t | ${n[plain]} | ${n[dsp]} |" \
         "$(ratio "${n[plain]}" "${n[dsp]}") | $mve_n | $mve_ratio |" \
         "${text[plain]} / ${text[dsp]} / $mve_text | $same |"
    unset n text dsp mve
  done
done
[ "$failures" -eq 0 ]
