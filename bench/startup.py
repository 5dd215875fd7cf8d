#!/usr/bin/env python3
"""Start-up time side by side: load+prepare and load+first inference of one
or more Ember binaries (ember bench) and LiteRT+XNNPACK (litert_bench.py),
each run in a fresh process, engines interleaved within every round, the
median of the rounds reported with its ratio to LiteRT.

  startup.py MODEL[,MODEL...] [--threads 1,2] [--rounds 3]
             [--ember NAME=PATH[:ARGS]]...   (default: this tree's build)

ARGS are extra `ember bench` arguments, e.g. a warm packed-weight cache:
  --ember base=/tmp/ember_old --ember new=build/release/ember \\
  --ember cached=build/release/ember:--weight-cache=/tmp/wc
(the cached binary is run once per model and thread count before timing,
untimed, so the cache file exists.)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ONE_RUN = ["--warmup-ms", "0", "--runs", "1", "--min-ms", "0"]


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"startup.py: {' '.join(cmd)} failed:\n{out.stderr}")
    j = json.loads(out.stdout.strip().splitlines()[-1])
    return j["load_prepare_ms"], j["load_prepare_ms"] + j["first_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ember", action="append", default=[])
    a = ap.parse_args()
    engines = []
    for spec in a.ember or ["ember=" + os.path.join(HERE, "..", "build", "release", "ember")]:
        name, _, rest = spec.partition("=")
        path, _, args = rest.partition(":")
        engines.append((name, [path, "bench"], args.split() if args else []))
    models = a.models.split(",")
    threads = [int(t) for t in a.threads.split(",")]
    for m in models:  # warm every cache named in ARGS
        for t in threads:
            for _, cmd, extra in engines:
                if extra:
                    run_json(cmd + [m, "--json", "--threads", str(t)] + ONE_RUN + extra)
    res = {}
    for _ in range(a.rounds):
        for m in models:
            for t in threads:
                for name, cmd, extra in engines:
                    res.setdefault((m, t, name), []).append(run_json(
                        cmd + [m, "--json", "--threads", str(t)] + ONE_RUN + extra))
                res.setdefault((m, t, "litert"), []).append(run_json(
                    [sys.executable, os.path.join(HERE, "litert_bench.py"), m,
                     "--threads", str(t)] + ONE_RUN))
    names = [e[0] for e in engines] + ["litert"]
    print("ms, median of %d rounds (ratio to LiteRT)" % a.rounds)
    print("| model | threads | " + " | ".join(f"{n} load+prepare" for n in names) +
          " | " + " | ".join(f"{n} load+first" for n in names) + " |")
    print("|" + "---|" * (2 + 2 * len(names)))
    for m in models:
        for t in threads:
            lp = [statistics.median(x[0] for x in res[(m, t, n)]) for n in names]
            lf = [statistics.median(x[1] for x in res[(m, t, n)]) for n in names]
            cells = [f"{v:.1f} ({v / lp[-1]:.2f})" for v in lp] + \
                    [f"{v:.1f} ({v / lf[-1]:.2f})" for v in lf]
            label = os.path.basename(m).removesuffix(".tflite")
            print(f"| {label} | {t} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
