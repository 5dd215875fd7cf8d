#!/usr/bin/env bash
# The unit suite under sanitizers:
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (clang, in the fuzz
#         preset's tree): every `unit` test that needs no CLI (the CLI's own
#         tests run in the release build)
#   tsan  ThreadSanitizer (g++): the tests that run work on several threads (the
#         thread pool; the optimized kernels and whole models on 1-3 threads)
# Any sanitizer report fails the test that caused it; the script exits
# non-zero if any test fails.
#   tests/sanitizers/run.sh asan|tsan
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-}
jobs=${EMBER_BUILD_JOBS:-2}
case $mode in
  asan)
    # The fuzz preset's tree (clang, ASan+UBSan): the core is already built
    # there for the fuzzers, so only the test programs are added.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/libhdf5_lsan.supp}
    cmake --preset fuzz >/dev/null
    cmake --build build/fuzz -j"$jobs"
    # The tests that start the gpu delegate are left out: LeakSanitizer
    # reports blocks realloc'ed inside Mesa's lavapipe driver, unloaded by
    # the time it looks (not attributable; see the issue 15 note).
    ctest --test-dir build/fuzz -L unit \
      -E '^(GpuDelegate\.|ImageEmbedder\.RunsOnEveryDelegate$)' -j"$jobs" \
      --timeout 1200 --output-on-failure
    ;;
  tsan)
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
    cmake --preset tsan >/dev/null
    cmake --build build/tsan -j"$jobs" --target ember_kernel_tests \
      ember_op_tests ember_tests
    # Tests whose work is split over threads (names as in the suites).
    threaded='ThreadPool*:WorkSplit*:WorkEstimate*:FastOps*:FastF32*:FastS8*'
    threaded+=':FastDw*:FastGrouped*:Spmm*:Graph*:AttentionChain*'
    threaded+=':FastTransposeConv*:WeightCache*:*Thread*:FastS16*:EltwiseS16*'
    for suite in ember_kernel_tests ember_op_tests ember_tests; do
      "build/tsan/$suite" --gtest_filter="$threaded"
    done
    ;;
  *)
    echo "usage: tests/sanitizers/run.sh asan|tsan" >&2
    exit 2
    ;;
esac
echo "sanitizers ($mode): all passed"
