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
# The unit tests that read real models skip without them; here they must run.
EMBER_REQUIRE_SHARED_MODELS=1 ./build/release/ember_op_tests \
  --gtest_filter='ShapeOps.OpsFromRealModels:ShapeOps.DensifyFaceDetectionSparseWeights'

echo "== ci: conformance suite (ops x types, Keras architectures, shared models)"
"$PYTHON" tests/conformance/generate.py
"$PYTHON" tests/conformance/run.py --shared "$SHARED"

echo "== ci: ember convert on Keras models (layers, applications, RNN/MHA) vs Keras, LiteRT, TF converter size"
"$PYTHON" tests/convert/run_corpus.py --ember build/release/ember
echo "== ci: ember convert x.tflite (graph passes) keeps every shared model's outputs"
"$PYTHON" tests/convert/reoptimize_shared.py "$SHARED" --ember build/release/ember
echo "== ci: keyword-spotting int8 accuracy (espeak-ng data, bench/kws)"
bash bench/kws/run.sh

echo "== ci: installed package + find_package(Ember)"
bash tests/install/test_find_package.sh --build-dir build/release

echo "== ci: AArch64 cross build, kernel + op tests under qemu-aarch64"
bash scripts/test_aarch64.sh

echo "== ci: bounded loader fuzzing (clang, ASan+UBSan)"
bash tests/fuzz/run_fuzz.sh "${EMBER_FUZZ_SECONDS:-60}"
echo "== ci: bounded trust + update-manifest fuzzing (~2.5 min with the build)"
bash tests/fuzz/run_parser_fuzz.sh "${EMBER_PARSER_FUZZ_SECONDS:-30}"
