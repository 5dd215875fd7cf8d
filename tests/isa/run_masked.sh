#!/usr/bin/env bash
# Runs the kernel tests as they would run on an older x86 CPU: an AVX2-only
# one (Zen 3, Haswell..Ice Lake client) and an AVX-512 one without VNNI
# (Skylake-X). EMBER_ISA only narrows what Ember *allows*; code that
# follows the CPU alone (DetectedIsas) still sees every feature this machine
# has, which is how the hybrid input quantization fell back to scalar code
# on AVX2-only CPUs without any test noticing. bench/cpu_mask hides the
# CPUID bits themselves (Linux CPUID faulting).
#   tests/isa/run_masked.sh [BUILD_DIR]      (default build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
if ! grep -qw cpuid_fault /proc/cpuinfo; then
  echo "isa-mask: this CPU/kernel cannot fault CPUID (no cpuid_fault flag): nothing to mask, skipped"
  exit 0
fi
if ! grep -qw avx512f /proc/cpuinfo; then
  echo "isa-mask: no AVX-512 here; the unmasked suite already ran on the lower tiers"
  exit 0
fi
LIB=$BUILD/cpuid_mask.so
cc -shared -fPIC -O2 -o "$LIB.tmp" bench/cpu_mask/cpuid_mask.c
mv "$LIB.tmp" "$LIB"
LIB=$(realpath "$LIB")
for tier in avx2 avx512; do
  echo "isa-mask: CPUID masked to $tier"
  # The mask must reach Ember's own detection: its peak probe lists only
  # the tiers this "CPU" has.
  probes=$(LD_PRELOAD=$LIB EMBER_CPUID_MASK=$tier "$BUILD/ember" bench --peak --json \
    --peak-ms 5 --threads 1 | tail -1)
  case $tier in
    avx2) forbidden='"avx512' ;;
    avx512) forbidden='"avx512vnni\|"avxvnni\|"avx512vbmi' ;;
  esac
  if echo "$probes" | grep -q "$forbidden"; then
    echo "isa-mask: ERROR: Ember still detects a tier above $tier: $probes" >&2
    exit 1
  fi
  LD_PRELOAD=$LIB EMBER_CPUID_MASK=$tier "$BUILD/ember_kernel_tests" --gtest_brief=1
done
echo "isa-mask: kernel tests pass with CPUID masked to avx2 and avx512"
