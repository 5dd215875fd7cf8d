#!/usr/bin/env python3
"""Ember Micro on the host against Ember's host runtime and TFLM, on every
TFLM model in ../shared/models/tflm it runs (hello_world int8/float,
micro_speech, person_detect, keyword_scrambled and its 8-bit variant, the
audio front end audio_preprocessor_int8 on full-range random int16 audio):
`ember micro run` and `EMBER_FORCE_REF=1 ember run` on the same seeded
inputs must agree bit for bit; for the integer models TFLM's own
interpreter (tflite_micro) must agree too (float models: within 1e-6
relative). Several seeds per model.

usage: host_vs_tflm.py [--ember build/release/ember] [--models DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu_helper  # noqa: E402

MODELS = ["hello_world_int8", "hello_world_float", "micro_speech_quantized",
          "person_detect", "keyword_scrambled", "keyword_scrambled_8bit",
          "audio_preprocessor_int8"]


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=env)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ember", default="build/release/ember")
    parser.add_argument("--models", default=os.path.join(
        os.environ.get("EMBER_SHARED_MODELS", "../shared/models"), "tflm"))
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    failures = 0
    env = dict(os.environ, EMBER_FORCE_REF="1")
    with tempfile.TemporaryDirectory() as tmp:
        for name in MODELS:
            model = os.path.join(args.models, name + ".tflite")
            for seed in range(args.seeds):
                d = os.path.join(tmp, f"{name}_{seed}")
                qemu_helper.random_inputs(model, seed, d)
                inputs = sorted(f for f in os.listdir(d) if f.endswith(".npy"))
                paths = [os.path.join(d, f) for f in inputs]
                flags = []
                for k, p in enumerate(paths):
                    flags += ["--input", f"{k}={p}"]
                micro = run_json([args.ember, "micro", "run", model, *flags,
                                  "-o", d + "/micro", "--json"])
                host = run_json([args.ember, "run", model, *flags,
                                 "-o", d + "/host", "--json"], env)
                tflm = qemu_helper.tflm_outputs(model, paths)
                for k, (m, h) in enumerate(zip(micro["outputs"],
                                               host["outputs"])):
                    a, b = np.load(m["file"]), np.load(h["file"])
                    c = tflm[k].reshape(a.shape)
                    what = f"{name} seed {seed} output {k}"
                    if a.tobytes() != b.tobytes():
                        print(f"FAIL {what}: micro differs from ember run")
                        failures += 1
                    elif a.dtype.kind == "f":
                        if not np.allclose(a, c, rtol=1e-6, atol=1e-6):
                            print(f"FAIL {what}: TFLM differs beyond 1e-6")
                            failures += 1
                    elif a.tobytes() != c.astype(a.dtype).tobytes():
                        print(f"FAIL {what}: TFLM differs")
                        failures += 1
            arena = micro["arena"]
            print(f"ok   {name}: {args.seeds} seeds bit-identical "
                  f"(arena head {arena['head_bytes']} + tail "
                  f"{arena['tail_bytes']} = {arena['total_bytes']} B, host)")
    print(f"host_vs_tflm: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
