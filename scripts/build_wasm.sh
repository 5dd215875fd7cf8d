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
# The configure presets (CMakePresets.json: wasm, wasm-nosimd, wasm-threads)
# hold the flags; this picks one, configures and builds the module.
if [[ $threads == 1 ]]; then
  preset=wasm-threads
elif [[ $simd == 1 ]]; then
  preset=wasm
else
  preset=wasm-nosimd
fi
dir=build/$preset
start=$SECONDS
cmake --preset "$preset" >/dev/null
ninja -C "$dir" -j "$jobs" ember_wasm
echo "build_wasm.sh: $dir/ember.mjs + ember.wasm" \
     "($(stat -c %s "$dir/ember.wasm") bytes) in $((SECONDS - start)) s"
