#!/usr/bin/env bash
# The README's second command: installs the test tooling (Debian:
# scripts/deps/debian-test.txt; PyPI: requirements-dev.txt pinned by
# constraints.txt), builds the tests in build/release (the library objects
# from scripts/setup.sh are reused) and runs the default suite: unit, kernel
# (vs LiteRT), loader-corpus, CLI, C ABI and the Python drop-in tests.
#   --no-install   skip the apt/pip steps (the fast loop while developing)
# PYTHON selects the interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib_deps.sh
PYTHON=${PYTHON:-python3}
install=1
for a in "$@"; do
  case $a in
    --no-install) install=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done

if [ $install = 1 ]; then
  ember_step "Debian packages (build + test)"
  ember_apt_install_list scripts/deps/debian-build.txt
  ember_apt_install_list scripts/deps/debian-test.txt
  ember_step "Python test tooling (pinned: requirements-dev.txt + constraints.txt)"
  "$PYTHON" -m pip install --disable-pip-version-check --progress-bar off -q \
    -r requirements-build.txt -r requirements-dev.txt -c constraints.txt
fi
# The C++ oracles run Python helpers (LiteRT, onnx): use this interpreter.
EMBER_PYTHON=${EMBER_PYTHON:-$(command -v "$PYTHON" || echo "$PYTHON")}
export EMBER_PYTHON

ember_step "configure + build build/release with tests"
cmake --preset release -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE="$EMBER_PYTHON" > /dev/null
cmake --build --preset release -j"$(nproc)"
ember_step "unit suite (ctest -L unit)"
ctest --preset release -L unit -j"$(nproc)" --timeout 600
ember_step "Python drop-in API vs LiteRT (pytest)"
"$PYTHON" -m pip install --disable-pip-version-check --no-build-isolation \
  --no-deps -q .
"$PYTHON" -m pytest -q python/tests
