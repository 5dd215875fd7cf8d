#!/usr/bin/env bash
# Every float model in ../shared/models through the example external
# delegate (examples/delegate/): `ember run --delegate` must give the same
# output bytes as the CPU run, and report what it took. Prints one line per
# model: nodes taken, partitions. Fails loudly without the models.
#   usage: tests/delegate/shared_models.sh [SHARED_DIR] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED=${1:-${EMBER_SHARED_MODELS:-$(pwd)/../shared/models}}
BUILD=${2:-build/release}
EMBER=$BUILD/ember
DELEGATE=$(pwd)/$BUILD/ember_example_delegate.so
PYTHON=${PYTHON:-python3}
if [ ! -d "$SHARED" ]; then
  echo "delegate: ERROR: shared models folder '$SHARED' is missing" >&2
  exit 1
fi
for f in "$EMBER" "$DELEGATE"; do
  [ -e "$f" ] || { echo "delegate: ERROR: $f is not built" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
count=0
for model in "$SHARED"/mediapipe/*.tflite "$SHARED"/tflm/*.tflite; do
  name=$(basename "$model" .tflite)
  if ! "$EMBER" run "$model" --random-inputs 5 -o "$work/$name.cpu" --json \
      > "$work/$name.cpu.json" 2> "$work/$name.cpu.err"; then
    echo "$name: CPU run failed, skipped: $(head -c 200 "$work/$name.cpu.err")"
    continue
  fi
  if ! "$EMBER" run "$model" --random-inputs 5 -o "$work/$name.del" --json \
      --delegate "$DELEGATE" > "$work/$name.del.json" 2> "$work/$name.del.err"; then
    echo "$name: FAILED with the delegate (the CPU run works): $(cat "$work/$name.del.err")"
    failed=1
    continue
  fi
  count=$((count + 1))
  same="outputs bit-exact"
  if ! diff -r "$work/$name.cpu" "$work/$name.del" > /dev/null; then
    same="FAILED: outputs differ from the CPU run"
    failed=1
  fi
  "$PYTHON" - "$work/$name.del.json" "$name" "$same" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["delegates"][0]
parts = d["partitions"]
cpu = sum(1 for p in parts if p["on_cpu"])
print(f"{sys.argv[2]}: {d['nodes_taken']} nodes delegated in "
      f"{len(parts) - cpu} partitions ({cpu} fell back), {sys.argv[3]}")
PY
done
[ "$count" -gt 0 ] || { echo "delegate: ERROR: no model ran" >&2; exit 1; }
exit $failed
