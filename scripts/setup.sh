#!/usr/bin/env bash
# The README's first command: installs only what building and running Ember
# needs (scripts/deps/debian-build.txt, requirements-build.txt), builds the
# library, the CLI and the Python extension once (build/release), installs
# the Python package from that same build, and leaves the demo to
# `./build/release/ember run`. Test tooling is scripts/test.sh's job.
# Safe to re-run; PYTHON selects the interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib_deps.sh
PYTHON=${PYTHON:-python3}

ember_step "Debian build dependencies"
ember_apt_install_list scripts/deps/debian-build.txt

ember_step "Python build dependencies (pinned: requirements-build.txt)"
"$PYTHON" -m pip install --disable-pip-version-check --progress-bar off -q \
  -r requirements-build.txt -c constraints.txt

ember_step "configure build/release"
cmake --preset release -DEMBER_BUILD_PYTHON=ON -DEMBER_BUILD_TESTS=OFF \
  -DPython_EXECUTABLE="$(command -v "$PYTHON" || echo "$PYTHON")" > /dev/null
ember_step "build library, CLI and Python extension ($(nproc) jobs)"
cmake --build --preset release -j"$(nproc)"

# scikit-build-core reuses build/release (pyproject.toml: build-dir), so this
# links nothing new: it installs the extension the step above built.
ember_step "install the ember Python package (from build/release)"
"$PYTHON" -m pip install --disable-pip-version-check --no-build-isolation \
  --no-deps -q .
ember_step "done: try ./build/release/ember run"
