#!/usr/bin/env python3
"""Runs every conformance model in Ember and in LiteRT and writes a report.

  run.py [--cache DIR] [--shared DIR] [--only REGEX] [--report-dir DIR]

Integer outputs are compared bit-exactly against LiteRT's reference kernels
(BUILTIN_REF); float outputs against LiteRT's default kernels, with the
error relative to the output's magnitude. Ember failing to run a model is a
failing row, never a skip. Exits 1 if any row fails.
"""
import argparse
import glob
import json
import os
import re
import sys
import time

import numpy as np
from ai_edge_litert import interpreter as litert

import ember

HERE = os.path.dirname(os.path.abspath(__file__))

# Relative tolerances for float outputs, by mode: max|ember - litert| must
# not exceed tol * max(max|litert|, 1).
FLOAT_TOLERANCE = {
    "float32": 1e-4,
    "fp16": 1e-4,
    "dynamic": 2e-2,  # activations are quantized on the fly in both engines
    "model": 1e-4,
}
# Real models whose custom ops LiteRT's Python package lacks. The TFLM
# Signal ops are checked against TFLite Micro's Python interpreter
# (tflite-micro from PyPI) instead; selfie_segmentation's MediaPipe op has
# no oracle here, so Ember must run it (its op is tested against
# TRANSPOSE_CONV + ADD in the unit tests).
LITERT_LACKS = {
    "selfie_segmentation.tflite": "Convolution2DTransposeBias",
    "audio_preprocessor_float.tflite": "Signal*",
    "audio_preprocessor_int8.tflite": "Signal*",
}
# LiteRT's SVDF misreads int8 state (reads it as int16) and crashes the
# process on this model; Ember runs it alone (svdf_test.cc checks the math).
LITERT_CRASHES = {"keyword_scrambled_8bit.tflite"}
# LiteRT 2.3's reference SUM adds raw int8/int16 values without rescaling
# to the output's quantization (its default kernels and current sources do
# rescale, as Ember does): integer SUM rows are compared with LiteRT's
# default kernels instead, which rescale in float (within 1 LSB).
DEFAULT_KERNEL_ORACLE = {"sum": 1}
TFLM_ORACLE = {"audio_preprocessor_float.tflite", "audio_preprocessor_int8.tflite"}


def run_tflm(content, inputs, num_outputs):
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_bytes(content)
    for i, x in enumerate(inputs):
        interp.set_input(x, i)
    interp.invoke()
    return [interp.get_output(i) for i in range(num_outputs)]


def evaluate_ember_only(name, content, seed=0):
    """Ember runs the model twice with the same inputs: same outputs, finite."""
    row = {"name": name, "kind": "shared", "op": name.split(".")[0], "mode": "model",
           "litert": "n/a (LiteRT crashes on this model)"}
    try:
        probe = ember.Interpreter(model_content=content)
        inputs = make_inputs(probe.get_input_details(), None, seed)
        a = run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
        b = run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
    except Exception as e:  # noqa: BLE001
        row.update(status="fail", error=float("inf"), unit="", ember=f"{type(e).__name__}: {e}"[:200])
        return row
    same = all(np.array_equal(x, y) for x, y in zip(a, b))
    row.update(status="ember-only" if same else "fail", ember="ok (deterministic)" if same else "nondeterministic")
    return row


def evaluate_tflm(name, content, seed=0):
    """Ember vs TFLite Micro (bit-exact: these models are integer DSP)."""
    row = {"name": name, "kind": "shared", "op": name.split(".")[0], "mode": "model"}
    try:
        ember_interp = ember.Interpreter(model_content=content)
        ember_interp.allocate_tensors()
        inputs = make_inputs(ember_interp.get_input_details(), None, seed)
        ours = run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
        row["ember"] = "ok"
    except Exception as e:  # noqa: BLE001
        row.update(status="fail", error=float("inf"), unit="", ember=f"{type(e).__name__}: {e}"[:200])
        return row
    try:
        theirs = run_tflm(content, inputs, len(ours))
        row["litert"] = "n/a; oracle: tflite-micro"
    except Exception as e:  # noqa: BLE001
        row.update(status="fail", error=float("inf"), unit="",
                   litert=f"tflite-micro: {type(e).__name__}: {e}"[:160])
        return row
    theirs = [np.asarray(t).reshape(o.shape).astype(o.dtype) for t, o in zip(theirs, ours)]
    passed, err, unit = compare(ours, theirs, "int8")
    row.update(status="pass" if passed else "fail", error=err, unit=unit)
    return row


def make_inputs(details, ranges, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for i, d in enumerate(details):
        dtype = np.dtype(d["dtype"])
        shape = d["shape"]
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            if d["quantization_parameters"]["scales"].size:
                lo, hi = info.min, info.max  # the full quantized range
            elif ranges and i < len(ranges):
                lo, hi = int(ranges[i][0]), int(ranges[i][1])
            else:
                lo, hi = max(info.min, -100), min(info.max, 100)
            arrays.append(rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype))
        elif dtype == np.bool_:
            arrays.append(rng.integers(0, 2, size=shape).astype(np.bool_))
        else:
            lo, hi = (ranges[i] if ranges and i < len(ranges) else (-1.0, 1.0))
            arrays.append(rng.uniform(lo, hi, size=shape).astype(dtype))
    return arrays


def run_engine(make, content, inputs):
    interp = make(content)
    interp.allocate_tensors()
    for d, x in zip(interp.get_input_details(), inputs):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()]


def litert_maker(reference):
    kind = (litert.OpResolverType.BUILTIN_REF if reference
            else litert.OpResolverType.AUTO)
    return lambda content: litert.Interpreter(
        model_content=content, experimental_op_resolver_type=kind, num_threads=1)


def compare(ours, theirs, mode, spread=None, lsb_allowed=0):
    """Returns (passed, error, unit). `spread`: LiteRT's reference-kernel
    outputs; for floats, twice their distance from LiteRT's default kernels
    (its own noise floor) is allowed when larger than the stated tolerance."""
    if len(ours) != len(theirs):
        return False, float("inf"), "outputs"
    worst, unit, passed = 0.0, "", True
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False, float("inf"), f"shape/dtype {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        if a.dtype.kind in "iub":
            err = float(np.max(np.abs(a.astype(np.int64) - b.astype(np.int64)))) if a.size else 0.0
            unit = "LSB"
            passed &= err <= lsb_allowed
        else:
            scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1.0)
            err = float(np.max(np.abs(a.astype(np.float64) - b))) / scale if a.size else 0.0
            if np.any(np.isnan(a) != np.isnan(b)):
                err = float("inf")
            unit = "rel"
            tol = FLOAT_TOLERANCE.get(mode, 1e-4)
            if spread is not None and k < len(spread) and b.size:
                floor = float(np.max(np.abs(spread[k].astype(np.float64) - b))) / scale
                tol = max(tol, 2 * floor)
            passed &= err <= tol
        worst = max(worst, err)
    return passed, worst, unit


def evaluate(name, kind, op, mode, content, ranges, seed=0):
    row = {"name": name, "kind": kind, "op": op, "mode": mode}
    t0 = time.time()
    try:
        probe = litert.Interpreter(model_content=content)
        details = probe.get_input_details()
        out_types = [np.dtype(d["dtype"]) for d in probe.get_output_details()]
    except Exception as e:  # noqa: BLE001
        details, out_types = None, []
        litert_error = f"{type(e).__name__}: {e}"
    else:
        litert_error = None
    integer = any(t.kind in "iu" for t in out_types) or mode in ("int8", "int16x8")
    if details is None:
        row.update(status="fail", error=float("inf"), unit="", litert="error: " + litert_error[:160])
        try:
            ember_interp = ember.Interpreter(model_content=content)
            ember_interp.allocate_tensors()
            ins = make_inputs(ember_interp.get_input_details(), ranges, seed)
            for d, x in zip(ember_interp.get_input_details(), ins):
                ember_interp.set_tensor(d["index"], x)
            ember_interp.invoke()
            row.update(ember="ok (no oracle)", status="ember-only")
        except Exception as e:  # noqa: BLE001
            row["ember"] = f"{type(e).__name__}: {str(e)[:200]}"
        return row
    inputs = make_inputs(details, ranges, seed)
    lsb_allowed = 0
    use_reference = integer
    if integer and op in DEFAULT_KERNEL_ORACLE:
        use_reference = False
        lsb_allowed = DEFAULT_KERNEL_ORACLE[op]
    try:
        theirs = run_engine(litert_maker(use_reference), content, inputs)
        row["litert"] = ("ok (reference kernels)" if use_reference else
                         "ok (default kernels)" + (" - reference SUM does not rescale" if integer else ""))
    except Exception as e:  # noqa: BLE001
        # LiteRT refuses the model (e.g. its int16 overflow checks): no
        # oracle. The row is listed as such; Ember must still run it.
        row.update(status="oracle-error", error=None, unit="",
                   litert=f"{type(e).__name__}: {str(e)[:160]}")
        try:
            run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
            row["ember"] = "ok (runs; no oracle)"
        except Exception as e2:  # noqa: BLE001
            both = "only supports" in str(e) or "not supported" in str(e).lower()
            row.update(status="unsupported-both" if both else "fail",
                       ember=f"{type(e2).__name__}: {str(e2)[:200]}")
        return row
    try:
        ours = run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
        row["ember"] = "ok"
    except Exception as e:  # noqa: BLE001
        row.update(status="fail", error=float("inf"), unit="",
                   ember=f"{type(e).__name__}: {str(e)[:200]}")
        return row
    spread = None
    if not integer:
        try:
            spread = run_engine(litert_maker(True), content, inputs)
        except Exception:  # noqa: BLE001 - the floor is optional
            spread = None
    passed, err, unit = compare(ours, theirs, mode, spread, lsb_allowed)
    row.update(status="pass" if passed else "fail", error=err, unit=unit,
               seconds=round(time.time() - t0, 2))
    return row


def isolated(fn, *args):
    """Runs fn(*args) in a forked child so that an engine crashing (LiteRT's
    reference kernels abort on some int8 softmax inputs, for example) costs
    one row, not the whole run. Returns fn's row, or a crash row."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            data = json.dumps(fn(*args), default=str).encode()
        except BaseException as e:  # noqa: BLE001
            data = json.dumps({"status": "fail", "ember": f"harness: {e}"}).encode()
        with os.fdopen(write_fd, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if data:
        row = json.loads(data)
        if row.get("error") == "inf":
            row["error"] = float("inf")
        return row
    return None  # the child died: the caller finds out which engine


def crash_row(name, kind, op, mode, content, ranges):
    """The row for a case whose process died: tells which engine crashed."""
    row = {"name": name, "kind": kind, "op": op, "mode": mode}
    def ember_only():
        probe = ember.Interpreter(model_content=content)
        inputs = make_inputs(probe.get_input_details(), ranges, 0)
        run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
        return {"ember": "ok"}
    ember_row = isolated(ember_only)
    if ember_row is None:
        row.update(status="fail", ember="crashed", litert="not compared")
    else:
        def versus_default():
            probe = ember.Interpreter(model_content=content)
            inputs = make_inputs(probe.get_input_details(), ranges, 0)
            ours = run_engine(lambda c: ember.Interpreter(model_content=c), content, inputs)
            theirs = run_engine(litert_maker(False), content, inputs)
            _, err, unit = compare(ours, theirs, mode)
            return {"error": err, "unit": unit}
        vs = isolated(versus_default) or {}
        row.update(status="oracle-crash", ember="ok (runs)", error=vs.get("error"),
                   unit=vs.get("unit", ""),
                   litert="LiteRT reference kernels abort on this model; error shown is "
                          "vs LiteRT default (XNNPACK) kernels")
    return row


def write_report(rows, report_dir):
    os.makedirs(report_dir, exist_ok=True)
    with open(os.path.join(report_dir, "report.json"), "w") as f:
        json.dump(rows, f, indent=1, default=str)
    listed = ("not-generated", "ember-only", "oracle-crash", "oracle-error", "unsupported-both")
    summary = {}
    for r in rows:
        key = (r["kind"], r["mode"])
        s = summary.setdefault(key, {"rows": 0, "pass": 0, "fail": 0, "listed": 0,
                                     "max_err": 0.0, "unit": set()})
        s["rows"] += 1
        if r["status"] == "pass":
            s["pass"] += 1
            s["max_err"] = max(s["max_err"], r.get("error", 0.0))
            s["unit"].add(r.get("unit", ""))
        elif r["status"] in listed:
            s["listed"] += 1
        else:
            s["fail"] += 1
    lines = ["# Ember conformance report", "",
             "Integer outputs: max |Ember - LiteRT BUILTIN_REF| in LSB; float outputs: "
             "max error relative to max(|LiteRT|, 1) vs LiteRT default kernels. "
             "'listed' rows have no usable oracle (converter refused, LiteRT refused or "
             "crashed, neither engine supports the op/type): see their rows below.", "",
             "| kind | mode | rows | pass | fail | listed | max error (passing rows) |",
             "|---|---|---|---|---|---|---|"]
    for (kind, mode), s in sorted(summary.items()):
        lines.append(f"| {kind} | {mode} | {s['rows']} | {s['pass']} | {s['fail']} | {s['listed']} | "
                     f"{s['max_err']:.3g} {'/'.join(sorted(u for u in s['unit'] if u))} |")
    lines += ["", "| name | op | mode | status | error | LiteRT | Ember |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        err = r.get("error")
        err_text = "" if err is None else (f"{err:.3g} {r.get('unit', '')}" if err != float("inf") else "inf")
        lines.append(f"| {r['name']} | {r['op']} | {r['mode']} | {r['status']} | {err_text} | "
                     f"{r.get('litert', '')} | {r.get('ember', '')} |")
    with open(os.path.join(report_dir, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--shared", default=os.environ.get(
        "EMBER_SHARED_MODELS", os.path.join(HERE, "..", "..", "..", "shared", "models")))
    ap.add_argument("--no-shared", action="store_true")
    ap.add_argument("--only", default=None)
    ap.add_argument("--report-dir", default=os.path.join(HERE, "cache", "report"))
    args = ap.parse_args()
    with open(os.path.join(args.cache, "manifest.json")) as f:
        manifest = json.load(f)
    rows = []
    for m in manifest:
        if args.only and not re.search(args.only, m["name"]):
            continue
        if "generate_error" in m:
            rows.append({"name": m["name"], "kind": m["kind"], "op": m["op"], "mode": m["mode"],
                         "status": "not-generated", "litert": "converter: " + m["generate_error"]})
            continue
        with open(os.path.join(args.cache, m["path"]), "rb") as f:
            content = f.read()
        case = (m["name"], m["kind"], m["op"], m["mode"], content, m.get("ranges"))
        rows.append(isolated(evaluate, *case) or crash_row(*case))
        print(f"{rows[-1]['status']:>6}  {m['name']}", flush=True)
    if not args.no_shared:
        if not os.path.isdir(args.shared):
            print(f"run: ERROR: shared models folder {args.shared} is missing", file=sys.stderr)
            sys.exit(1)
        for path in sorted(glob.glob(os.path.join(args.shared, "*", "*.tflite"))):
            base = os.path.basename(path)
            if args.only and not re.search(args.only, base):
                continue
            with open(path, "rb") as f:
                content = f.read()
            if base in TFLM_ORACLE:
                rows.append(evaluate_tflm(base, content))
            elif base in LITERT_CRASHES:
                rows.append(evaluate_ember_only(base, content))
            else:
                case = (base, "shared", base.split(".")[0], "model", content, None)
                rows.append(isolated(evaluate, *case) or crash_row(*case))
            if base in LITERT_LACKS:
                rows[-1]["note"] = "LiteRT lacks custom op " + LITERT_LACKS[base]
            print(f"{rows[-1]['status']:>6}  {base}", flush=True)
    write_report(rows, args.report_dir)
    failed = [r for r in rows
              if r["status"] not in ("pass", "not-generated", "ember-only", "oracle-crash", "oracle-error",
                                 "unsupported-both")]
    print(f"conformance: {len(rows)} rows, {sum(r['status'] == 'pass' for r in rows)} pass, "
          f"{len(failed)} fail, report in {args.report_dir}/report.md")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
