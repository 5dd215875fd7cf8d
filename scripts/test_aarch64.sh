#!/usr/bin/env bash
# AArch64: cross-builds ember_tests (preset aarch64, Debian's
# g++-aarch64-linux-gnu) and runs it under qemu-aarch64 twice:
#   -cpu max         NEON + dotprod (+ i8mm): SDOT and fallback int8 kernels
#   -cpu cortex-a57  NEON only: the fallback int8 kernel
# The cross ember_tests holds every test that needs no Python/LiteRT (see
# CMakeLists.txt): the optimized-vs-reference kernel tests and the op unit
# tests. EMBER_EXPECT_DOTPROD tells the detection test what each CPU model
# must report. No timing claims: qemu says nothing about speed.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${EMBER_JOBS:-$(nproc)}
SYSROOT=/usr/aarch64-linux-gnu
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  if ! command -v "$tool" >/dev/null; then
    echo "test_aarch64: ERROR: '$tool' is missing (run scripts/setup.sh)" >&2
    exit 1
  fi
done

echo "== aarch64: cross build (ember_tests only)"
cmake --preset aarch64 >/dev/null
cmake --build --preset aarch64 -j"$JOBS" --target ember_tests
BIN=build/aarch64/ember_tests

run_qemu() {  # cpu expect_dotprod gtest_filter
  echo "== aarch64: qemu -cpu $1 (dotprod expected: $2), tests '$3'"
  EMBER_EXPECT_DOTPROD=$2 qemu-aarch64 -L "$SYSROOT" -cpu "$1" "$BIN" \
    --gtest_filter="$3" --gtest_brief=1
}

# Everything on both CPU models: the kernel tests (FastF32Kernels: fp32
# NEON vs reference; FastS8Kernels: int8 CONV_2D / FULLY_CONNECTED with the
# SDOT or the fallback tiles vs reference, bit-exact; Arm*: detection and
# the int8 GEMMs vs a scalar reference) and the op / runtime unit tests.
run_qemu max 1 '*'
run_qemu cortex-a57 0 '*'
echo "== aarch64: all passed"
