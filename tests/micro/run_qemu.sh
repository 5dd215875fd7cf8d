#!/usr/bin/env bash
# Ember Micro on emulated microcontrollers: exports hello_world_int8,
# person_detect (TFLM's person.bmp and no_person.bmp) and keyword_scrambled
# with `ember micro export` for each target, builds every project with
# Debian's cross toolchain (which also checks that the ELF references no
# heap function and has no static constructors), runs it under QEMU with
# semihosting (checking that the cores with the DSP extension, and only
# them, link the int8 DSP kernels, and the Cortex-M55 the Helium ones) and
# compares the printed outputs bit for bit with the host's `ember run`
# (EMBER_FORCE_REF=1) and with TFLM's own interpreter (tflite_micro). On
# Cortex-M4 it also links build/core.elf (the runtime core with no op
# registered, for `make size`) and checks it keeps no kernel. On
# Cortex-M4 and M55 it also runs the SIMD kernels' self-test firmware
# (tests/micro/simd_selftest.cc: DSP extension, Helium).
#   BUILD_DIR      the built tree with build/release/ember (default)
#   MICRO_TARGETS  default: every target (M4, M3, M7, M33, M55, riscv32):
#                  cortex-m3 cortex-m4 cortex-m7 cortex-m33 cortex-m55 riscv32
#   SIMD_SELFTEST_TARGETS  where simd_selftest.cc runs: default "cortex-m4
#                  cortex-m55" (DSP and Helium); also cortex-m7 cortex-m33
#   EMBER_SHARED_MODELS  default ../shared/models
# Runs in about 2-4 minutes on 2 cores (most of it compiling the exported
# projects; ccache shares the runtime objects between them).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
TARGETS=${MICRO_TARGETS:-"cortex-m4 cortex-m3 cortex-m7 cortex-m33 cortex-m55 riscv32"}
SELFTEST_TARGETS=${SIMD_SELFTEST_TARGETS:-"cortex-m4 cortex-m55"}
OUT=$BUILD_DIR/micro_qemu
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CCACHE_BIN=$(command -v ccache || true)
start=$(date +%s)

[ -x "$EMBER" ] || { echo "run_qemu.sh: build $EMBER first" >&2; exit 2; }
for tool in make qemu-system-arm qemu-system-riscv32 arm-none-eabi-gcc \
            riscv64-unknown-elf-gcc; do
  command -v $tool >/dev/null ||
    { echo "run_qemu.sh: missing $tool (scripts/deps/debian-test.txt)" >&2
      exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT/inputs"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/person.bmp" \
  "$OUT/inputs/person.npy"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/no_person.bmp" \
  "$OUT/inputs/no_person.npy"
for m in hello_world_int8 keyword_scrambled; do
  $PY tests/micro/qemu_helper.py random-inputs "$MODELS/tflm/$m.tflite" 7 \
    "$OUT/inputs/$m" >/dev/null
done

# case name | model | input files (one per model input, in order)
CASES=(
  "hello_world_int8|hello_world_int8|$OUT/inputs/hello_world_int8/input_0.npy"
  "person|person_detect|$OUT/inputs/person.npy"
  "no_person|person_detect|$OUT/inputs/no_person.npy"
  "keyword_scrambled|keyword_scrambled|$OUT/inputs/keyword_scrambled/input_0.npy"
)
failures=0
for c in "${CASES[@]}"; do
  IFS='|' read -r name model inputs <<<"$c"
  model_path=$MODELS/tflm/$model.tflite
  args=()
  k=0
  for f in $inputs; do args+=(--input "$k=$f"); k=$((k + 1)); done
  mkdir -p "$OUT/$name"
  EMBER_FORCE_REF=1 "$EMBER" run "$model_path" "${args[@]}" \
    -o "$OUT/$name/host" --json >"$OUT/$name/host.json"
  for t in $TARGETS; do
    dir=$OUT/$name/$t
    "$EMBER" micro export "$model_path" "${args[@]}" -o "$dir" \
      --target "$t" >/dev/null
    if ! make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" >"$dir.build.log" 2>&1; then
      echo "FAIL $name $t: build (see $dir.build.log)"
      tail -5 "$dir.build.log"
      failures=$((failures + 1))
      continue
    fi
    # Cores with the DSP extension must link the int8 DSP kernels
    # (src/micro/dsp_kernels.h) for models with int8 conv / FC; the others
    # the plain C reference only.
    dsp_syms=$(arm-none-eabi-nm -C "$dir/build/app.elf" 2>/dev/null |
      grep -c 'ember::micro::dsp::' || true)
    case "$t:$model" in
      cortex-m4:*_int8|cortex-m7:*_int8|cortex-m33:*_int8|cortex-m55:*_int8|\
      cortex-m4:person_detect|cortex-m7:person_detect|\
      cortex-m33:person_detect|cortex-m55:person_detect) want_dsp=1 ;;
      cortex-m3:*|riscv32:*) want_dsp=0 ;;
      *) want_dsp=$dsp_syms ;;  # float or int16 models: either is right
    esac
    if [ "$((dsp_syms > 0))" -ne "$((want_dsp > 0))" ]; then
      echo "FAIL $name $t: $dsp_syms DSP kernel symbols in the ELF"
      failures=$((failures + 1))
      continue
    fi
    # The Cortex-M55 runs the Helium kernels (src/micro/mve_kernels.h).
    mve_syms=$(arm-none-eabi-nm -C "$dir/build/app.elf" 2>/dev/null |
      grep -c 'ember::micro::mve::' || true)
    if [ "$t" = cortex-m55 ] && [ "$want_dsp" -gt 0 ] &&
       [ "$mve_syms" -eq 0 ]; then
      echo "FAIL $name $t: no Helium kernel symbols in the ELF"
      failures=$((failures + 1))
      continue
    fi
    # The core alone (no op registered; `make size`): on Cortex-M4, it
    # must link, keep no kernel and be smaller than the app.
    if [ "$t" = cortex-m4 ]; then
      if ! make -s -C "$dir" build/core.elf CCACHE="$CCACHE_BIN" \
          >>"$dir.build.log" 2>&1; then
        echo "FAIL $name $t: build/core.elf (see $dir.build.log)"
        failures=$((failures + 1))
        continue
      fi
      core_text=$(arm-none-eabi-size "$dir/build/core.elf" | awk 'NR == 2 { print $1 }')
      app_text=$(arm-none-eabi-size "$dir/build/app.elf" | awk 'NR == 2 { print $1 }')
      kernels=$(arm-none-eabi-nm -C "$dir/build/core.elf" |
        grep -c -E 'ember::micro::(dsp|mve)::|ember::ref::' || true)
      if [ "$core_text" -ge "$app_text" ] || [ "$kernels" -gt 0 ]; then
        echo "FAIL $name $t: core.elf text $core_text B (app $app_text B)," \
             "$kernels kernel symbols"
        failures=$((failures + 1))
        continue
      fi
    fi
    if ! timeout 120 make -s -C "$dir" run >"$dir.log" 2>&1; then
      echo "FAIL $name $t: the firmware failed under QEMU (see $dir.log)"
      tail -5 "$dir.log"
      failures=$((failures + 1))
      continue
    fi
    if $PY tests/micro/qemu_helper.py compare --log "$dir.log" \
        --host-json "$OUT/$name/host.json" --model "$model_path" \
        --inputs $inputs >"$dir.compare.log" 2>&1; then
      echo "ok   $name $t: $(grep '^# arena' "$dir.log" | sed 's/^# //')," \
           "outputs bit-identical to ember run and TFLM"
    else
      echo "FAIL $name $t: outputs differ"
      grep -v '^ok' "$dir.compare.log" | head -5
      failures=$((failures + 1))
    fi
  done
done
# The SIMD kernels on the real instructions: tests/micro/simd_selftest.cc
# (random shapes and tails against the reference kernels) as the app of
# an exported project, on cores with the DSP extension or Helium.
for t in $SELFTEST_TARGETS; do
  dir=$OUT/simd_selftest/$t
  "$EMBER" micro export "$MODELS/tflm/hello_world_int8.tflite" -o "$dir" \
    --target "$t" >/dev/null
  cp tests/micro/simd_selftest.cc "$dir/app/main.cc"
  if ! make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" >"$dir.build.log" 2>&1; then
    echo "FAIL simd_selftest $t: build (see $dir.build.log)"
    failures=$((failures + 1))
  elif ! timeout 300 make -s -C "$dir" run >"$dir.log" 2>&1 ||
       grep -q '^FAIL' "$dir.log" || ! grep -q '^ok' "$dir.log"; then
    echo "FAIL simd_selftest $t (see $dir.log)"
    grep -v '^ok' "$dir.log" | head -5
    failures=$((failures + 1))
  else
    echo "ok   simd_selftest $t: $(grep -c '^ok' "$dir.log") kernels" \
         "bit-exact with the reference ($(sed -n 's/^ok   \(.*\): .*/\1/p' \
         "$dir.log" | paste -sd, -))"
  fi
done
echo "run_qemu.sh: $failures failure(s), $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]

# `ember micro export --arduino`: the library compiled for a Cortex-M4F
# board against a stub Arduino core, run under QEMU (about 30-60 s).
BUILD_DIR=$BUILD_DIR EMBER_SHARED_MODELS=$MODELS bash tests/micro/arduino_test.sh

# `ember micro export --aot`: the compiled models under QEMU, bit-identical
# to the micro interpreter, ember run and TFLM (about 30-90 s).
BUILD_DIR=$BUILD_DIR EMBER_SHARED_MODELS=$MODELS bash tests/micro/aot_test.sh
