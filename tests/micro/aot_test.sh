#!/usr/bin/env bash
# `ember micro export --aot` on emulated microcontrollers: exports
# hello_world_int8, person_detect (TFLM's person.bmp and no_person.bmp),
# keyword_scrambled_8bit and micro_speech_quantized (random inputs)
# compiled ahead of time (convolutions writing over the input they consume
# where the plan overlaps them), builds each project with
# Debian's cross toolchain (the Makefile's check: no heap function, no
# static constructor), runs it under QEMU with semihosting and compares
# the printed outputs bit for bit with the micro interpreter
# (`ember micro run`, the interpreter export's numbers), the host's
# `ember run` (EMBER_FORCE_REF=1) and TFLM's own interpreter. Also checks
# that an op --aot cannot compile (ADD, in a model TensorFlow's converter
# writes here) is an error naming it, and that no project is written.
#   BUILD_DIR      the built tree with build/release/ember (default)
#   AOT_TARGETS    default "cortex-m4 riscv32"
#   EMBER_SHARED_MODELS  default ../shared/models
# About 1-2 minutes on 2 cores (person_detect's weights as C arrays are
# most of the compiling).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
TARGETS=${AOT_TARGETS:-"cortex-m4 riscv32"}
OUT=$BUILD_DIR/micro_aot
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CCACHE_BIN=$(command -v ccache || true)
start=$(date +%s)

[ -x "$EMBER" ] || { echo "aot_test.sh: build $EMBER first" >&2; exit 2; }
rm -rf "$OUT"
mkdir -p "$OUT/inputs"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/person.bmp" \
  "$OUT/inputs/person.npy"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/no_person.bmp" \
  "$OUT/inputs/no_person.npy"
for m in hello_world_int8 keyword_scrambled_8bit micro_speech_quantized; do
  $PY tests/micro/qemu_helper.py random-inputs "$MODELS/tflm/$m.tflite" 7 \
    "$OUT/inputs/$m" >/dev/null 2>&1
done

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# An op without AOT code: a clear error naming it, nothing written.
$PY tests/micro/make_add_model.py "$OUT/add.tflite" >/dev/null 2>&1 ||
  fail "make_add_model.py could not write the ADD model"
if "$EMBER" micro export "$OUT/add.tflite" --aot -o "$OUT/add" \
    2>"$OUT/add.err"; then
  fail "--aot accepted a model with ADD"
elif ! grep -q 'does not support ADD' "$OUT/add.err" || [ -e "$OUT/add" ]
then
  fail "--aot with ADD: unclear error or files written: $(cat "$OUT/add.err")"
else
  echo "ok   unsupported op: $(cat "$OUT/add.err")"
fi

# case name | model | input files (one per model input, in order)
CASES=(
  "hello_world_int8|hello_world_int8|$OUT/inputs/hello_world_int8/input_0.npy"
  "person|person_detect|$OUT/inputs/person.npy"
  "no_person|person_detect|$OUT/inputs/no_person.npy"
  "keyword_scrambled_8bit|keyword_scrambled_8bit|$OUT/inputs/keyword_scrambled_8bit/input_0.npy"
  "micro_speech|micro_speech_quantized|$OUT/inputs/micro_speech_quantized/input_0.npy"
)
for c in "${CASES[@]}"; do
  IFS='|' read -r name model inputs <<<"$c"
  model_path=$MODELS/tflm/$model.tflite
  args=()
  k=0
  for f in $inputs; do args+=(--input "$k=$f"); k=$((k + 1)); done
  mkdir -p "$OUT/$name"
  EMBER_FORCE_REF=1 "$EMBER" run "$model_path" "${args[@]}" \
    -o "$OUT/$name/host" --json >"$OUT/$name/host.json"
  "$EMBER" micro run "$model_path" "${args[@]}" | grep -v '^#' \
    >"$OUT/$name/interpreter.txt"
  for t in $TARGETS; do
    dir=$OUT/$name/$t
    "$EMBER" micro export "$model_path" "${args[@]}" -o "$dir" --aot \
      --target "$t" >/dev/null
    if ! make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" >"$dir.build.log" 2>&1; then
      fail "$name $t: build (see $dir.build.log)"
      tail -5 "$dir.build.log"
      continue
    fi
    if ! timeout 120 make -s -C "$dir" run >"$dir.log" 2>&1; then
      fail "$name $t: the firmware failed under QEMU (see $dir.log)"
      tail -5 "$dir.log"
      continue
    fi
    if ! grep -v '^#' "$dir.log" | diff -q - "$OUT/$name/interpreter.txt" \
        >/dev/null; then
      fail "$name $t: outputs differ from the micro interpreter's"
      grep -v '^#' "$dir.log" | cut -c1-100 | head -3
      continue
    fi
    if $PY tests/micro/qemu_helper.py compare --log "$dir.log" \
        --host-json "$OUT/$name/host.json" --model "$model_path" \
        --inputs $inputs >"$dir.compare.log" 2>&1; then
      echo "ok   $name $t --aot: $(grep '^# arena' "$dir.log" | sed 's/^# //')," \
           "outputs bit-identical to the micro interpreter, ember run and TFLM"
    else
      fail "$name $t: outputs differ"
      grep -v '^ok' "$dir.compare.log" | head -5
    fi
  done
done
echo "aot_test.sh: $failures failure(s), $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
