#!/usr/bin/env bash
# Code size of Ember Micro's runtime core alone, by the subtraction method:
# for each model, `ember micro export` builds the app (interpreter + the
# model's ops), build/core.elf (the same app with no op registered, so the
# linker drops every kernel) and build/baseline.elf (the same data, no
# interpreter); core = core.elf - baseline.elf and interpreter + ops =
# app.elf - baseline.elf (text bytes, arm-none-eabi-size). Prints a Markdown
# table per optimisation setting.
#
# usage: bash bench/micro/core_size.sh [--ember build/release/ember]
#          [--models DIR] [--target cortex-m4]
set -euo pipefail
cd "$(dirname "$0")/../.."
ember=build/release/ember
models=../shared/models/tflm
target=cortex-m4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ember) ember="$2"; shift ;;
    --models) models="$2"; shift ;;
    --target) target="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "core_size.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
text() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 }'; }
settings=("-O2" "-Os" "-Os -DEMBER_MICRO_NO_MESSAGES")
echo "| model | setting | interpreter + ops (B) | core alone (B) |"
echo "|---|---|---|---|"
for m in hello_world_int8 micro_speech_quantized person_detect \
         keyword_scrambled keyword_scrambled_8bit; do
  dir="$tmp/$m"
  "$ember" micro export "$models/$m.tflite" -o "$dir" --target "$target" >/dev/null
  for s in "${settings[@]}"; do
    opt=${s%% *}
    extra=""
    [[ $s == *" "* ]] && extra=${s#* }
    rm -rf "$dir/build"
    make -s -C "$dir" build/app.elf build/core.elf build/baseline.elf \
      OPT="$opt" EXTRA_FLAGS="$extra" >/dev/null
    app=$(text "$dir/build/app.elf")
    core=$(text "$dir/build/core.elf")
    base=$(text "$dir/build/baseline.elf")
    echo "| $m | $s | $((app - base)) | $((core - base)) |"
  done
done
