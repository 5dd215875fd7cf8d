#!/usr/bin/env bash
# "yes" and "no" recognised on emulated microcontrollers through the audio
# front end: for each target, an exported project (`ember micro export` of
# audio_preprocessor_int8: the micro runtime, Makefile, startup files) whose
# app is tests/micro/audio_firmware.cc with both models (the preprocessor
# and micro_speech_quantized) and the raw 16 kHz samples of the yes, no
# and silence clips embedded as C arrays (tests/micro/audio_app.py gen).
# On the device: 49 windows per clip through the preprocessor (49 x 40 int8
# features), then the classifier; the printed features, scores and label
# must be bit-identical to Ember's host interpreter and to TFLM's own
# interpreter on the same clip (computed here), with "yes" for the yes clip,
# "no" for the no clip, "silence" for the silence clip. QEMU runs with
# -icount shift=0: the instruction counts per 1 s clip are printed.
#   BUILD_DIR      the built tree with build/release/ember (default)
#   AUDIO_TARGETS  default: cortex-m4 cortex-m3 cortex-m7 cortex-m33
#                  cortex-m55 riscv32
#   EMBER_SHARED_MODELS  default ../shared/models
# Needs the `ember` Python package of the same tree (scripts/setup.sh
# installs it) and tflite-micro (requirements-dev.txt).
# About 50 s per target on 2 shared cores with a cold ccache, most of it
# compiling the runtime: all six 268 s (183 s with ccache warm),
# AUDIO_TARGETS="cortex-m3 cortex-m4 cortex-m55" 150 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
TARGETS=${AUDIO_TARGETS:-"cortex-m4 cortex-m3 cortex-m7 cortex-m33 cortex-m55 riscv32"}
CLIPS=yes,no,silence
OUT=$BUILD_DIR/micro_audio
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CCACHE_BIN=$(command -v ccache || true)
PRE=$MODELS/tflm/audio_preprocessor_int8.tflite
CLS=$MODELS/tflm/micro_speech_quantized.tflite
WAVS=$MODELS/data/audio
start=$(date +%s)

[ -x "$EMBER" ] || { echo "audio_qemu_test.sh: build $EMBER first" >&2; exit 2; }
for tool in make qemu-system-arm qemu-system-riscv32 arm-none-eabi-gcc \
            riscv64-unknown-elf-gcc; do
  command -v $tool >/dev/null ||
    { echo "audio_qemu_test.sh: missing $tool (scripts/deps/debian-test.txt)" >&2
      exit 2; }
done
for f in "$PRE" "$CLS" "$WAVS/yes_1000ms.wav" "$WAVS/no_1000ms.wav" \
         "$WAVS/silence_1000ms.wav"; do
  [ -f "$f" ] || { echo "audio_qemu_test.sh: missing $f" >&2; exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT"
# Arena sizes: the export's plan (host, 8-byte pointers: an upper bound of
# the 4-byte targets').
arena_of() {
  "$EMBER" micro export "$1" -o "$OUT/sizes/$(basename "$1" .tflite)" \
    --target cortex-m4 --json |
    $PY -c 'import json, sys; print(json.load(sys.stdin)["arena_array_bytes"])'
}
pre_arena=$(arena_of "$PRE")
cls_arena=$(arena_of "$CLS")

# SysTick ticks -> instructions under -icount shift=0 (1 instruction per
# ns; the boards' core clocks: 25 MHz, 20 MHz on the AN505, 32 MHz on the
# AN547); RISC-V counts retired instructions itself.
ns_per_tick() {
  case $1 in cortex-m33) echo 50 ;; cortex-m55) echo 31.25 ;; *) echo 40 ;; esac
}

failures=0
summary=()
for t in $TARGETS; do
  dir=$OUT/$t
  "$EMBER" micro export "$PRE" -o "$dir" --target "$t" >/dev/null
  $PY tests/micro/audio_app.py gen --pre "$PRE" --cls "$CLS" \
    --wav-dir "$WAVS" --clips "$CLIPS" --pre-arena "$pre_arena" \
    --cls-arena "$cls_arena" --out-dir "$dir/app"
  cp tests/micro/audio_firmware.cc "$dir/app/main.cc"
  if ! make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" >"$dir.build.log" 2>&1; then
    echo "FAIL $t: build (see $dir.build.log)"
    tail -5 "$dir.build.log"
    failures=$((failures + 1))
    continue
  fi
  if ! timeout 300 make -s -C "$dir" run-icount >"$dir.log" 2>&1; then
    echo "FAIL $t: the firmware failed under QEMU (see $dir.log)"
    tail -5 "$dir.log"
    failures=$((failures + 1))
    continue
  fi
  if ! $PY tests/micro/audio_app.py compare --log "$dir.log" --pre "$PRE" \
      --cls "$CLS" --wav-dir "$WAVS" --clips "$CLIPS" \
      >"$dir.compare.log" 2>&1; then
    echo "FAIL $t: the device differs (see $dir.compare.log)"
    grep -v '^ok' "$dir.compare.log" | head -5
    failures=$((failures + 1))
    continue
  fi
  k=$(ns_per_tick "$t")
  counts=$(sed -n 's/^# counter \([a-z]*\) preprocessor_\([a-z]*\) \([0-9]*\) classifier_[a-z]* \([0-9]*\)$/\1 \2 \3 \4/p' "$dir.log" |
    awk -v k="$k" '{ f = ($1 == "instret") ? 1 : k;
      printf "%s %.0f/%.0f ", $2, $3 * f, $4 * f }')
  pre=$(sed -n 's/^# arena preprocessor //p' "$dir.log" | head -1)
  echo "ok   $t: yes, no, silence recognised; features and scores" \
       "bit-identical to Ember's host and TFLM"
  summary+=("$t | preprocessor arena $pre | instructions per clip (preprocessor x49 / classifier): $counts")
done
printf '%s\n' "${summary[@]}"
echo "audio_qemu_test.sh: $failures failure(s), $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
