"""CI check of `ember convert x.tflite -o y.tflite` (the graph passes on
models written by other converters): every .tflite under the shared models
folder is re-optimized, then the original and the optimized model run in
Ember on the same seeded random inputs. Float outputs must agree within
1e-5 * max(1, max |y|), integer outputs within 1 quantum (folding a
per-channel scale into float weights may round differently). Prints a
table; exits 1 on any failure.

usage: python3 tests/convert/reoptimize_shared.py SHARED_DIR [--ember build/release/ember]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def run(path, seed):
    import ember
    it = ember.Interpreter(model_path=path)
    it.allocate_tensors()
    rng = np.random.default_rng(seed)
    for d in it.get_input_details():
        dt = d["dtype"]
        if np.issubdtype(dt, np.floating):
            x = rng.uniform(-1, 1, d["shape"]).astype(dt)
        else:
            x = rng.integers(-5, 5, d["shape"]).astype(dt)
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(o["index"]) for o in it.get_output_details()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shared")
    ap.add_argument("--ember", default="build/release/ember")
    args = ap.parse_args()
    out = tempfile.mkdtemp(prefix="ember_reoptimize_")
    failed = 0
    print("| model | ops before -> after | bytes before -> after | max diff | result |")
    print("|---|---|---|---|---|")
    for src in sorted(glob.glob(os.path.join(args.shared, "**", "*.tflite"), recursive=True)):
        name = os.path.basename(src)[:-7]
        dst = os.path.join(out, name + ".tflite")
        conv = subprocess.run([args.ember, "convert", src, "-o", dst, "--json"],
                              capture_output=True, text=True)
        try:
            info = json.loads(conv.stdout)
        except json.JSONDecodeError:
            info = {"ok": False, "errors": [conv.stderr.strip()]}
        if not info.get("ok"):
            failed += 1
            print(f"| {name} | convert failed: {info.get('errors')} | | | FAIL |")
            continue
        ops = next((n.split(": ")[1] for n in info["notes"] if n.startswith("operators")), "?")
        try:
            want, got = run(src, 1), run(dst, 1)
        except Exception as e:  # noqa: BLE001 - the original may not run in Ember either
            print(f"| {name} | {ops} | | not comparable: {str(e)[:80]} | skip |")
            continue
        worst, ok = 0.0, True
        for w, g in zip(want, got):
            d = float(np.max(np.abs(w.astype(np.float64) - g.astype(np.float64)))) if w.size else 0.0
            worst = max(worst, d)
            limit = 1e-5 * max(1.0, float(np.max(np.abs(w)))) if np.issubdtype(w.dtype, np.floating) else 1
            ok = ok and d <= limit and w.shape == g.shape
        failed += not ok
        print(f"| {name} | {ops} | {os.path.getsize(src)} -> {info['bytes']} | {worst:.3g} |"
              f" {'ok' if ok else 'FAIL'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
