#!/usr/bin/env python3
"""WebAssembly vs native latency (1 thread) and the page's load time.

For each model: native `ember bench --threads 1 --json` (median), the
WebAssembly build with and without SIMD128 in Node (bench/wasm/latency.mjs)
and in headless chromium (Playwright; the same invoke loop inside Ember
Studio's page), plus each .wasm's size and Studio's time from navigation to
"Ember ready". Prints a Markdown table.

usage: python3 bench/wasm/measure.py [--ember build/release/ember]
         [--runs 30] MODEL.tflite ...
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "wasm"))
from browser_test import serve, wait_state  # noqa: E402

BUILDS = [("build/wasm", "SIMD128"), ("build/wasm-nosimd", "no SIMD")]

# Runs in Studio's page: [name, base64 model, runs, warmup, threads (1)].
BROWSER_LOOP = """async ([name, b64, runs, warmup, threads = 1]) => {
  const ember = window.emberStudio.state.ember;
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const interp = ember.Interpreter.createSync(bytes, {numThreads: threads});
  interp.inputDetails().forEach((d, k) => {
    const n = d.shape.reduce((a, b) => a * b, 1);
    const Type = {float32: Float32Array, int8: Int8Array, uint8: Uint8Array,
                  int16: Int16Array, int32: Int32Array}[d.dtype];
    const x = new Type(n);
    for (let i = 0; i < n; ++i) x[i] = d.dtype === 'float32' ? Math.sin(i) : (i * 7) % 100;
    interp.setInput(k, x);
  });
  for (let i = 0; i < warmup; ++i) interp.invoke();
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const t = performance.now();
    interp.invoke();
    times.push(performance.now() - t);
  }
  interp.delete();
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}"""


def native_median(ember, model):
    out = subprocess.run([ember, "bench", model, "--threads", "1", "--json",
                          "--warmup-ms", "500", "--min-ms", "2000"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["median_ms"]


def node_medians(build, models, runs):
    out = subprocess.run(["node", "bench/wasm/latency.mjs", "--wasm", build,
                          "--runs", str(runs)] + models, check=True,
                         capture_output=True, text=True, cwd=REPO)
    return {json.loads(l)["model"]: json.loads(l)["median_ms"]
            for l in out.stdout.splitlines() if l.startswith("{")}


def browser_medians(build, models, runs):
    import base64
    from playwright.sync_api import sync_playwright
    server = serve(REPO)
    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}/studio/index.html"
    if build != "build/wasm":
        url += f"?wasm=../{build}"
    result, loads = {}, []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox"])
        for _ in range(3):  # load time: three fresh pages
            page = browser.new_page()
            page.goto(url)
            wait_state(page, ["ready"], 60)
            loads.append(float(page.evaluate("document.body.dataset.loadMs")))
            page.close()
        page = browser.new_page()
        page.goto(url)
        wait_state(page, ["ready"], 60)
        for m in models:
            b64 = base64.b64encode(open(m, "rb").read()).decode()
            result[os.path.basename(m)] = page.evaluate(
                BROWSER_LOOP, [os.path.basename(m), b64, runs, 5])
        browser.close()
    server.shutdown()
    return result, sorted(loads)[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ember", default=os.path.join(REPO, "build/release/ember"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    models = [os.path.abspath(m) for m in a.models]
    rows = {os.path.basename(m): {"native": native_median(a.ember, m)} for m in models}
    sizes, loads = {}, {}
    for build, label in BUILDS:
        sizes[label] = os.path.getsize(os.path.join(REPO, build, "ember.wasm"))
        for name, ms in node_medians(build, models, a.runs).items():
            rows[name][f"node {label}"] = ms
        medians, loads[label] = browser_medians(build, models, a.runs)
        for name, ms in medians.items():
            rows[name][f"chromium {label}"] = ms
    cols = ["native", "node SIMD128", "node no SIMD", "chromium SIMD128",
            "chromium no SIMD"]
    print("| model | " + " | ".join(c + " (ms)" for c in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, r in rows.items():
        print(f"| {name} | " + " | ".join(
            f"{r[c]:.2f}" if c in r else "-" for c in cols) + " |")
    print()
    for label in sizes:
        print(f"- ember.wasm ({label}): {sizes[label]} bytes; Studio load to "
              f"ready (median of 3): {loads[label]:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
