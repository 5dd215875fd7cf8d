#!/usr/bin/env python3
"""Side by side on the grouped-convolution models of models_grouped.py:
one or more Ember builds (e.g. before/after) under each forced ISA tier and
LiteRT+XNNPACK, fresh processes, engines interleaved round-robin; prints
Markdown tables of ms and Ember/LiteRT ratios: the median of the rounds'
medians (BENCHMARKING.md), then the best run of all rounds (steadier on a
loaded machine).

  grouped_compare.py --ember after=build/release/ember [--ember before=PATH]
                     [--isa avx2,native] [--threads 1,2] [--rounds 3]
                     [--variants fp32,int8,dynamic] [--json OUT]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ember", action="append", required=True,
                    help="LABEL=PATH of an ember binary (repeatable)")
    ap.add_argument("--isa", default="avx2,native")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--variants", default="fp32,int8,dynamic")
    ap.add_argument("--models", default=os.path.join(HERE, "cache"))
    ap.add_argument("--warmup-ms", default="300")
    ap.add_argument("--min-ms", default="1500")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    embers = [e.split("=", 1) for e in args.ember]
    isas = args.isa.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    timing = ["--warmup-ms", args.warmup_ms, "--min-ms", args.min_ms,
              "--runs", "20"]
    samples = {}  # (variant, threads, engine label) -> [(median, min) per round]
    for rnd in range(args.rounds):
        for variant in args.variants.split(","):
            model = os.path.join(args.models, f"regnet_grouped_{variant}.tflite")
            for t in threads:
                jobs = [("litert", [sys.executable, os.path.join(HERE, "litert_bench.py"),
                                    model, "--threads", str(t)] + timing, None)]
                for isa in isas:
                    env = dict(os.environ)
                    env.pop("EMBER_ISA", None)
                    if isa != "native":
                        env["EMBER_ISA"] = isa
                    for label, path in embers:
                        jobs.append((f"{label}@{isa}", [path, "bench", model, "--json",
                                                        "--threads", str(t)] + timing, env))
                for label, cmd, env in jobs:
                    r = run_json(cmd, env)
                    if "error" in r:
                        print(f"{variant} t{t} {label}: {r['error']}", file=sys.stderr)
                        continue
                    samples.setdefault((variant, t, label), []).append(
                        (r["median_ms"], r["min_ms"]))
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
    labels = [f"{lab}@{isa}" for isa in isas for lab, _ in embers]
    stats = [("median of round medians",
              lambda v: statistics.median(m for m, _ in v)),
             ("best run", lambda v: min(b for _, b in v))]
    for title, stat in stats:
        med = {k: stat(v) for k, v in samples.items()}
        print(f"\n{title}:\n")
        print("| model | threads | LiteRT ms | " + " | ".join(
            f"{lab} ms | {lab}/LiteRT" for lab in labels) + " |")
        print("|" + "---|" * (3 + 2 * len(labels)))
        for variant in args.variants.split(","):
            for t in threads:
                lite = med.get((variant, t, "litert"))
                cells = []
                for lab in labels:
                    e = med.get((variant, t, lab))
                    cells.append("-" if e is None else f"{e:.2f}")
                    cells.append("-" if e is None or not lite else f"{e / lite:.2f}")
                print(f"| regnet_grouped {variant} | {t} | "
                      f"{'-' if lite is None else f'{lite:.2f}'} | " + " | ".join(cells) + " |")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump({f"{v}|{t}|{lab}": s for (v, t, lab), s in samples.items()}, f)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
