#!/usr/bin/env python3
"""Side by side on the U-Net models of bench/models_unet.py: Ember (one or
two binaries, e.g. before and after a change) and LiteRT+XNNPACK, fresh
processes, engines interleaved round-robin, median of the round medians
(BENCHMARKING.md). Ember runs once per EMBER_ISA tier given; LiteRT always
uses the machine's own ISA.

  unet_compare.py --ember build/release/ember [--before OLD_EMBER]
      [--models unet128_int8,unet128_fp32,other.tflite] [--threads 1,2]
      [--isa native,avx2]
      [--rounds 3] [--out bench/results/unet.md]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:  # e.g. an engine that refuses the model
        print(f"{' '.join(cmd)} failed: {out.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout)["median_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ember", required=True)
    ap.add_argument("--before", default=None)
    ap.add_argument("--models", default="unet128_int8,unet128_fp32,unet128_dynamic")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--isa", default="native,avx2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup-ms", default="300")
    ap.add_argument("--min-ms", default="1000")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "unet.md"))
    args = ap.parse_args()
    engines = [("after", args.ember)] + ([("before", args.before)] if args.before else [])
    isas = args.isa.split(",")
    times = {}
    for r in range(args.rounds):
        for model in args.models.split(","):
            # A name from models_unet.py, or any .tflite path.
            path = model if model.endswith(".tflite") else os.path.join(
                HERE, "cache", model + ".tflite")
            for threads in args.threads.split(","):
                timing = ["--threads", threads, "--warmup-ms", args.warmup_ms,
                          "--min-ms", args.min_ms, "--runs", "20"]
                for isa in isas:
                    env = dict(os.environ)
                    env.pop("EMBER_ISA", None)
                    if isa != "native":
                        env["EMBER_ISA"] = isa
                    for name, binary in engines:
                        t = run([binary, "bench", path, "--json"] + timing, env)
                        times.setdefault((model, threads, isa, name), []).append(t)
                t = run([sys.executable, os.path.join(HERE, "litert_bench.py"), path] + timing)
                times.setdefault((model, threads, "native", "litert"), []).append(t)
                print(f"round {r + 1}: {model} threads {threads} done", file=sys.stderr)
    med = {k: (None if None in v else statistics.median(v)) for k, v in times.items()}

    def ms(x):
        return "fails" if x is None else f"{x:.2f}"

    def ratio(x, lit):
        return "-" if x is None or lit is None else f"{x / lit:.2f}"
    cols = [n for n, _ in engines]
    lines = ["| model | threads | Ember ISA | " +
             " | ".join(f"Ember {c} ms" for c in cols) + " | LiteRT ms | " +
             " | ".join(f"{c}/LiteRT" for c in cols) + " |",
             "|---" * (4 + 2 * len(cols)) + "|"]
    for model in args.models.split(","):
        for threads in args.threads.split(","):
            lit = med[(model, threads, "native", "litert")]
            for isa in isas:
                e = [med[(model, threads, isa, c)] for c in cols]
                lines.append(f"| {model} | {threads} | {isa} | " +
                             " | ".join(ms(x) for x in e) + f" | {ms(lit)} | " +
                             " | ".join(ratio(x, lit) for x in e) + " |")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.out)
    print(text)


if __name__ == "__main__":
    main()
