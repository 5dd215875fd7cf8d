#!/usr/bin/env python3
"""What WebAssembly threads buy: latency at 1 and 2 threads, side by side.

Per model and round (rounds interleaved, fresh processes/pages each round):
native `ember bench --threads T`; in Node 20 the SIMD128 build
(build/wasm, 1 thread) and the threads build (build/wasm-threads, 1 and
2 threads); in headless chromium, on a cross-origin isolated page (COOP +
COEP), the threads build at 1 and 2 threads. Prints medians over rounds
and the ratios: the 2-thread speed-up per engine, and what the threads
build costs at 1 thread against the plain SIMD128 build.

usage: python3 bench/wasm/threads.py [--ember build/release/ember]
         [--rounds 5] [--runs 50] MODEL.tflite ...
"""
import argparse
import base64
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "wasm"))
from browser_test import Isolated, wait_state  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import BROWSER_LOOP  # noqa: E402

def native(ember, model, threads):
    out = subprocess.run([ember, "bench", model, "--threads", str(threads),
                          "--json", "--warmup-ms", "300", "--min-ms", "1500"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["median_ms"]


def node(build, model, threads, runs):
    out = subprocess.run(["node", "bench/wasm/latency.mjs", "--wasm", build,
                          "--runs", str(runs), "--warmup", "20",
                          "--threads", str(threads), model],
                         check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.splitlines()[-1])["median_ms"]


def chromium(models, runs, threads_list):
    """{(model, threads): median ms} from one fresh isolated page."""
    from playwright.sync_api import sync_playwright
    handler = functools.partial(Isolated, directory=REPO)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/studio/index.html")
        if wait_state(page, ["ready", "error"], 60) != "ready":
            raise SystemExit("threads.py: Studio did not load: " +
                             (page.text_content("#error") or ""))
        if page.evaluate("window.emberStudio.state.ember.maxThreads") < 2:
            raise SystemExit("threads.py: the isolated page has no threads "
                             "build (bash scripts/build_wasm.sh --threads)")
        for m in models:
            b64 = base64.b64encode(open(m, "rb").read()).decode()
            for t in threads_list:
                result[(m, t)] = page.evaluate(
                    BROWSER_LOOP, [os.path.basename(m), b64, runs, 20, t])
        browser.close()
    server.shutdown()
    return result


COLUMNS = [("native 1t", "native", 1), ("native 2t", "native", 2),
           ("node simd 1t", "node:build/wasm", 1),
           ("node threads 1t", "node:build/wasm-threads", 1),
           ("node threads 2t", "node:build/wasm-threads", 2),
           ("chromium threads 1t", "chromium", 1),
           ("chromium threads 2t", "chromium", 2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ember", default=os.path.join(REPO, "build/release/ember"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    models = [os.path.abspath(m) for m in a.models]
    samples = {(m, c[0]): [] for m in models for c in COLUMNS}
    for r in range(a.rounds):
        page = chromium(models, a.runs, [1, 2])
        for m in models:
            for label, engine, t in COLUMNS:
                if engine == "native":
                    ms = native(a.ember, m, t)
                elif engine == "chromium":
                    ms = page[(m, t)]
                else:
                    ms = node(engine.split(":", 1)[1], m, t, a.runs)
                samples[(m, label)].append(ms)
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
    med = {k: statistics.median(v) for k, v in samples.items()}
    print("| model | " + " | ".join(c[0] + " ms" for c in COLUMNS) +
          " | 2t speed-up native / node / chromium | threads build 1t / simd build 1t (node) |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    for m in models:
        g = lambda label: med[(m, label)]  # noqa: E731
        print(f"| {os.path.basename(m)} | " +
              " | ".join(f"{g(c[0]):.2f}" for c in COLUMNS) +
              f" | {g('native 1t') / g('native 2t'):.2f} / "
              f"{g('node threads 1t') / g('node threads 2t'):.2f} / "
              f"{g('chromium threads 1t') / g('chromium threads 2t'):.2f} | "
              f"{g('node threads 1t') / g('node simd 1t'):.2f} |")


if __name__ == "__main__":
    sys.exit(main())
