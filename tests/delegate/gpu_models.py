#!/usr/bin/env python3
"""Whole models through the Vulkan GPU delegate (`ember run --delegate gpu`)
against Ember's CPU run of the same inputs, at precision=fp32 and
precision=fp16: per model, nodes delegated / total, partitions, max abs
error vs the CPU per precision, and CPU (1 thread) vs GPU milliseconds
(`ember bench`). Prints a Markdown table.

Fails when a run with the delegate fails, when a model's max error exceeds
TOLERANCE[precision] * max(1, max |cpu output|), or when no node was
delegated although a Vulkan device exists. fp32: 1e-3 (the shaders sum in
another order than the CPU kernels, over up to a few hundred layers).
fp16: 5e-2 (every tensor is stored as float16, relative rounding 2^-11 each
time, compounding through every layer), or, where larger, 2^13 times the
same model's fp32 error: float16's unit roundoff is 2^13 times float32's,
and a model that amplifies rounding (pose_landmark_lite's segmentation
output on random inputs: fp32 error 4.7e-2 at |output| up to 769)
amplifies both alike (there, fp16 error 156 = 3300 x the fp32 error; the
other models stay under 5e-2). Without a Vulkan device the script says so
and exits 0, unless EMBER_REQUIRE_VULKAN=1; a device without
storageBuffer16BitAccess skips the fp16 pass (said in the output).

--extra-models DIR adds every .tflite in DIR: the Keras MobileNet V1, V2,
V3 Small/Large and EfficientNet-B0 that tests/delegate/make_keras_models.py
generates (random weights, batch -1 in every shape signature). Their
random-weight logits are far below 1 (down to 1e-20: the activations shrink
layer by layer), so for them the bound is relative to their own largest
output, TOLERANCE * max |cpu output|, and an all-zero output fails. --no-mediapipe leaves the shared MediaPipe models out.

usage: tests/delegate/gpu_models.py [--models DIR] [--build DIR] [--no-bench]
                                    [--precisions fp32,fp16]
                                    [--extra-models DIR] [--no-mediapipe]
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
TOLERANCE = {"fp32": 1e-3, "fp16": 5e-2}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.environ.get(
        "EMBER_SHARED_MODELS", os.path.join(ROOT, "..", "shared", "models")))
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--extra-models", action="append", default=[],
                    help="a folder of more .tflite models to check")
    ap.add_argument("--no-mediapipe", action="store_true")
    ap.add_argument("--option", action="append", default=[],
                    help="--delegate-option KEY=VALUE for the gpu delegate")
    ap.add_argument("--precisions", default="fp32,fp16",
                    help="comma-separated gpu precisions to check (fp32 "
                         "first: fp16's bound uses its error)")
    args = ap.parse_args()
    precisions = args.precisions.split(",")
    for p in precisions:
        if p not in TOLERANCE:
            print(f"gpu models: unknown precision '{p}' (fp32, fp16)",
                  file=sys.stderr)
            return 2
    ember = os.path.join(args.build, "ember")
    require = os.environ.get("EMBER_REQUIRE_VULKAN") == "1"
    models = []
    if not args.no_mediapipe:
        models = sorted(glob.glob(os.path.join(args.models, "mediapipe",
                                               "*.tflite")))
        if not models:
            print(f"gpu models: ERROR: no models under {args.models}/mediapipe",
                  file=sys.stderr)
            return 1
    relative = set()  # models whose bound scales with their own outputs
    for extra in args.extra_models:
        found = sorted(glob.glob(os.path.join(extra, "*.tflite")))
        if not found:
            print(f"gpu models: ERROR: no models under {extra}",
                  file=sys.stderr)
            return 1
        models += found
        relative.update(found)
    delegate = ["--delegate", "gpu"]
    for o in args.option:
        delegate += ["--delegate-option", o]
    failed = False
    rows = []
    skipped = set()  # precisions the device cannot run
    with tempfile.TemporaryDirectory() as work:
        for model in models:
            name = os.path.basename(model)[:-len(".tflite")]
            cpu_dir = os.path.join(work, name + ".cpu")
            rc, out, err = run([ember, "run", model, "--random-inputs", "5",
                                "-o", cpu_dir, "--json"])
            if rc != 0:
                print(f"{name}: CPU run failed, skipped: {err[:200]}")
                continue
            rc, iout, _ = run([ember, "inspect", model, "--json"])
            total = json.loads(iout)["subgraphs"][0]["ops"] if rc == 0 else -1
            row = {"name": name, "total": total, "ok": True}
            for precision in precisions:
                if precision in skipped:
                    continue
                options = delegate + ["--delegate-option",
                                      f"precision={precision}"]
                gpu_dir = os.path.join(work, f"{name}.{precision}")
                rc, out, err = run([ember, "run", model, "--random-inputs", "5",
                                    "-o", gpu_dir, "--json"] + options)
                if rc != 0:
                    print(f"{name}: FAILED with the gpu delegate ({precision}): "
                          f"{err[:400]}")
                    failed = True
                    row["ok"] = False
                    continue
                if "gpu delegate" in err and "running on the CPU" in err:
                    msg = err.strip().splitlines()[-1]
                    if precision == "fp16" and "storageBuffer16BitAccess" in msg:
                        print(f"gpu models: fp16 pass skipped: {msg}")
                        skipped.add(precision)
                        continue
                    if require:
                        print(f"gpu models: FAILED (EMBER_REQUIRE_VULKAN=1): {msg}")
                        return 1
                    print(f"gpu models: skipped, the gpu delegate cannot start: {msg}")
                    return 0
                report = json.loads(out)["delegates"][0]
                parts = report["partitions"]
                on_cpu = [p for p in parts if p["on_cpu"]]
                err_max, scale = 0.0, 0.0 if model in relative else 1.0
                for f in sorted(os.listdir(cpu_dir)):
                    c = np.load(os.path.join(cpu_dir, f)).astype(np.float64)
                    g = np.load(os.path.join(gpu_dir, f)).astype(np.float64)
                    if c.size:
                        err_max = max(err_max, float(np.max(np.abs(c - g))))
                        scale = max(scale, float(np.max(np.abs(c))))
                if scale == 0.0:
                    print(f"{name}: FAILED: every CPU output is 0, so the "
                          "comparison would prove nothing")
                    failed = True
                    row["ok"] = False
                    continue
                bound = TOLERANCE[precision] * scale
                if precision == "fp16" and "fp32" in row:
                    bound = max(bound, 2.0**13 * row["fp32"])
                ok = err_max <= bound and report["nodes_taken"] > 0
                if not ok:
                    print(f"{name}: FAILED at {precision}: max abs error "
                          f"{err_max:.3g} > {bound:.3g}")
                failed |= not ok
                row["ok"] &= ok
                row["scale"] = scale
                row[precision] = err_max
                # Partitioning does not depend on the precision.
                row["taken"] = report["nodes_taken"]
                row["folded"] = report.get("nodes_folded", 0)
                row["parts"] = (len(parts) - len(on_cpu), len(on_cpu))
                for p in on_cpu:
                    print(f"{name} ({precision}): a partition fell back to the "
                          f"CPU: {p['reason']}")
                if not args.no_bench:
                    bench = ["bench", model, "--threads", "1", "--json",
                             "--warmup-ms", "300", "--min-ms", "1000",
                             "--runs", "5"]
                    if "cpu_ms" not in row:
                        rc, bout, _ = run([ember] + bench)
                        if rc == 0:
                            row["cpu_ms"] = json.loads(bout)["median_ms"]
                    rc, bout, _ = run([ember] + bench + options)
                    if rc == 0:
                        row[precision + "_ms"] = json.loads(bout)["median_ms"]
            if "taken" in row:
                rows.append(row)
    nan = float("nan")
    print("| model | nodes delegated / total (constant nodes folded "
          "first) | partitions (fell back) | "
          "max abs err vs CPU, fp32 | fp16 | max abs CPU output | "
          "CPU ms (1 thread) | GPU fp32 ms | GPU fp16 ms | |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['taken']} / {r['total']} ({r['folded']}) | "
              f"{r['parts'][0]} ({r['parts'][1]}) | {r.get('fp32', nan):.2e} | "
              f"{r.get('fp16', nan):.2e} | {r['scale']:.3g} | "
              f"{r.get('cpu_ms', nan):.2f} | {r.get('fp32_ms', nan):.2f} | "
              f"{r.get('fp16_ms', nan):.2f} | {'ok' if r['ok'] else 'FAILED'} |")
    if not rows:
        print("gpu models: ERROR: no model ran", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
