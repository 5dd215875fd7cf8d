#!/usr/bin/env bash
# CI-only suites: real models from ../shared/models, the conformance suite
# against LiteRT, the WebAssembly build (Node + headless chromium), the
# install/find_package check, the AArch64 build and tests under qemu, bounded
# fuzz runs, and the unit suite under ASan+UBSan.
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
EMBER_REQUIRE_SHARED_MODELS=1 ./build/release/ember_micro_tests \
  --gtest_filter='Clips/MicroSpeechClips.*'

echo "== ci: task library on the shared models and pictures (ember task ...)"
EMBER_REQUIRE_SHARED_MODELS=1 ./build/release/ember_task_model_tests
./build/release/ember task faces --model "$SHARED/mediapipe/face_detection_short_range.tflite" \
  "$SHARED/data/images/dino.jpg" --json > /dev/null
./build/release/ember task face-landmarks --model "$SHARED/mediapipe/face_landmark.tflite" \
  --detector "$SHARED/mediapipe/face_detection_short_range.tflite" \
  "$SHARED/data/images/dino.jpg" --json | grep -q '"faces": \[\]'
./build/release/ember task hands --model "$SHARED/mediapipe/hand_landmark_lite.tflite" \
  --detector "$SHARED/mediapipe/palm_detection_lite.tflite" \
  "$SHARED/data/images/dino.jpg" --json | grep -q '"hands": \[\]'
# input.jpg is not a person (presence 0.28): threshold 0 so the CLI's whole
# pose output (landmarks, world landmarks) is there to check; the person
# checks are ember_task_model_tests' (person.bmp).
./build/release/ember task pose --model "$SHARED/mediapipe/pose_landmark_lite.tflite" \
  "$SHARED/data/images/input.jpg" --min-presence-confidence 0 --json |
  grep '"world_landmarks"' > /dev/null  # not -q: it would cut the pipe early
./build/release/ember task kws --model "$SHARED/tflm/micro_speech_quantized.tflite" \
  --frontend "$SHARED/tflm/audio_preprocessor_int8.tflite" --labels silence,unknown,yes,no \
  "$SHARED/data/audio/yes_1000ms.wav" --json | grep -q '"category_name": "yes"'
echo "== ci: shared models through the example external delegate (bit-exact vs CPU)"
bash tests/delegate/shared_models.sh "$SHARED"
echo "== ci: MediaPipe models through the Vulkan gpu delegate on lavapipe (vs the CPU, ~3 min)"
"$PYTHON" tests/delegate/gpu_models.py --models "$SHARED"
echo "== ci: the same, fp32, through the staging copies a discrete GPU needs (~5 s)"
EMBER_GPU_FORCE_STAGING=1 "$PYTHON" tests/delegate/gpu_models.py --models "$SHARED" \
  --no-bench --precisions fp32
echo "== ci: Keras MobileNet V1/V2/V3 and EfficientNet-B0 (generated, batch -1 signatures) through the gpu delegate"
"$PYTHON" tests/delegate/make_keras_models.py build/keras-models > build/keras-models.log 2>&1 ||
  { tail -40 build/keras-models.log; exit 1; }
grep 'tflite:' build/keras-models.log
"$PYTHON" tests/delegate/gpu_models.py --no-mediapipe --extra-models build/keras-models --no-bench

echo "== ci: conformance suite (ops x types, Keras architectures, shared models)"
"$PYTHON" tests/conformance/generate.py
"$PYTHON" tests/conformance/run.py --shared "$SHARED"

echo "== ci: WebAssembly builds (SIMD128, threads), JS API (Node), WASM vs native on conformance + shared models, Studio + ember report (chromium)"
bash tests/wasm/run.sh --ember build/release/ember --threads-too \
  --conformance-cache tests/conformance/cache \
  --models "$(ls "$SHARED"/mediapipe/*.tflite "$SHARED"/tflm/*.tflite | tr '\n' ' ')" \
  --browser-models "$SHARED/mediapipe/face_detection_short_range.tflite" \
  --screenshots build/wasm-screenshots

echo "== ci: ember convert on Keras models (layers, applications, RNN/MHA) vs Keras, LiteRT, TF converter size"
"$PYTHON" tests/convert/run_corpus.py --ember build/release/ember
echo "== ci: ember convert x.tflite (graph passes) keeps every shared model's outputs"
"$PYTHON" tests/convert/reoptimize_shared.py "$SHARED" --ember build/release/ember
echo "== ci: keyword-spotting int8 accuracy (espeak-ng data, bench/kws)"
bash bench/kws/run.sh

echo "== ci: installed package + find_package(Ember)"
bash tests/install/test_find_package.sh --build-dir build/release

echo "== ci: kernel tests with CPUID masked to AVX2-only and AVX-512-without-VNNI CPUs (~10 s)"
bash tests/isa/run_masked.sh build/release

echo "== ci: AArch64 cross build, kernel + op tests under qemu-aarch64"
bash scripts/test_aarch64.sh

echo "== ci: Ember Micro projects under QEMU (Cortex-M3, M4, M7, M33, M55, RISC-V; interpreter, --aot, --arduino) vs ember run and TFLM"
bash tests/micro/run_qemu.sh
echo "== ci: Ember Micro --aot: patch-based execution and operator reordering (Cortex-M4, riscv32), bit-identical with and without"
EMBER_SHARED_MODELS="$SHARED" bash tests/micro/patch_test.sh
echo "== ci: Ember Micro: yes / no through the audio front end on the device (Cortex-M3, M4, M55) vs the host and TFLM"
AUDIO_TARGETS="cortex-m3 cortex-m4 cortex-m55" bash tests/micro/audio_qemu_test.sh
echo "== ci: Ember Micro: signed models verified on the device (Cortex-M3, M4), tampered ones refused"
bash tests/micro/verify_qemu_test.sh
echo "== ci: Ember Micro on the host vs ember run and TFLM (every TFLM model)"
"$PYTHON" tests/micro/host_vs_tflm.py --ember build/release/ember

echo "== ci: bounded loader fuzzing (clang, ASan+UBSan)"
bash tests/fuzz/run_fuzz.sh "${EMBER_FUZZ_SECONDS:-60}"
echo "== ci: bounded fuzzing of every other parser: trust, update manifest, metadata, images/WAV, npy, ONNX, Keras"
bash tests/fuzz/run_parser_fuzz.sh "${EMBER_PARSER_FUZZ_SECONDS:-20}"
echo "== ci: the unit suite under ASan+UBSan (the fuzz tree, clang)"
bash tests/sanitizers/run.sh asan
echo "== ci: the threaded tests under ThreadSanitizer (g++, its own tree; ~1 min warm, ~20 min cold)"
bash tests/sanitizers/run.sh tsan
