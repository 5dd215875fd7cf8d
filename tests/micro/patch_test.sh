#!/usr/bin/env bash
# Patch-based execution in `ember micro export --aot` (MCUNetV2's idea,
# tools/micro_aot_patch.h) on emulated microcontrollers: person_detect
# (TFLM's person.bmp and no_person.bmp) and a synthetic int8 model
# (tests/micro/make_patch_model.py: CONV_2D stride 2 SAME, depthwise,
# 1x1, depthwise stride 2, 1x1; random input) are exported with and
# without patches (--no-patches), built with Debian's cross toolchain and
# run under QEMU with -icount. Checks, per target: the exporter chose
# patches (patch_layers > 0) and they lower the arena; the outputs with
# patches are bit-identical to those without, to the micro interpreter
# (`ember micro run`), to `ember run` (EMBER_FORCE_REF=1) and to TFLM's own
# interpreter. Prints the arenas and the instructions per inference with
# and without patches (the halo recomputation's cost), then the arena
# with and without patches of every TFLM model (export only). Operator
# reordering the same way: a two-branch model stored in the order with
# the higher peak (tests/micro/make_branch_model.py) exported with and
# without --no-reorder: the exporter reorders it, the arena is lower, the
# outputs bit-identical.
#   BUILD_DIR      the built tree with build/release/ember (default)
#   PATCH_TARGETS  default "cortex-m4 riscv32"
#   EMBER_SHARED_MODELS  default ../shared/models
# About 1-2 minutes on 2 cores with a warm ccache (person_detect's weights
# as C arrays are most of the compiling, twice per target).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
TARGETS=${PATCH_TARGETS:-"cortex-m4 riscv32"}
OUT=$BUILD_DIR/micro_patch
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CCACHE_BIN=$(command -v ccache || true)
start=$(date +%s)

[ -x "$EMBER" ] || { echo "patch_test.sh: build $EMBER first" >&2; exit 2; }
rm -rf "$OUT"
mkdir -p "$OUT/inputs"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/person.bmp" \
  "$OUT/inputs/person.npy"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/no_person.bmp" \
  "$OUT/inputs/no_person.npy"
$PY tests/micro/make_patch_model.py "$OUT/patch_model.tflite" >/dev/null 2>&1
$PY tests/micro/qemu_helper.py random-inputs "$OUT/patch_model.tflite" 7 \
  "$OUT/inputs/patch_model" >/dev/null 2>&1
$PY tests/micro/make_branch_model.py "$OUT/branch_model.tflite" >/dev/null 2>&1
$PY tests/micro/qemu_helper.py random-inputs "$OUT/branch_model.tflite" 7 \
  "$OUT/inputs/branch_model" >/dev/null 2>&1

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
field() { $PY -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
# Instructions per inference: RISC-V counts retired instructions; the
# Cortex-M boards count SysTick ticks, one instruction per virtual
# nanosecond under -icount shift=0 (core clocks 25 MHz, 20 MHz on the
# AN505 (cortex-m33), 32 MHz on the AN547 (cortex-m55)).
instructions() {
  local ns=40
  case $2 in cortex-m33) ns=50 ;; cortex-m55) ns=31.25 ;; esac
  sed -n 's/^# counter \([a-z]*\) \([0-9]*\)$/\1 \2/p' "$1" |
    awk -v ns="$ns" '{ printf "%d\n", ($1 == "systick" ? $2 * ns : $2) }'
}

# case name | model | input files (one per model input, in order) | the
# flag that turns the feature off
CASES=(
  "person|$MODELS/tflm/person_detect.tflite|$OUT/inputs/person.npy|--no-patches"
  "no_person|$MODELS/tflm/person_detect.tflite|$OUT/inputs/no_person.npy|--no-patches"
  "synthetic|$OUT/patch_model.tflite|$OUT/inputs/patch_model/input_0.npy|--no-patches"
  "branch|$OUT/branch_model.tflite|$OUT/inputs/branch_model/input_0.npy|--no-reorder"
)
for c in "${CASES[@]}"; do
  IFS='|' read -r name model_path inputs off <<<"$c"
  args=()
  k=0
  for f in $inputs; do args+=(--input "$k=$f"); k=$((k + 1)); done
  mkdir -p "$OUT/$name"
  EMBER_FORCE_REF=1 "$EMBER" run "$model_path" "${args[@]}" \
    -o "$OUT/$name/host" --json >"$OUT/$name/host.json"
  "$EMBER" micro run "$model_path" "${args[@]}" | grep -v '^#' \
    >"$OUT/$name/interpreter.txt"
  for t in $TARGETS; do
    ok=1
    for mode in on off; do
      dir=$OUT/$name/$t-$mode
      flag=()
      [ "$mode" = off ] && flag=("$off")
      "$EMBER" micro export "$model_path" "${args[@]}" -o "$dir" --aot \
        --target "$t" "${flag[@]}" --json >"$dir.json"
      if ! make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" >"$dir.build.log" 2>&1
      then
        fail "$name $t $mode: build (see $dir.build.log)"
        tail -5 "$dir.build.log"
        ok=0
        break
      fi
      if ! timeout 300 make -s -C "$dir" run-icount >"$dir.log" 2>&1; then
        fail "$name $t $mode: the firmware failed under QEMU (see $dir.log)"
        tail -5 "$dir.log"
        ok=0
        break
      fi
      if ! grep -v '^#' "$dir.log" | diff -q - "$OUT/$name/interpreter.txt" \
          >/dev/null; then
        fail "$name $t $mode: outputs differ from the micro interpreter's"
        ok=0
      fi
    done
    [ "$ok" = 1 ] || continue
    p=$OUT/$name/$t-on
    n=$OUT/$name/$t-off
    with=$(field "$p.json" arena_bytes)
    without=$(field "$n.json" arena_bytes)
    if [ "$off" = --no-reorder ]; then
      what="reordered $(field "$p.json" op_order)"
      if [ "$(field "$p.json" reordered)" != True ] ||
          [ "$(field "$n.json" reordered)" != False ] ||
          [ "$with" -ge "$without" ]; then
        fail "$name $t: not reordered or not lower ($with B vs $without B)"
        continue
      fi
    else
      layers=$(field "$p.json" patch_layers)
      what="patches $layers layers x $(field "$p.json" patch_rows) rows"
      if [ "$layers" -le 0 ] || [ "$with" -ge "$without" ] ||
          [ "$(field "$p.json" arena_bytes_without_patches)" != "$without" ] ||
          [ "$(field "$n.json" patch_layers)" != 0 ]; then
        fail "$name $t: patches not chosen or not lower ($layers layers, $with B vs $without B)"
        continue
      fi
    fi
    if ! diff -q <(grep -v '^#' "$p.log") <(grep -v '^#' "$n.log") >/dev/null
    then
      fail "$name $t: outputs with and without $off differ"
      continue
    fi
    if ! $PY tests/micro/qemu_helper.py compare --log "$p.log" \
        --host-json "$OUT/$name/host.json" --model "$model_path" \
        --inputs $inputs >"$p.compare.log" 2>&1; then
      fail "$name $t: outputs differ from ember run / TFLM"
      grep -v '^ok' "$p.compare.log" | head -5
      continue
    fi
    iw=$(instructions "$p.log" "$t")
    in=$(instructions "$n.log" "$t")
    echo "ok   $name $t: $what: arena $with B (with $off $without B)," \
         "instructions $iw (with $off $in," \
         "+$(( (iw - in) * 1000 / in / 10 )).$(( (iw - in) * 1000 / in % 10 ))%)," \
         "outputs bit-identical with and without, to the micro" \
         "interpreter, ember run and TFLM"
  done
done

# The arena of every TFLM model with and without patches (cortex-m4).
mkdir -p "$OUT/arena"
for m in person_detect hello_world_int8 micro_speech_quantized \
    keyword_scrambled keyword_scrambled_8bit; do
  "$EMBER" micro export "$MODELS/tflm/$m.tflite" -o "$OUT/arena/$m" --aot \
    --json >"$OUT/arena/$m.json" 2>/dev/null || {
    fail "$m: --aot export"
    continue
  }
  j=$OUT/arena/$m.json
  echo "arena $m: $(field "$j" arena_bytes) B with patches" \
       "($(field "$j" patch_layers) layers x $(field "$j" patch_rows) rows)," \
       "$(field "$j" arena_bytes_without_patches) B without"
done
echo "patch_test.sh: $failures failure(s), $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
