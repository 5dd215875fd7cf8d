#!/usr/bin/env bash
# The WebAssembly build and its tests: builds build/wasm (SIMD128; with
# --nosimd-too also build/wasm-nosimd; with --threads-too also
# build/wasm-threads, whose Node runs use 3 threads), runs the JavaScript API tests in Node
# on each, type-checks web/ember.d.ts with tsc --strict and runs the typed
# program against each build, compares
# WASM outputs with the native `ember` CLI (integer outputs bit-exact, float
# within tests/wasm/common.mjs's tolerance) on the repository's digits model,
# int8 models of awkward shapes for the SIMD128 int8 kernels
# (tests/wasm/make_int8_models.py; tests/wasm/int8_kernels.mjs checks that
# the SIMD128 build runs its int8 kernels on them; tests/wasm/kernel_test.cc
# checks those kernels against the reference arithmetic on random cases),
# the conformance cases matching --only (from a tests/conformance cache) and
# the models given with --models, then opens Ember Studio and an `ember
# report` in headless chromium (tests/wasm/browser_test.py); one of the
# --browser-models must have an image input (Studio's image upload is tested
# on it).
#
# usage: bash tests/wasm/run.sh [--ember build/release/ember]
#          [--conformance-cache DIR] [--only REGEX] [--models "A.tflite ..."]
#          [--browser-models "A.tflite ..."] [--screenshots DIR]
#          [--no-browser] [--nosimd-too] [--threads-too]
set -euo pipefail
cd "$(dirname "$0")/../.."
# Debian's emscripten runs its JS optimizer (acorn) under whichever `node`
# is first on PATH; a Node that is not Debian's own does not search
# /usr/share/nodejs, where node-acorn lives, and an optimized link (the
# kernel test's) then fails with "Cannot find module 'acorn'".
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
ember=build/release/ember
cache=""
only='^(conv2d__k1|conv2d__k3|depthwise|fully_connected|add__bcast0|softmax|avg_pool|max_pool|mean|concat|reshape)'
models=""
browser_models=""
shots=""
browser=1
builds=(build/wasm)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ember) ember="$2"; shift ;;
    --conformance-cache) cache="$2"; shift ;;
    --only) only="$2"; shift ;;
    --models) models="$2"; shift ;;
    --browser-models) browser_models="$2"; shift ;;
    --screenshots) shots="$2"; shift ;;
    --no-browser) browser=0 ;;
    --nosimd-too) builds+=(build/wasm-nosimd) ;;
    --threads-too) builds+=(build/wasm-threads) ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "tests/wasm/run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
if [[ ! -x $ember ]]; then
  echo "tests/wasm/run.sh: native CLI '$ember' not found (build it first)" >&2
  exit 1
fi
start=$SECONDS
step() { echo "== wasm: $* ($((SECONDS - start)) s)"; }

for dir in "${builds[@]}"; do
  step "build $dir"
  case $dir in
    build/wasm) bash scripts/build_wasm.sh ;;
    build/wasm-nosimd) bash scripts/build_wasm.sh --no-simd ;;
    build/wasm-threads) bash scripts/build_wasm.sh --threads ;;
  esac
done

# int8 models of awkward shapes for the SIMD128 int8 kernels (TensorFlow's
# converter; kept between runs).
step "int8 kernel models"
int8_models=build/wasm-int8-models
"${PYTHON:-python3}" tests/wasm/make_int8_models.py "$int8_models"

compare=(node tests/wasm/compare_native.mjs --ember "$ember"
         models/default/digits.tflite)
if [[ -n $cache ]]; then
  compare+=(--manifest "$cache" --only "$only" --min-models 20)
fi
# shellcheck disable=SC2206
[[ -n $models ]] && compare+=($models)
for dir in "${builds[@]}"; do
  simd=1
  [[ $dir == build/wasm-nosimd ]] && simd=0
  threads=0
  threads_args=()
  if [[ $dir == build/wasm-threads ]]; then
    threads=1
    threads_args=(--threads 3)
  fi
  step "JavaScript API tests ($dir)"
  node tests/wasm/api_test.mjs --wasm "$dir" --simd $simd --threads $threads
  step "TypeScript declarations vs the module ($dir)"
  tsc -p tests/wasm/tsconfig.json
  node build/wasm-ts/typed_api.js "$dir" "$PWD"
  step "$dir vs native${threads_args:+ (3 threads)}"
  "${compare[@]}" --wasm "$dir" "${threads_args[@]}"
  if [[ $threads == 1 ]]; then
    # The kernels are build/wasm's; what is new here is the threads.
    node tests/wasm/compare_native.mjs --ember "$ember" --wasm "$dir" \
      --manifest "$int8_models" --min-models 20 --threads 3
    continue
  fi
  step "$dir int8 kernels vs the reference arithmetic (tests/wasm/kernel_test.cc)"
  ninja -C "$dir" -j 2 ember_wasm_kernel_test >/dev/null
  node "$dir/ember_wasm_kernel_test.js"
  step "$dir int8 kernels: which ones run, bit-exact vs native"
  node tests/wasm/int8_kernels.mjs --wasm "$dir" --simd $simd \
    --manifest "$int8_models"
  node tests/wasm/compare_native.mjs --ember "$ember" --wasm "$dir" \
    --manifest "$int8_models" --min-models 20
done

if [[ $browser == 1 ]]; then
  step "Ember Studio and ember report in headless chromium"
  # shellcheck disable=SC2086
  threads_flag=""
  [[ " ${builds[*]} " == *" build/wasm-threads "* ]] && threads_flag=--threads
  "${PYTHON:-python3}" tests/wasm/browser_test.py --ember "$ember" \
    ${shots:+--screenshots "$shots"} ${browser_models:+--require-image-model} \
    $threads_flag \
    models/default/digits.tflite \
    $browser_models
fi
step "done"
