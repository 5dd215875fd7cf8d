#!/usr/bin/env python3
"""Side by side for the attention models (issue 11): one or more Ember
builds (e.g. before / after) and LiteRT+XNNPACK on the same models, thread
counts and forced Ember ISA tiers, fresh processes, every engine interleaved
within each round; prints the median over rounds of each run's median (ms)
and the Ember/LiteRT ratio as a Markdown table. LiteRT always runs on the
CPU's own ISA (XNNPACK cannot be capped), so an EMBER_ISA=avx2 row compares
Ember capped at AVX2 against LiteRT uncapped.

  vit_compare.py MODEL... [--ember LABEL=PATH ...] [--threads 1,2]
                 [--isa native,avx2] [--rounds 3] [--min-ms 1500]
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
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--ember", action="append", default=[],
                    help="LABEL=PATH of an ember binary (repeatable)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--isa", default="native,avx2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-ms", default="1500")
    ap.add_argument("--warmup-ms", default="300")
    args = ap.parse_args()
    embers = [e.split("=", 1) for e in args.ember] or [
        ["ember", os.path.join(HERE, "..", "build", "release", "ember")]]
    timing = ["--warmup-ms", args.warmup_ms, "--runs", "30", "--min-ms", args.min_ms]
    threads = [int(t) for t in args.threads.split(",")]
    isas = args.isa.split(",")
    results = {}  # (model, threads, engine, isa) -> [median_ms]
    for _ in range(args.rounds):
        for model in args.models:
            for t in threads:
                key = (model, t, "litert", "native")
                r = run_json([sys.executable, os.path.join(HERE, "litert_bench.py"), model,
                              "--threads", str(t)] + timing)
                results.setdefault(key, []).append(r["median_ms"] if r else float("nan"))
                for isa in isas:
                    env = dict(os.environ)
                    env.pop("EMBER_ISA", None)
                    if isa != "native":
                        env["EMBER_ISA"] = isa
                    for label, path in embers:
                        r = run_json([path, "bench", model, "--threads", str(t), "--json"]
                                     + timing, env)
                        results.setdefault((model, t, label, isa), []).append(
                            r["median_ms"] if r else float("nan"))
    head = "| model | threads | Ember ISA | LiteRT ms | " + " | ".join(
        f"{label} ms | {label}/LiteRT" for label, _ in embers) + " |"
    lines = [head, "|" + "---|" * (4 + 2 * len(embers))]
    for model in args.models:
        for t in threads:
            lite = statistics.median(results[(model, t, "litert", "native")])
            for isa in isas:
                cells = []
                for label, _ in embers:
                    ms = statistics.median(results[(model, t, label, isa)])
                    cells += [f"{ms:.3f}", f"{ms / lite:.2f}"]
                lines.append(f"| {os.path.basename(model)} | {t} | {isa} | {lite:.3f} | "
                             + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
