#!/usr/bin/env python3
"""Ember Studio and `ember report` in a real headless browser.

Debian's chromium, driven by Playwright (PyPI) through its own executable:
the repository root is served by a local static file server (ES modules and
.wasm need http://, not file://), Studio (studio/index.html) opens each model
through its file input, and the test checks from the DOM:
  - the graph's node count against `ember inspect --json` (native);
  - the arena plan's peak and lower bound against the native planner with
    the kernels the WebAssembly build has (EMBER_ISA=portable);
  - after "Run" on zero inputs, every output's min/max/mean against
    `ember run` on the same zeros;
  - for a model with an image input [1, H, W, 1|3], an uploaded PNG of
    exactly H x W (no resampling, so the page's input is known): the
    outputs against `ember run` on that image scaled as Studio documents
    (float [0, 1], uint8 raw, int8 - 128);
  - bad files (not a model, truncated, an op Ember lacks) show a readable
    error in the page, never a blank page or a hung tab.
Then `ember report --profile` is opened from file:// and checked the same
way (node count, peak, profile rows). Screenshots go to --screenshots.
With --threads, Studio is also served cross-origin isolated (COOP + COEP),
where it must load build/wasm-threads by itself, and the digits model runs
there on 3 threads with the native CLI's outputs.

usage: python3 tests/wasm/browser_test.py [--ember build/release/ember]
         [--wasm build/wasm] [--screenshots DIR] [MODEL.tflite ...]
(default model: models/default/digits.tflite)
"""
import argparse
import functools
import struct
import zlib
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))

FAILURES = []


def check(ok, message):
    print(("ok    " if ok else "FAIL  ") + message, flush=True)
    if not ok:
        FAILURES.append(message)


def serve(root):
    handler = functools.partial(Quiet, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript",
                      ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


class Isolated(Quiet):
    """Serves with the two headers that make a page cross-origin isolated
    (SharedArrayBuffer, so WebAssembly threads)."""

    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()


def check_isolated_threads(browser, ember, model, tmp):
    """A cross-origin isolated Studio loads build/wasm-threads by itself,
    offers its threads, and runs `model` on 3 of them with the outputs of
    the native CLI."""
    handler = functools.partial(Isolated, directory=REPO)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/studio/index.html")
    state = wait_state(page, ["ready", "error"], 60)
    status = page.text_content("#status") or ""
    check(state == "ready" and page.evaluate("self.crossOriginIsolated")
          and "up to 4 threads" in status,
          f"isolated Studio: threads build loaded ({status!r}, "
          f"{page.evaluate('document.body.dataset.loadMs')} ms to ready)")
    if state == "ready":
        # The control shows once a model is open; set it before, so that
        # the model opens on 3 threads.
        page.evaluate("document.getElementById('threads').value = '3'")
        check_studio_model(page, ember, model, None, tmp)
        threads = page.evaluate("window.emberStudio.state.threads")
        engine = page.evaluate("window.emberStudio.state.data.run.engine")
        check(threads == 3 and "3 threads" in engine,
              f"isolated Studio ran on {threads} threads ({engine!r})")
    check(not page_errors, f"isolated Studio: no uncaught page errors {page_errors}")
    page.close()
    server.shutdown()


def native_json(ember, args, env=None):
    out = subprocess.run([ember] + args, check=True, capture_output=True,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout)


def unsupported_model(digits, path):
    """digits.tflite with its SOFTMAX turned into a custom op Ember lacks."""
    import flatbuffers
    from make_default_model import generate_accessors
    with tempfile.TemporaryDirectory() as tmp:
        fb = generate_accessors(tmp)
        with open(digits, "rb") as f:
            model = fb["Model"].ModelT.InitFromObj(
                fb["Model"].Model.GetRootAs(f.read(), 0))
        custom = fb["BuiltinOperator"].BuiltinOperator.CUSTOM
        code = model.operatorCodes[1]
        code.builtinCode, code.deprecatedBuiltinCode = custom, custom
        code.customCode = "StudioTestUnknownOp"
        builder = flatbuffers.Builder(16 * 1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        with open(path, "wb") as f:
            f.write(bytes(builder.Output()))


def long_chain_model(path, n):
    """A float model of n chained ADD ops (x + c, then + c again, ...): a
    graph of more than 1,000 nodes for the responsiveness check."""
    import importlib

    import flatbuffers
    from make_default_model import generate_accessors
    with tempfile.TemporaryDirectory() as tmp:
        fb = generate_accessors(tmp)
        add_options = importlib.import_module("ember.fb.AddOptions")
        f32 = fb["TensorType"].TensorType.FLOAT32
        const = fb["Buffer"].BufferT()
        const.data = list(np.full(16, 0.001, np.float32).tobytes())
        buffers = [fb["Buffer"].BufferT(), const]
        tensors = []
        for i in range(n + 2):
            t = fb["Tensor"].TensorT()
            t.name, t.shape, t.type = f"t{i}", [1, 16], f32
            t.buffer = 1 if i == n + 1 else 0
            tensors.append(t)
        code = fb["OperatorCode"].OperatorCodeT()
        add = fb["BuiltinOperator"].BuiltinOperator.ADD
        code.builtinCode, code.deprecatedBuiltinCode, code.version = add, add, 1
        ops = []
        for i in range(n):
            op = fb["Operator"].OperatorT()
            op.opcodeIndex, op.inputs, op.outputs = 0, [i, n + 1], [i + 1]
            op.builtinOptionsType = fb["BuiltinOptions"].BuiltinOptions.AddOptions
            op.builtinOptions = add_options.AddOptionsT()
            ops.append(op)
        sg = fb["SubGraph"].SubGraphT()
        sg.tensors, sg.inputs, sg.outputs, sg.operators = tensors, [0], [n], ops
        model = fb["Model"].ModelT()
        model.version, model.operatorCodes = 3, [code]
        model.subgraphs, model.buffers = [sg], buffers
        builder = flatbuffers.Builder(1 << 20)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        with open(path, "wb") as f:
            f.write(bytes(builder.Output()))


def check_large_graph(page, tmp):
    """1,500 ops: opened, counted, and the graph scrolls without stalling."""
    path = os.path.join(tmp, "chain1500.tflite")
    long_chain_model(path, 1500)
    start = time.time()
    state = open_model(page, path)
    opened = time.time() - start
    count = int(page.get_attribute("#graph-node-count", "data-count") or 0)
    check(state == "model" and count == 1500,
          f"chain1500.tflite: {count} nodes shown, opened in {opened:.1f} s")
    # Scroll through the whole graph; each frame draws only what is visible.
    frame_ms = page.evaluate("""async () => {
      const s = document.querySelector('.graph-scroller');
      const times = [];
      for (let y = 0; y < s.scrollHeight; y += s.clientHeight) {
        const t = performance.now();
        s.scrollTop = y;
        await new Promise((r) => requestAnimationFrame(() => r()));
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length * 0.9)];
    }""")
    check(frame_ms < 200, f"chain1500.tflite: 90th percentile scroll frame "
                          f"{frame_ms:.1f} ms")


def page_state(page):
    return page.evaluate("document.body.dataset.state")


def wait_state(page, states, timeout=120):
    """Polls body[data-state] (Playwright's wait_for_function evaluates
    strings, which Studio's Content-Security-Policy forbids)."""
    deadline = time.time() + timeout
    while True:
        state = page_state(page)
        if state in states or time.time() > deadline:
            return state
        time.sleep(0.05)


def open_model(page, path):
    page.evaluate("document.body.dataset.state = 'choosing'")
    page.set_input_files("#file", path)
    return wait_state(page, ["model", "error"])


def output_stats_from_dom(page):
    return page.evaluate("""() => Array.from(
        document.querySelectorAll('#outputs-table tbody tr'), (tr) => {
          const c = Array.from(tr.children, (td) => td.textContent);
          return {name: c[1], min: +c[4], max: +c[5], mean: +c[6]};
        })""")


def close(a, b):
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def check_studio_model(page, ember, model, shots, tmp):
    name = os.path.basename(model)
    state = open_model(page, model)
    check(state == "model", f"{name}: Studio opened it (state {state})")
    if state != "model":
        check(False, f"{name}: error shown: {page.text_content('#error')}")
        return
    inspect = native_json(ember, ["inspect", "--json", model])
    portable = native_json(ember, ["inspect", "--json", model],
                           {"EMBER_ISA": "portable"})
    count = int(page.get_attribute("#graph-node-count", "data-count"))
    check(count == inspect["subgraphs"][0]["ops"],
          f"{name}: graph shows {count} nodes, the model has "
          f"{inspect['subgraphs'][0]['ops']} ops")
    peak = int(page.get_attribute("#plan-peak", "data-bytes"))
    lower = int(page.get_attribute("#plan-lower-bound", "data-bytes"))
    want = portable["subgraphs"][0]
    check(peak == want["arena_bytes"] and lower == want["arena_lower_bound"],
          f"{name}: plan peak {peak} / lower bound {lower} B, native "
          f"(portable kernels) {want['arena_bytes']} / "
          f"{want['arena_lower_bound']} B")

    # Run on zeros; the native CLI runs the same zeros.
    page.select_option("#input-source", "zeros")
    page.fill("#runs", "3")
    page.click("#run-button")
    state = wait_state(page, ["ran", "error"])
    check(state == "ran", f"{name}: ran in the page (state {state})")
    if state != "ran":
        return
    dom = output_stats_from_dom(page)
    args = ["run", model, "--json", "--output-dir", os.path.join(tmp, "out")]
    for i, t in enumerate(inspect["subgraphs"][0]["inputs"]):
        path = os.path.join(tmp, f"zeros{i}.npy")
        np.save(path, np.zeros(t["shape"], dtype=np.dtype(t["type"])))
        args += ["--input", f"{i}={path}"]
    native = native_json(ember, args)["outputs"]
    check(len(dom) == len(native),
          f"{name}: {len(dom)} outputs in the page, {len(native)} native")
    for d, n in zip(dom, native):
        values = np.load(n["file"]).astype(np.float64)
        ok = (close(d["min"], values.min()) and close(d["max"], values.max())
              and close(d["mean"], values.mean()))
        check(ok, f"{name}: output '{d['name']}' min/max/mean "
                  f"{d['min']:.5g}/{d['max']:.5g}/{d['mean']:.5g} in the page, "
                  f"native {values.min():.5g}/{values.max():.5g}/"
                  f"{values.mean():.5g}")
    rows = page.eval_on_selector_all("#profile-by-op .bar-row", "r => r.length")
    check(rows > 0, f"{name}: profile chart has {rows} op rows")
    if shots:
        page.screenshot(path=os.path.join(shots, f"studio_{name}.png"),
                        full_page=True)
    return check_studio_image(page, ember, model, inspect, dom, tmp)


def write_png(path, rgb):
    """An 8-bit RGB PNG of `rgb` [H, W, 3] (no colour profile, so the
    browser decodes the stored values unchanged)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def image_input(t):
    """The first input's details if Studio offers an image for it."""
    shape = t["shape"]
    if (len(shape) == 4 and shape[0] == 1 and shape[3] in (1, 3)
            and t["type"] in ("float32", "uint8", "int8")):
        return t
    return None


def check_studio_image(page, ember, model, inspect, zeros_dom, tmp):
    name = os.path.basename(model)
    t = image_input(inspect["subgraphs"][0]["inputs"][0])
    if t is None:
        return False
    _, h, w, c = t["shape"]
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // max(1, w - 1), y * 255 // max(1, h - 1),
                    (x + y) * 255 // max(1, w + h - 2)], -1).astype(np.uint8)
    png = os.path.join(tmp, f"{name}.png")
    write_png(png, rgb)
    check(page.is_visible("#image"), f"{name}: Studio offers an image input")
    page.set_input_files("#image", png)
    page.select_option("#input-source", "zeros")  # the other inputs
    page.click("#run-button")
    state = wait_state(page, ["ran", "error"])
    check(state == "ran", f"{name}: ran on an image (state {state})")
    if state != "ran":
        return True
    pixels = rgb.astype(np.float32)
    if c == 1:
        pixels = pixels.mean(-1, keepdims=True)
    scaled = {"float32": pixels / 255, "uint8": pixels, "int8": pixels - 128}[t["type"]]
    args = ["run", model, "--json", "--output-dir", os.path.join(tmp, "img_out")]
    for i, ti in enumerate(inspect["subgraphs"][0]["inputs"]):
        path = os.path.join(tmp, f"img{i}.npy")
        data = scaled[None] if i == 0 else np.zeros(ti["shape"])
        np.save(path, data.astype(np.dtype(ti["type"])))
        args += ["--input", f"{i}={path}"]
    native = native_json(ember, args)["outputs"]
    dom = output_stats_from_dom(page)
    check(dom != zeros_dom, f"{name}: the image changed the outputs")
    for d, n in zip(dom, native):
        values = np.load(n["file"]).astype(np.float64)
        ok = (close(d["min"], values.min()) and close(d["max"], values.max())
              and close(d["mean"], values.mean()))
        check(ok, f"{name}: image run, output '{d['name']}' min/max/mean "
                  f"{d['min']:.5g}/{d['max']:.5g}/{d['mean']:.5g} in the page, "
                  f"native {values.min():.5g}/{values.max():.5g}/{values.mean():.5g}")
    page.set_input_files("#image", [])  # the next model runs on zeros again
    return True


def check_bad_files(page, digits, tmp):
    cases = []
    text = os.path.join(tmp, "notes.tflite")
    with open(text, "w") as f:
        f.write("this is not a model\n" * 20)
    cases.append((text, "not a valid model"))
    truncated = os.path.join(tmp, "truncated.tflite")
    with open(digits, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    cases.append((truncated, "not a valid model"))
    unsupported = os.path.join(tmp, "unsupported_op.tflite")
    unsupported_model(digits, unsupported)
    cases.append((unsupported, "StudioTestUnknownOp"))
    for path, words in cases:
        start = time.time()
        state = open_model(page, path)
        message = page.text_content("#error") or ""
        visible = page.is_visible("#error")
        check(state == "error" and visible and words in message,
              f"{os.path.basename(path)}: readable error in "
              f"{time.time() - start:.1f} s: {message[:160]!r}")
    # The unsupported model is still described (ops table marks the op).
    marked = page.eval_on_selector_all("#ops-table tr.unsupported", "r => r.length")
    check(marked == 1, f"unsupported_op.tflite: {marked} op marked unsupported")


def check_report(browser, ember, model, shots, tmp):
    name = os.path.basename(model)
    html = os.path.join(tmp, f"{name}.html")
    subprocess.run([ember, "report", model, "-o", html, "--profile",
                    "--runs", "5"], check=True, capture_output=True)
    inspect = native_json(ember, ["inspect", "--json", model])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("file://" + html)
    state = wait_state(page, ["ready", "error"], 60)
    check(state == "ready" and not errors,
          f"report {name}: rendered from file:// (state {state}, errors {errors})")
    count = int(page.get_attribute("#graph-node-count", "data-count"))
    check(count == inspect["subgraphs"][0]["ops"],
          f"report {name}: {count} nodes, model has {inspect['subgraphs'][0]['ops']}")
    peak = int(page.get_attribute("#plan-peak", "data-bytes"))
    check(peak == inspect["subgraphs"][0]["arena_bytes"],
          f"report {name}: peak {peak} B, native inspect "
          f"{inspect['subgraphs'][0]['arena_bytes']} B")
    rows = page.eval_on_selector_all("#profile-by-op .bar-row", "r => r.length")
    outs = page.eval_on_selector_all("#outputs-table tbody tr", "r => r.length")
    check(rows > 0 and outs == len(inspect["subgraphs"][0]["outputs"]),
          f"report {name}: {rows} profile rows, {outs} outputs")
    if shots:
        page.screenshot(path=os.path.join(shots, f"report_{name}.png"),
                        full_page=True)
    page.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ember", default=os.path.join(REPO, "build/release/ember"))
    ap.add_argument("--wasm", default="build/wasm",
                    help="WebAssembly build, relative to the repository root")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--screenshots", default=None)
    ap.add_argument("--threads", action="store_true",
                    help="also open Studio cross-origin isolated, where it "
                         "takes build/wasm-threads")
    ap.add_argument("--require-image-model", action="store_true",
                    help="fail unless some model took an uploaded image")
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    digits = os.path.join(REPO, "models/default/digits.tflite")
    models = args.models or [digits]
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)

    from playwright.sync_api import sync_playwright
    server = serve(REPO)
    url = (f"http://127.0.0.1:{server.server_address[1]}/studio/index.html"
           + ("" if args.wasm == "build/wasm" else f"?wasm=../{args.wasm}"))
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page_errors = []
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.goto(url)
        state = wait_state(page, ["ready", "error"], 60)
        check(state == "ready", f"Studio loaded (state {state}, "
              f"{page.evaluate('document.body.dataset.loadMs')} ms to ready): "
              f"{page.text_content('#status')}")
        if state == "ready":
            images = [check_studio_model(page, args.ember, model, args.screenshots, tmp)
                      for model in models]
            if args.require_image_model:
                check(any(images), "an image model went through Studio's image input")
            check_large_graph(page, tmp)
            check_bad_files(page, digits, tmp)
        check(not page_errors, f"no uncaught page errors {page_errors}")
        # Opened from file:// (modules cannot load there): an explanation,
        # not an endless "loading".
        local = browser.new_page()
        local.goto("file://" + os.path.join(REPO, "studio/index.html"))
        state = wait_state(local, ["error", "ready"], 30)
        message = local.text_content("#error") or ""
        check(state == "error" and "served over http" in message,
              f"Studio from file:// explains itself: {message[:80]!r}")
        local.close()
        check_report(browser, args.ember, models[-1], args.screenshots, tmp)
        if args.threads:
            check_isolated_threads(browser, args.ember, digits, tmp)
        browser.close()
    server.shutdown()
    print(f"browser_test: {len(FAILURES)} failure(s), {time.time() - start:.1f} s")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
