#!/usr/bin/env bash
# Signed models on emulated microcontrollers (issue 15, docs/trust.md):
# `ember micro export --trust KEY.pub` of person_detect signed by
# `ember sign`, built with Debian's cross toolchain and run under QEMU on
# each target. Checks that
#   - the signed firmware prints outputs identical to the unsigned export's
#     (same model, no --trust), after verifying the signature on the device;
#   - a firmware whose model array has one byte flipped prints the refusal
#     ("error: untrusted model: the signature does not match ...") and
#     exits non-zero without printing any output;
#   - the export itself refuses an unsigned model, a model signed by
#     another key, and a key file that is not a public key.
# MEASURE=1 also reports, per target, the instructions AllocateTensors
# takes with and without the signature check (QEMU -icount, the exported
# counter) and, on cortex-m4 at -Os, the code size with and without the
# verifier (-DEMBER_MICRO_NO_TRUST builds the same project without it).
#   BUILD_DIR      the built tree with build/release/ember (default)
#   VERIFY_TARGETS default "cortex-m3 cortex-m4"
#   EMBER_SHARED_MODELS  default ../shared/models
# About 1-2 minutes on 2 cores (most of it compiling; ccache shares the
# runtime objects with tests/micro/run_qemu.sh); MEASURE=1 adds ~2 min.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
TARGETS=${VERIFY_TARGETS:-"cortex-m3 cortex-m4"}
MEASURE=${MEASURE:-0}
OUT=$BUILD_DIR/micro_verify_qemu
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CCACHE_BIN=$(command -v ccache || true)
MODEL=$MODELS/tflm/person_detect.tflite
start=$(date +%s)

[ -x "$EMBER" ] || { echo "verify_qemu_test.sh: build $EMBER first" >&2; exit 2; }
for tool in make qemu-system-arm arm-none-eabi-gcc; do
  command -v $tool >/dev/null ||
    { echo "verify_qemu_test.sh: missing $tool (scripts/deps/debian-test.txt)" >&2
      exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/person.bmp" \
  "$OUT/person.npy"
"$EMBER" keygen -o "$OUT/publisher" >/dev/null
"$EMBER" keygen -o "$OUT/other" >/dev/null
"$EMBER" sign "$MODEL" --key "$OUT/publisher" -o "$OUT/signed.tflite" >/dev/null
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# The export refuses what the device would refuse, naming why.
expect_refused() {  # what | words | export arguments...
  local what=$1 words=$2
  shift 2
  local err=$OUT/refused.err
  if "$EMBER" micro export "$@" -o "$OUT/refused" >/dev/null 2>"$err"; then
    fail "export of $what was accepted"
  elif ! grep -q "$words" "$err"; then
    fail "export of $what: expected '$words' in: $(cat "$err")"
  else
    echo "ok   export refuses $what: $(head -c 240 "$err")"
  fi
}
expect_refused "an unsigned model" "not signed" "$MODEL" --trust "$OUT/publisher.pub"
expect_refused "a model signed by another key" "not among the" \
  "$OUT/signed.tflite" --trust "$OUT/other.pub"
expect_refused "a secret key given as --trust" "secret signing key" \
  "$OUT/signed.tflite" --trust "$OUT/publisher"

outputs() { grep -v '^#' "$1" || true; }
build() {  # dir log [make arguments]
  local dir=$1 log=$2
  shift 2
  make -s -C "$dir" -j2 CCACHE="$CCACHE_BIN" "$@" >"$log" 2>&1
}
allocate_count() {  # log -> instructions (SysTick ticks x 40 at 25 MHz)
  local ticks
  ticks=$(sed -n 's/^# allocate counter systick \([0-9]*\)$/\1/p' "$1")
  [ -n "$ticks" ] && echo $((ticks * 40))
}

measure_verify() {  # target name project: instructions of the check
  local t=$1 name=$2 dir=$3 with without
  build "$dir" "$dir.build.log"
  build "$dir" "$dir.notrust.build.log" BUILD=build-notrust \
    EXTRA_FLAGS=-DEMBER_MICRO_NO_TRUST
  make -s -C "$dir" run-icount >"$dir.icount.log" 2>&1
  make -s -C "$dir" BUILD=build-notrust EXTRA_FLAGS=-DEMBER_MICRO_NO_TRUST \
    run-icount >"$dir.notrust.icount.log" 2>&1
  with=$(allocate_count "$dir.icount.log")
  without=$(allocate_count "$dir.notrust.icount.log")
  echo "measure $t $name: AllocateTensors $with instructions with the" \
       "signature check, $without without: verify = $((with - without))" \
       "instructions (-O2)"
}
if [ "$MEASURE" = 1 ]; then
  "$EMBER" sign "$MODELS/tflm/hello_world_int8.tflite" --key "$OUT/publisher" \
    -o "$OUT/hello.signed.tflite" >/dev/null
fi

for t in $TARGETS; do
  base=$OUT/$t
  mkdir -p "$base"
  "$EMBER" micro export "$MODEL" --input "0=$OUT/person.npy" -o "$base/plain" \
    --target "$t" >/dev/null
  "$EMBER" micro export "$OUT/signed.tflite" --input "0=$OUT/person.npy" \
    -o "$base/signed" --target "$t" --trust "$OUT/other.pub" \
    --trust "$OUT/publisher.pub" >/dev/null
  if ! build "$base/plain" "$base/plain.build.log" ||
     ! build "$base/signed" "$base/signed.build.log"; then
    fail "$t: build (see $base/*.build.log)"
    continue
  fi
  if ! timeout 120 make -s -C "$base/plain" run >"$base/plain.log" 2>&1 ||
     ! timeout 120 make -s -C "$base/signed" run >"$base/signed.log" 2>&1; then
    fail "$t: a firmware failed under QEMU (see $base/*.log)"
    tail -3 "$base/signed.log"
    continue
  fi
  if ! grep -q '^# allocate counter' "$base/signed.log"; then
    fail "$t: the signed firmware has no signature check (no allocate counter)"
  elif [ -z "$(outputs "$base/plain.log")" ] ||
     [ "$(outputs "$base/plain.log")" != "$(outputs "$base/signed.log")" ]; then
    fail "$t: the signed firmware's outputs differ from the unsigned one's"
  else
    echo "ok   $t: signed person_detect verified on the device, outputs" \
         "identical to the unsigned firmware ($(outputs "$base/signed.log" |
         head -c 60))"
  fi
  # One byte of the model array flipped (the 1000th byte of the model).
  cp -r "$base/signed" "$base/tampered"
  rm -rf "$base/tampered/build"
  $PY - "$base/tampered/app/model_data.cc" <<'PYEOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
start = text.index("g_model[] = {")
hexes = list(re.finditer(r"0x([0-9a-f]{2})", text[start:]))
m = hexes[1000]
flipped = "0x%02x" % (int(m.group(1), 16) ^ 0x01)
at = start + m.start()
open(path, "w").write(text[:at] + flipped + text[at + 4:])
PYEOF
  if ! build "$base/tampered" "$base/tampered.build.log"; then
    fail "$t: tampered build (see $base/tampered.build.log)"
    continue
  fi
  if timeout 120 make -s -C "$base/tampered" run >"$base/tampered.log" 2>&1; then
    fail "$t: the tampered firmware exited 0"
  elif ! grep -q "^error: untrusted model: the signature does not match" \
      "$base/tampered.log"; then
    fail "$t: the tampered firmware did not print the refusal:"
    head -3 "$base/tampered.log"
  elif grep -q '^# counter' "$base/tampered.log" ||
       [ -n "$(outputs "$base/tampered.log" | grep -v '^error' |
               grep -v '^make' || true)" ]; then
    fail "$t: the tampered firmware ran the model"
  else
    echo "ok   $t: tampered model refused before running:" \
         "$(grep '^error' "$base/tampered.log" | head -c 110)"
  fi
  if [ "$MEASURE" = 1 ]; then
    measure_verify "$t" person_detect "$base/signed"
    # A 2-4 KB model: nearly all of it is the Ed25519 check, not SHA-512.
    dir=$base/hello_signed
    "$EMBER" micro export "$OUT/hello.signed.tflite" -o "$dir" --target "$t" \
      --trust "$OUT/publisher.pub" >/dev/null
    measure_verify "$t" hello_world_int8 "$dir"
    if [ "$t" = cortex-m4 ]; then
      build "$base/signed" "$base/os.build.log" BUILD=build-os OPT=-Os
      build "$base/signed" "$base/os-notrust.build.log" BUILD=build-os-notrust \
        OPT=-Os EXTRA_FLAGS=-DEMBER_MICRO_NO_TRUST
      build "$base/plain" "$base/os-plain.build.log" BUILD=build-os OPT=-Os
      text() { arm-none-eabi-size -B "$1" | awk 'NR == 2 { print $1 }'; }
      with=$(text "$base/signed/build-os/app.elf")
      without=$(text "$base/signed/build-os-notrust/app.elf")
      plain=$(text "$base/plain/build-os/app.elf")
      echo "measure $t -Os: text $with B with the verifier, $without B" \
           "without: verifier = $((with - without)) B (unsigned export:" \
           "$plain B)"
      arm-none-eabi-nm -C --size-sort -S "$base/signed/build-os/app.elf" |
        grep -E 'ember::micro::.*(Sha(256|512)|Ed25519|Fe[A-Z]|Point[A-Z]|Signed|KeyId|Carry|ReduceMod|DoubleScalar|BelowOrder|Refuse|kRound|kInitial|kOrder)' \
        >"$base/verifier.symbols" || true
    fi
  fi
done
echo "verify_qemu_test.sh: $failures failure(s), $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
