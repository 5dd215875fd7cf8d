#!/usr/bin/env bash
# AArch64: cross-builds the unit-test executables (preset aarch64, Debian's
# g++-aarch64-linux-gnu) and runs them under qemu-aarch64 twice:
#   -cpu max         NEON + dotprod + i8mm: SMMLA, SDOT and fallback int8
#                    kernels (the tests force each tier in turn)
#   -cpu cortex-a57  NEON only: the fallback int8 kernel
# The cross builds hold every test that needs no Python/LiteRT (see
# tests/CMakeLists.txt): the optimized-vs-reference kernel tests
# (ember_kernel_tests) and the runtime / C API / planner tests
# (ember_tests). EMBER_EXPECT_DOTPROD / EMBER_EXPECT_I8MM tell the detection
# test what each CPU model must report. No timing claims: qemu says nothing about speed.
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

# Every op test compares with the LiteRT oracle, so the cross build has no
# ember_op_tests (tests/CMakeLists.txt leaves empty suites out).
SUITES="ember_kernel_tests ember_tests"
echo "== aarch64: cross build ($SUITES)"
# -DEMBER_TRUST=OFF: the cross sysroot has no libsodium (Debian's
# libsodium-dev:arm64 would need multiarch apt sources on every CI machine),
# so src/trust builds without cryptography; the trust suites run on the
# host, and TrustSupport.* checks here that the stubs refuse cleanly.
cmake --preset aarch64 -DEMBER_TRUST=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build --preset aarch64 -j"$JOBS" --target $SUITES

run_qemu() {  # cpu expect_dotprod_and_i8mm gtest_filter
  for suite in $SUITES; do
    echo "== aarch64: $suite, qemu -cpu $1 (dotprod, i8mm expected: $2), tests '$3'"
    # qemu-user has no Vulkan device: the gpu delegate's tests skip here
    # (they run on lavapipe in the host suite), even where CI requires Vulkan.
    env -u EMBER_REQUIRE_VULKAN EMBER_EXPECT_DOTPROD="$2" EMBER_EXPECT_I8MM="$2" \
      qemu-aarch64 -L "$SYSROOT" -cpu "$1" \
      "build/aarch64/$suite" --gtest_filter="$3" --gtest_brief=1
  done
}

# Everything on both CPU models: the kernel tests (FastF32Kernels: fp32
# NEON vs reference; FastS8Kernels: int8 CONV_2D / FULLY_CONNECTED with the
# SDOT or the fallback tiles vs reference, bit-exact; Arm*: detection and
# the int8 GEMMs vs a scalar reference) and the op / runtime unit tests.
run_qemu max 1 '*'
run_qemu cortex-a57 0 '*'
echo "== aarch64: all passed"
