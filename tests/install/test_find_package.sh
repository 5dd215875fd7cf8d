#!/usr/bin/env bash
# End-to-end check of the installed package: build Ember, install it into a
# temporary prefix, build examples/c_consumer against that prefix with
# find_package(Ember), and run its C and C++ programs on a model that flatc
# makes from examples/c_consumer/add_model.json (y = x + [1, 2, 3, 4]).
#
#   tests/install/test_find_package.sh [--build-dir DIR] [--keep]
#
# --build-dir DIR  install an already configured build tree (builds only the
#                  `ember` target, installs only the Ember component) instead
#                  of configuring and building a fresh one
# --keep           leave the temporary directory in place
# EMBER_JOBS sets the build parallelism (default 2).
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=""
keep=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build_dir=$(cd "$2" && pwd); shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
jobs=${EMBER_JOBS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/ember_install_test.XXXXXX")
cleanup() { if [[ $keep == 0 ]]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT
prefix=$work/prefix
step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [[ -n $build_dir ]]; then
  step "building target ember in $build_dir"
  cmake --build "$build_dir" --target ember -j "$jobs" >/dev/null
  step "installing component Ember to $prefix"
  cmake --install "$build_dir" --prefix "$prefix" --component Ember >/dev/null
else
  step "configuring a fresh Ember build"
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
    -DEMBER_BUILD_TESTS=OFF -DEMBER_BUILD_TOOLS=OFF >/dev/null
  step "building target ember"
  cmake --build "$work/build" --target ember -j "$jobs" >/dev/null
  step "installing to $prefix"
  cmake --install "$work/build" --prefix "$prefix" >/dev/null
fi

step "checking the installed tree"
for f in include/ember/ember.h include/ember/ember.hpp; do
  [[ -f $prefix/$f ]] || fail "missing $f"
done
lib=$(find "$prefix" -name 'libember.so.*.*.*' -type f | head -n 1)
[[ -n $lib ]] || fail "libember.so not installed"
config=$(find "$prefix" -name EmberConfig.cmake | head -n 1)
[[ -n $config ]] || fail "EmberConfig.cmake not installed"
[[ -f $(dirname "$config")/EmberConfigVersion.cmake ]] || fail "no version file"
[[ -f $(dirname "$config")/EmberTargets.cmake ]] || fail "no targets file"
"$src/tests/install/check_exports.sh" "$lib" "$prefix/include/ember/ember.h"
# No internal headers or static archives leak into the install.
if find "$prefix" -name '*.a' -o -name 'schema_generated.h' | grep -q .; then
  fail "internal files installed: $(find "$prefix" -name '*.a' -o -name 'schema_generated.h')"
fi

step "building examples/c_consumer against the install"
cmake -S "$src/examples/c_consumer" -B "$work/example" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/example" -j "$jobs" >/dev/null

step "making the model with flatc"
flatc --binary -o "$work" "$src/src/schema/schema.fbs" \
  "$src/examples/c_consumer/add_model.json"
model=$work/add_model.tflite
[[ -f $model ]] || fail "flatc did not write $model"

expect() {  # expect OUTPUT LINE
  grep -qxF -- "$2" <<<"$1" || fail "expected line '$2' in:
$1"
}

step "running ember_c_example"
out=$("$work/example/ember_c_example" "$model")
echo "$out"
expect "$out" "input 0 'x' float32 [1, 4]"
expect "$out" "output 0 'y' float32 [1, 4]: 1 2 3 4"
ldd "$work/example/ember_c_example" | grep -q "$prefix" ||
  fail "ember_c_example does not load libember.so from $prefix"

step "running ember_cpp_example"
out=$("$work/example/ember_cpp_example" "$model")
echo "$out"
expect "$out" "output 'y' float32 [1, 4]: 1 2 3 4"
expect "$out" "signature 'serving_default' output 'y' float32 [1, 4]: 1 2 3 4"

step "error path: a file that is not a model"
echo "not a model" >"$work/bad.tflite"
if err=$("$work/example/ember_c_example" "$work/bad.tflite" 2>&1); then
  fail "ember_c_example accepted a bad model"
fi
grep -q "invalid model" <<<"$err" || fail "unexpected error text: $err"

echo "PASS: find_package(Ember) consumer builds and runs"
