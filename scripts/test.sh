#!/usr/bin/env bash
# The default test suite: builds the release preset and runs every unit,
# kernel and CLI test. Needs nothing but the repo (after scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
ctest --preset release -L unit -j"$(nproc)" --timeout 600
# Python drop-in API, compared against LiteRT.
${PYTHON:-python3} -m pip install -q --disable-pip-version-check .
${PYTHON:-python3} -m pytest -q python/tests
