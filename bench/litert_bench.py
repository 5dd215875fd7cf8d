#!/usr/bin/env python3
"""Times one model in LiteRT (XNNPACK on) the way `ember bench` times it in
Ember, in a fresh process, and prints one JSON object.

  litert_bench.py MODEL [--threads N] [--warmup-ms T] [--runs R] [--min-ms M]
"""
import argparse
import json
import resource
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup-ms", type=float, default=1000)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--min-ms", type=float, default=3000)
    args = ap.parse_args()
    # Import time and the Python process's own memory are not LiteRT's
    # load cost: time from after the import, and record the resident set
    # before the model is loaded so the table can show LiteRT's share.
    from ai_edge_litert import interpreter as litert
    with open("/proc/self/statm") as fh:
        base_rss_kb = int(fh.read().split()[1]) * (resource.getpagesize() // 1024)
    t0 = time.perf_counter()
    interp = litert.Interpreter(model_path=args.model, num_threads=args.threads)
    interp.allocate_tensors()
    load_ms = (time.perf_counter() - t0) * 1e3
    rng = np.random.default_rng(0)
    for d in interp.get_input_details():
        dtype = np.dtype(d["dtype"])
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            x = rng.integers(info.min, info.max, size=d["shape"], endpoint=True).astype(dtype)
        else:
            x = rng.uniform(-1, 1, size=d["shape"]).astype(dtype)
        interp.set_tensor(d["index"], x)
    t = time.perf_counter()
    interp.invoke()
    first_ms = (time.perf_counter() - t) * 1e3
    end = time.perf_counter() + args.warmup_ms / 1e3
    while time.perf_counter() < end:
        interp.invoke()
    times = []
    start = time.perf_counter()
    while len(times) < args.runs or (time.perf_counter() - start) * 1e3 < args.min_ms:
        t = time.perf_counter()
        interp.invoke()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    print(json.dumps({
        "engine": "litert", "model": args.model, "threads": args.threads,
        "load_prepare_ms": load_ms, "first_ms": first_ms,
        "min_ms": times[0], "median_ms": times[len(times) // 2],
        "p90_ms": times[int(len(times) * 0.9)], "runs": len(times),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "base_rss_kb": base_rss_kb,
    }))


if __name__ == "__main__":
    main()
