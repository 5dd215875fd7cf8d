#!/usr/bin/env python3
"""Whole models through the Vulkan GPU delegate (`ember run --delegate gpu`)
against Ember's CPU run of the same inputs: per model, nodes delegated /
total, partitions, max abs error vs the CPU, and CPU (1 thread) vs GPU
milliseconds (`ember bench`). Prints a Markdown table.

Fails when a run with the delegate fails, when a model's max error exceeds
1e-3 * max(1, max |cpu output|) (fp32 shaders sum in another order than
the CPU kernels, over up to a few hundred layers), or when no node was
delegated although a Vulkan device exists. Without a Vulkan device the
script says so and exits 0, unless EMBER_REQUIRE_VULKAN=1.

usage: tests/delegate/gpu_models.py [--models DIR] [--build DIR] [--no-bench]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-3


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.environ.get(
        "EMBER_SHARED_MODELS", os.path.join(ROOT, "..", "shared", "models")))
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--option", action="append", default=[],
                    help="--delegate-option KEY=VALUE for the gpu delegate")
    args = ap.parse_args()
    ember = os.path.join(args.build, "ember")
    require = os.environ.get("EMBER_REQUIRE_VULKAN") == "1"
    models = sorted(glob.glob(os.path.join(args.models, "mediapipe", "*.tflite")))
    if not models:
        print(f"gpu models: ERROR: no models under {args.models}/mediapipe",
              file=sys.stderr)
        return 1
    delegate = ["--delegate", "gpu"]
    for o in args.option:
        delegate += ["--delegate-option", o]
    failed = False
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for model in models:
            name = os.path.basename(model)[:-len(".tflite")]
            cpu_dir = os.path.join(work, name + ".cpu")
            gpu_dir = os.path.join(work, name + ".gpu")
            rc, out, err = run([ember, "run", model, "--random-inputs", "5",
                                "-o", cpu_dir, "--json"])
            if rc != 0:
                print(f"{name}: CPU run failed, skipped: {err[:200]}")
                continue
            rc, out, err = run([ember, "run", model, "--random-inputs", "5",
                                "-o", gpu_dir, "--json"] + delegate)
            if rc != 0:
                print(f"{name}: FAILED with the gpu delegate: {err[:400]}")
                failed = True
                continue
            if "gpu delegate" in err and "running on the CPU" in err:
                msg = err.strip().splitlines()[-1]
                if require:
                    print(f"gpu models: FAILED (EMBER_REQUIRE_VULKAN=1): {msg}")
                    return 1
                print(f"gpu models: skipped, the gpu delegate cannot start: {msg}")
                return 0
            report = json.loads(out)["delegates"][0]
            rc, iout, _ = run([ember, "inspect", model, "--json"])
            total = json.loads(iout)["subgraphs"][0]["ops"] if rc == 0 else -1
            parts = report["partitions"]
            on_cpu = [p for p in parts if p["on_cpu"]]
            err_max, scale = 0.0, 1.0
            for f in sorted(os.listdir(cpu_dir)):
                c = np.load(os.path.join(cpu_dir, f)).astype(np.float64)
                g = np.load(os.path.join(gpu_dir, f)).astype(np.float64)
                err_max = max(err_max, float(np.max(np.abs(c - g))) if c.size else 0.0)
                scale = max(scale, float(np.max(np.abs(c))) if c.size else 0.0)
            ok = err_max <= TOLERANCE * scale and report["nodes_taken"] > 0
            failed |= not ok
            cpu_ms = gpu_ms = float("nan")
            if not args.no_bench:
                bench = ["bench", model, "--threads", "1", "--json",
                         "--warmup-ms", "300", "--min-ms", "1000", "--runs", "5"]
                rc, bout, _ = run([ember] + bench)
                if rc == 0:
                    cpu_ms = json.loads(bout)["median_ms"]
                rc, bout, _ = run([ember] + bench + delegate)
                if rc == 0:
                    gpu_ms = json.loads(bout)["median_ms"]
            rows.append((name, report["nodes_taken"], total,
                         len(parts) - len(on_cpu), len(on_cpu), err_max,
                         scale, cpu_ms, gpu_ms, "ok" if ok else "FAILED"))
            for p in on_cpu:
                print(f"{name}: a partition fell back to the CPU: {p['reason']}")
    print("| model | nodes delegated / total | partitions (fell back) | "
          "max abs err vs CPU | max abs CPU output | CPU ms (1 thread) | "
          "GPU ms | |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} / {r[2]} | {r[3]} ({r[4]}) | {r[5]:.2e} | "
              f"{r[6]:.3g} | {r[7]:.2f} | {r[8]:.2f} | {r[9]} |")
    if not rows:
        print("gpu models: ERROR: no model ran", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
