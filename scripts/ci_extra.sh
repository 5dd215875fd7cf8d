#!/usr/bin/env bash
# CI-only suites: real models from ../shared/models, the conformance suite
# against LiteRT, the install/find_package check, the AArch64 build and
# tests under qemu, and a bounded fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${EMBER_SHARED_MODELS:-$(pwd)/../shared/models}
if [ ! -d "$SHARED" ]; then
  echo "ci: ERROR: shared models folder '$SHARED' is missing" >&2
  exit 1
fi
export EMBER_SHARED_MODELS="$SHARED"
PYTHON=${PYTHON:-python3}

echo "== ci: real models (../shared/models) vs LiteRT"
ctest --preset release -L models --timeout 1800

echo "== ci: conformance suite (ops x types, Keras architectures, shared models)"
"$PYTHON" tests/conformance/generate.py
"$PYTHON" tests/conformance/run.py --shared "$SHARED"

echo "== ci: installed package + find_package(Ember)"
bash tests/install/test_find_package.sh --build-dir build/release

echo "== ci: AArch64 cross build, kernel + op tests under qemu-aarch64"
bash scripts/test_aarch64.sh

echo "== ci: bounded loader fuzzing (clang, ASan+UBSan)"
bash tests/fuzz/run_fuzz.sh "${EMBER_FUZZ_SECONDS:-60}"
