#!/usr/bin/env bash
# Installs every dependency Ember needs on a fresh Debian 12 machine, then
# configures and builds the release preset. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev            # libFuzzer + sanitizers for the fuzz preset
  flatbuffers-compiler libflatbuffers-dev
  libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pip python3-venv
  ccache                               # optional: faster rebuilds
  libhdf5-dev libzip-dev               # ember convert: Keras .h5 / .keras
  libprotobuf-dev protobuf-compiler    # ember convert: ONNX
  g++-aarch64-linux-gnu qemu-user      # ARM NEON kernels, tested under qemu
  espeak-ng                            # bench/kws only: synthesizes the keyword-spotting data set
  googletest                           # its sources, built for aarch64
)
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python tooling: LiteRT is the test oracle (never a runtime dependency).
PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip install -q --disable-pip-version-check -r requirements-dev.txt

cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
# The Python package (ember.Interpreter), built from the same sources.
"$PYTHON" -m pip install -q --disable-pip-version-check .
echo "setup: built build/release/ember and installed the ember Python package"
