#!/usr/bin/env bash
# `ember micro export --arduino` without an Arduino toolchain: exports
# hello_world_int8 and person_detect (TFLM's person.bmp) as Arduino
# libraries, compiles every .cpp of the library's src/ and the example
# sketch (as C++, against tests/micro/arduino_stub: a stand-in Arduino.h
# whose Serial prints through semihosting) with arm-none-eabi-g++ for a
# Cortex-M4F board (-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
# -fno-exceptions -fno-rtti), links it with the exported projects'
# startup files, fails if the image references malloc/free/new/delete,
# runs it under qemu-system-arm (mps2-an386) and compares the printed
# outputs bit for bit with the host's `ember run`. Also checks the
# argument errors (--arduino with riscv32, a non-empty folder that is not
# an earlier export).
#   BUILD_DIR  the built tree with build/release/ember (default)
#   EMBER_SHARED_MODELS  default ../shared/models
# About 30-60 s on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
MODELS=${EMBER_SHARED_MODELS:-../shared/models}
OUT=$BUILD_DIR/micro_arduino
EMBER=$BUILD_DIR/ember
PY=${PYTHON:-python3}
CXX="$(command -v ccache || true) arm-none-eabi-g++"
CC="$(command -v ccache || true) arm-none-eabi-gcc"
ARCH="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard"
# Arduino's Arm cores build C++ as gnu++17 at most; the runtime must too.
CXXFLAGS="$ARCH -O2 -std=gnu++17 -fno-exceptions -fno-rtti
  -ffunction-sections -fdata-sections -DNDEBUG -Wall -Wno-unused-parameter"
HEAP='malloc|free|calloc|realloc|_malloc_r|_free_r|_calloc_r|_realloc_r'
HEAP+='|_Znwj|_Znaj|_ZdlPv|_ZdaPv|_ZdlPvj|_ZdaPvj'
start=$(date +%s)

[ -x "$EMBER" ] || { echo "arduino_test.sh: build $EMBER first" >&2; exit 2; }
for tool in arm-none-eabi-g++ qemu-system-arm; do
  command -v $tool >/dev/null ||
    { echo "arduino_test.sh: missing $tool" >&2; exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT/inputs"
$PY tests/micro/qemu_helper.py bmp2npy "$MODELS/data/images/person.bmp" \
  "$OUT/inputs/person.npy"
$PY tests/micro/qemu_helper.py random-inputs \
  "$MODELS/tflm/hello_world_int8.tflite" 7 "$OUT/inputs/hello" >/dev/null

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# Argument errors: usage (2) or error (1), and nothing written.
if "$EMBER" micro export "$MODELS/tflm/hello_world_int8.tflite" --arduino \
    --target riscv32 -o "$OUT/riscv" 2>"$OUT/riscv.err"; then
  fail "--arduino --target riscv32 was accepted"
elif ! grep -q 'Cortex-M' "$OUT/riscv.err" || [ -e "$OUT/riscv" ]; then
  fail "--arduino --target riscv32: unclear error or files written"
else
  echo "ok   --arduino --target riscv32: $(cat "$OUT/riscv.err")"
fi
mkdir -p "$OUT/occupied" && echo keep >"$OUT/occupied/notes.txt"
if "$EMBER" micro export "$MODELS/tflm/hello_world_int8.tflite" --arduino \
    -o "$OUT/occupied" 2>"$OUT/occupied.err"; then
  fail "--arduino over a non-empty folder was accepted"
elif [ "$(ls "$OUT/occupied")" != notes.txt ]; then
  fail "--arduino over a non-empty folder changed it"
else
  echo "ok   --arduino into a non-empty folder: $(cat "$OUT/occupied.err")"
fi

# Startup, semihosting and linker script of the exported projects.
RT=$OUT/rt
mkdir -p "$RT"
cp tools/micro_project/{startup_cortexm.c,semihost.c,semihost.h,counter.c,counter.h,link.ld} "$RT/"
printf 'MEMORY\n{\n  ROM (rx) : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 4M\n}\n' >"$RT/memory.ld"
for c in startup_cortexm semihost counter; do
  $CC $ARCH -O2 -ffunction-sections -c "$RT/$c.c" -o "$RT/$c.o"
done

# case | model | input
CASES=(
  "hello_world_int8|hello_world_int8|$OUT/inputs/hello/input_0.npy"
  "person|person_detect|$OUT/inputs/person.npy"
)
for c in "${CASES[@]}"; do
  IFS='|' read -r name model input <<<"$c"
  model_path=$MODELS/tflm/$model.tflite
  lib=$OUT/$name/lib
  obj=$OUT/$name/obj
  mkdir -p "$obj"
  EMBER_FORCE_REF=1 "$EMBER" run "$model_path" --input "0=$input" \
    -o "$OUT/$name/host" --json >"$OUT/$name/host.json"
  "$EMBER" micro export "$model_path" --input "0=$input" --arduino \
    --target cortex-m4 -o "$lib" >/dev/null
  for f in library.properties src/ember_model.h; do
    [ -f "$lib/$f" ] || fail "$name: no $f"
  done
  sketches=("$lib"/examples/*/*.ino)
  [ -f "${sketches[0]}" ] || { fail "$name: no example sketch"; continue; }
  objs=()
  k=0
  ok=1
  while IFS= read -r src; do
    k=$((k + 1))
    if ! $CXX $CXXFLAGS -I"$lib/src" -c "$src" -o "$obj/$k.o" \
        >>"$obj/build.log" 2>&1; then
      ok=0
    fi
    objs+=("$obj/$k.o")
  done < <(find "$lib/src" -name '*.cpp' -o -name '*.c' | sort)
  $CXX $CXXFLAGS -I"$lib/src" -Itests/micro/arduino_stub -I"$RT" \
    -c tests/micro/arduino_stub/arduino_stub.cc -o "$obj/stub.o" \
    >>"$obj/build.log" 2>&1 || ok=0
  $CXX $CXXFLAGS -I"$lib/src" -Itests/micro/arduino_stub -x c++ \
    -c "${sketches[0]}" -o "$obj/sketch.o" >>"$obj/build.log" 2>&1 || ok=0
  if [ $ok = 1 ]; then
    $CXX $ARCH -nostartfiles -Wl,--gc-sections -T "$RT/link.ld" -L"$RT" \
      "${objs[@]}" "$obj/stub.o" "$obj/sketch.o" "$RT"/*.o -lm -lc -lgcc \
      -o "$obj/sketch.elf" >>"$obj/build.log" 2>&1 || ok=0
  fi
  if [ $ok = 0 ]; then
    fail "$name: the library does not compile/link (see $obj/build.log)"
    grep -m5 -E 'error|undefined' "$obj/build.log" || true
    continue
  fi
  if arm-none-eabi-nm "$obj/sketch.elf" | grep -Ew "$HEAP"; then
    fail "$name: the image references heap functions (above)"
    continue
  fi
  if ! timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none \
      -serial none -semihosting-config enable=on,target=native \
      -kernel "$obj/sketch.elf" >"$OUT/$name/run.log" 2>&1; then
    fail "$name: the sketch failed under QEMU (see $OUT/$name/run.log)"
    tail -3 "$OUT/$name/run.log"
    continue
  fi
  if $PY tests/micro/qemu_helper.py compare --log "$OUT/$name/run.log" \
      --host-json "$OUT/$name/host.json" >"$OUT/$name/compare.log" 2>&1; then
    echo "ok   $name: the Arduino library (${#objs[@]} sources + sketch)" \
         "compiles, links without heap functions and prints outputs" \
         "bit-identical to ember run ($(arm-none-eabi-size -B "$obj/sketch.elf" | awk 'NR==2 {print "text " $1 ", data " $2 ", bss " $3}'))"
  else
    fail "$name: outputs differ"
    head -5 "$OUT/$name/compare.log"
  fi
done
echo "arduino_test.sh: $failures failure(s), $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
