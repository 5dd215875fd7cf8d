#!/usr/bin/env bash
# Builds Ember for WebAssembly with Debian's emscripten: build/wasm/ember.mjs
# (ES module, default export createEmber) + ember.wasm + ember.d.ts, with
# WebAssembly SIMD128 on; --no-simd builds build/wasm-nosimd instead (for
# engines without SIMD128, and to measure what it buys); --threads builds
# build/wasm-threads, SIMD128 plus WebAssembly threads (numThreads > 1; needs
# SharedArrayBuffer: a cross-origin isolated page, or Node). Only the core
# layers are compiled (runtime, kernels, ops, graph passes, src/describe): no
# converter, CLI, tests or Python.
#
# usage: bash scripts/build_wasm.sh [--no-simd | --threads] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."

simd=1
threads=0
jobs=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-simd) simd=0 ;;
    --threads) threads=1 ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build_wasm.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in emcmake em++ node ninja flatc; do
  if ! command -v "$tool" >/dev/null; then
    echo "build_wasm.sh: '$tool' not found (apt-get install emscripten" \
         "ninja-build flatbuffers-compiler nodejs)" >&2
    exit 1
  fi
done
# Debian's emscripten runs its JavaScript optimizer with the system node,
# which must find Debian's acorn (node-acorn) there.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

if [[ $simd == 0 && $threads == 1 ]]; then
  echo "build_wasm.sh: --threads builds with SIMD128; drop --no-simd" >&2
  exit 2
fi
threads_cmake=OFF
if [[ $threads == 1 ]]; then
  dir=build/wasm-threads
  arch_flags="-msimd128 -pthread"
  threads_cmake=ON
elif [[ $simd == 1 ]]; then
  dir=build/wasm
  arch_flags="-msimd128"
else
  dir=build/wasm-nosimd
  arch_flags=""
fi
start=$SECONDS
emcmake cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DEMBER_BUILD_TESTS=OFF -DEMBER_BUILD_TOOLS=OFF -DEMBER_BUILD_CONVERT=OFF \
  -DEMBER_WASM_THREADS=$threads_cmake \
  -DCMAKE_C_FLAGS="$arch_flags" \
  -DCMAKE_CXX_FLAGS="$arch_flags -include $PWD/web/wasm_prelude.h" >/dev/null
ninja -C "$dir" -j "$jobs" ember_wasm
echo "build_wasm.sh: $dir/ember.mjs + ember.wasm" \
     "($(stat -c %s "$dir/ember.wasm") bytes) in $((SECONDS - start)) s"
