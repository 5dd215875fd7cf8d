#!/usr/bin/env python3
"""Fails when the build or the tests use something the setup lists miss.

CI runs on a machine where anything installed by hand stays installed, so a
green run proves nothing about a fresh one. This check reads what the repo
actually uses and compares it with what the scripts install:
  * every find_package / find_program / find_path / pkg_check_modules in the
    CMake files, and every external command the shell scripts call, must map
    (table below) to a Debian package listed in scripts/deps/*.txt;
  * every top-level Python module imported by tests, bench and scripts must be
    in the standard library, the repo itself, or requirements-*.txt;
  * every requirement must be pinned in constraints.txt.
Standard library only, so it runs before anything is installed.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# CMake package / program / header / pkg-config name -> Debian package.
CMAKE_TO_DEBIAN = {
    "ccache": "ccache", "flatbuffers": "libflatbuffers-dev", "flatc": "flatbuffers-compiler",
    "flatbuffers/flatbuffers.h": "libflatbuffers-dev", "CLI11": "libcli11-dev",
    "nlohmann_json": "nlohmann-json3-dev", "GTest": "libgtest-dev", "Protobuf": "libprotobuf-dev",
    "HDF5": "libhdf5-dev", "PkgConfig": "pkg-config", "libzip": "libzip-dev",
    "Python": "python3-dev", "nanobind": None,  # PyPI (requirements-build.txt)
    "qemu-aarch64": "qemu-user", "benchmark": "libbenchmark-dev",
    "JPEG": "libjpeg62-turbo-dev", "PNG": "libpng-dev",
    "glslc": "glslc", "vulkan/vulkan.h": "libvulkan-dev",
    "nlohmann/json.hpp": "nlohmann-json3-dev",
    "sodium.h": "libsodium-dev", "CURL": "libcurl4-openssl-dev",
    "sentencepiece": "libsentencepiece-dev",
}
# Commands the shell scripts run -> Debian package (None: part of the base system).
COMMAND_TO_DEBIAN = {
    "cmake": "cmake", "ctest": "cmake", "ninja": "ninja-build", "git": "git",
    "clang": "clang", "clang++": "clang", "clang-format": "clang-format",
    "aarch64-linux-gnu-g++": "g++-aarch64-linux-gnu", "qemu-aarch64": "qemu-user",
    "espeak-ng": "espeak-ng", "flatc": "flatbuffers-compiler", "ccache": "ccache",
    "g++": "build-essential", "c++": "build-essential", "make": "build-essential",
    "emcmake": "emscripten", "em++": "emscripten", "node": "nodejs",
    "chromium": "chromium",
}
# Python import name -> PyPI distribution name.
IMPORT_TO_PYPI = {
    "numpy": "numpy", "tensorflow": "tensorflow", "keras": "tensorflow", "tf_keras": "tf-keras",
    "ai_edge_litert": "ai-edge-litert", "flatbuffers": "flatbuffers", "tflite_micro": "tflite-micro",
    "sklearn": "scikit-learn", "pytest": "pytest", "onnx": "onnx", "onnxruntime": "onnxruntime",
    "nanobind": "nanobind", "ai_edge_quantizer": "ai-edge-quantizer",
    "playwright": "playwright", "sentencepiece": "sentencepiece",
}
REPO_MODULES = {"ember", "cases", "keras_models", "schema_py_generated", "conftest", "make_models",
                "make_dataset", "evaluate", "train", "oracle_helpers", "make_default_model",
                "browser_test", "measure", "qemu_helper", "bundle_server", "extended_models"}
# Scripts run by hand in their own venvs (their docstrings say how), not by CI
# or the tests: the official metadata writer and MediaPipe pin protobuf/numpy
# apart from constraints.txt, so their imports cannot be pinned here.
NOT_CI = {"tests/metadata/make_official_fixture.py",
          "tests/metadata/check_with_mediapipe.py",
          "tests/tasks/compare_with_mediapipe.py",
          "tests/tasks/compare_detector_with_mediapipe.py",
          "tests/tasks/compare_face_landmarker_with_mediapipe.py",
          "tests/tasks/compare_hand_landmarker_with_mediapipe.py",
          "tests/tasks/compare_pose_landmarker_with_mediapipe.py",
          "tests/text/compare_sentencepiece_with_mediapipe.py"}


def listed_debian():
    pkgs = set()
    for f in (ROOT / "scripts/deps").glob("debian-*.txt"):
        for line in f.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                pkgs.add(line)
    return pkgs


def requirements():
    names = set()
    for f in ROOT.glob("requirements-*.txt"):
        for line in f.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                names.add(re.split(r"[<>=!~\[ ;]", line, 1)[0].lower().replace("_", "-"))
    return names


def main():
    errors = []
    debian = listed_debian()
    cmake_files = [ROOT / "CMakeLists.txt", *ROOT.glob("cmake/**/*.cmake"),
                   *ROOT.glob("src/**/CMakeLists.txt"), *ROOT.glob("tools/**/CMakeLists.txt")]
    pat = re.compile(r"\b(find_package|find_program|find_path|pkg_check_modules)\(\s*([^)]*)\)", re.S)
    for f in cmake_files:
        for kind, args in pat.findall(f.read_text()):
            words = args.split()
            if kind == "find_package":
                name = words[0]
            elif kind == "pkg_check_modules":
                name = [w for w in words[1:] if w.isidentifier() or "-" in w or w.islower()][-1]
            else:  # find_program / find_path: VAR NAMES... -> first name
                name = next((w for w in words[1:] if w not in ("NAMES",)), words[0])
            if name in ("Ember",):
                continue
            if name not in CMAKE_TO_DEBIAN:
                errors.append(f"{f.relative_to(ROOT)}: {kind}({name}) has no Debian mapping in "
                              "scripts/check_deps.py")
            elif CMAKE_TO_DEBIAN[name] and CMAKE_TO_DEBIAN[name] not in debian:
                errors.append(f"{f.relative_to(ROOT)}: {kind}({name}) needs Debian package "
                              f"'{CMAKE_TO_DEBIAN[name]}', missing from scripts/deps/*.txt")
    scripts = [*ROOT.glob("scripts/*.sh"), *ROOT.glob("tests/**/*.sh"), *ROOT.glob("bench/**/*.sh"),
               ROOT / ".ci/run"]
    for f in scripts:
        text = f.read_text()
        for cmd, pkg in COMMAND_TO_DEBIAN.items():
            if re.search(rf"(^|[\s;|&(`$]){re.escape(cmd)}(\s|$)", text, re.M) and pkg not in debian:
                errors.append(f"{f.relative_to(ROOT)} runs '{cmd}': Debian package '{pkg}' "
                              "is missing from scripts/deps/*.txt")
    reqs = requirements()
    stdlib = set(sys.stdlib_module_names)
    py_files = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py"), *ROOT.glob("scripts/*.py"),
                *ROOT.glob("python/tests/*.py")]
    imp = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))", re.M)
    for f in py_files:
        rel = str(f.relative_to(ROOT))
        if rel in NOT_CI or "/cache/" in rel:
            continue
        for frm, imps in imp.findall(f.read_text()):
            mods = [frm] if frm else [m.strip().split(" ")[0] for m in imps.split(",")]
            for m in mods:
                top = m.split(".")[0]
                if not top or top in stdlib or top in REPO_MODULES or top.startswith("_"):
                    continue
                dist = IMPORT_TO_PYPI.get(top)
                if dist is None:
                    errors.append(f"{rel} imports '{top}': unknown module (map it in "
                                  "scripts/check_deps.py and pin it in requirements-dev.txt)")
                elif dist not in reqs:
                    errors.append(f"{rel} imports '{top}': '{dist}' is not in requirements-*.txt")
    pinned = set()
    cfile = ROOT / "constraints.txt"
    for line in cfile.read_text().splitlines() if cfile.exists() else []:
        if "==" in line and not line.startswith("#"):
            pinned.add(line.split("==")[0].strip().lower().replace("_", "-"))
    for r in sorted(reqs):
        if r not in pinned:
            errors.append(f"requirement '{r}' is not pinned in constraints.txt")
    for e in errors:
        print(f"check_deps: {e}", file=sys.stderr)
    if errors:
        print(f"check_deps: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_deps: ok ({len(debian)} Debian packages listed, {len(reqs)} pinned requirements)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
