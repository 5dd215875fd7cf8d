#!/usr/bin/env python3
"""Keyword-spotting accuracy on the test split (voices never seen in
training): float vs TF-converter int8 vs Ember int8, each run in LiteRT and
in Ember. Prints a markdown table and writes it to cache/results.md.

  evaluate.py [--cache DIR] [--ember build/release/ember]

Models (from train.py and `ember quantize`, see run.sh):
  cache/kws_float.tflite, cache/kws_tf_int8.tflite, cache/kws_ember_int8.tflite
A missing Ember int8 model skips its rows with a message (the other rows
are still measured). Ember runs through its Python package
(`ember.interpreter.Interpreter`) or, when that is not installed, through
`ember run` on .npy files.
"""
import argparse
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHUNK = 256


def quantize_input(x, detail):
    if detail["dtype"] == np.float32:
        return x.astype(np.float32)
    scale, zero = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / scale) + zero, info.min, info.max).astype(detail["dtype"])


def run_interpreter(make, x):
    """Class scores for every clip; batches by resizing the input (the
    models keep a dynamic batch dimension), one clip at a time otherwise."""
    it = make()
    inp = it.get_input_details()[0]
    out = it.get_output_details()[0]
    scores = []
    try:
        for s in range(0, len(x), CHUNK):
            part = x[s:s + CHUNK]
            it.resize_tensor_input(inp["index"], list(part.shape))
            it.allocate_tensors()
            it.set_tensor(inp["index"], quantize_input(part, inp))
            it.invoke()
            scores.append(np.array(it.get_tensor(out["index"])).reshape(len(part), -1))
    except (RuntimeError, ValueError) as e:
        print(f"evaluate: batched run failed ({str(e)[:120]}); one clip at a time")
        it = make()
        it.allocate_tensors()
        scores = []
        for clip in x:
            it.set_tensor(inp["index"], quantize_input(clip[None], inp))
            it.invoke()
            scores.append(np.array(it.get_tensor(out["index"])).reshape(1, -1))
    # Dequantizing does not change the arg max (positive scale), so the raw
    # int8 scores are compared directly.
    return np.concatenate(scores).astype(np.float32)


def litert(path, reference):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kind = OpResolverType.BUILTIN_REF if reference else OpResolverType.AUTO
    return lambda: Interpreter(model_path=path, experimental_op_resolver_type=kind,
                               num_threads=2)


def ember_python(path):
    from ember.interpreter import Interpreter
    return lambda: Interpreter(model_path=path, num_threads=2)


def ember_cli_scores(binary, path, x):
    """Runs `ember run` on the whole test set as one batch (.npy in, .npy out)."""
    from ai_edge_litert.interpreter import Interpreter
    inp = Interpreter(model_path=path).get_input_details()[0]
    with tempfile.TemporaryDirectory(prefix="kws_eval_") as tmp:
        np.save(os.path.join(tmp, "x.npy"), quantize_input(x, inp))
        out_dir = os.path.join(tmp, "out")
        r = subprocess.run([binary, "run", path, "-i", f"0={tmp}/x.npy", "-o", out_dir,
                            "-t", "2"], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"ember run failed: {r.stderr.strip()[-300:]}")
        outs = sorted(os.listdir(out_dir))
        return np.load(os.path.join(out_dir, outs[0])).reshape(len(x), -1).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--ember", default=os.path.join(ROOT, "build", "release", "ember"),
                    help="ember binary, used when the Python package is not installed")
    args = ap.parse_args()

    with np.load(os.path.join(args.cache, "dataset.npz")) as d:
        x, y = d["x_test"], d["y_test"]
        voices = sorted(set(d["voice_test"]) - {"noise"})
        labels = list(d["labels"])

    try:
        import ember.interpreter  # noqa: F401
        ember_how = "Ember (Python package)"
    except ImportError:
        ember_how = "Ember (`ember run`)"
        if not os.path.exists(args.ember):
            ember_how = None
            print(f"evaluate: no ember Python package and no binary at {args.ember}: "
                  "Ember rows skipped")

    def ember_scores(path):
        if ember_how == "Ember (Python package)":
            return run_interpreter(ember_python(path), x)
        return ember_cli_scores(args.ember, path, x)

    models = [("float (TF converter)", "kws_float.tflite"),
              ("int8, TF converter", "kws_tf_int8.tflite"),
              ("int8, `ember quantize`", "kws_ember_int8.tflite")]
    rows, float_pred = [], None
    ref_scores = None
    for name, file in models:
        path = os.path.join(args.cache, file)
        if not os.path.exists(path):
            print(f"evaluate: {path} missing: '{name}' rows skipped "
                  "(see run.sh / the ember quantize step)")
            continue
        size_kb = os.path.getsize(path) / 1024
        # Reference kernels first: the other runtimes' int8 scores of the
        # same model are compared with theirs.
        runners = [("LiteRT BUILTIN_REF", lambda p=path: run_interpreter(litert(p, True), x)),
                   ("LiteRT", lambda p=path: run_interpreter(litert(p, False), x))]
        ref_scores = None
        if ember_how:
            runners.append((ember_how, lambda p=path: ember_scores(p)))
        for runtime, fn in runners:
            try:
                scores = fn()
            except Exception as e:  # report and keep measuring the other rows
                print(f"evaluate: {name} on {runtime} failed: {e}")
                rows.append((name, runtime, None, None, size_kb, ""))
                continue
            pred = scores.argmax(axis=1)
            if float_pred is None:
                float_pred = pred
            # Integer models: how many clips give exactly the reference
            # kernels' int8 scores (Ember's int8 kernels aim to be bit-exact).
            exact = ""
            if runtime == "LiteRT BUILTIN_REF":
                ref_scores = scores
            elif "int8" in name and ref_scores is not None:
                same = (scores == ref_scores).all(axis=1).mean()
                exact = f"{100 * same:.2f}%"
            rows.append((name, runtime, float((pred == y).mean()),
                         float((pred == float_pred).mean()), size_kb, exact))

    float_acc = rows[0][2] if rows and rows[0][2] is not None else None
    lines = [f"Keyword spotting, {len(labels)} classes ({', '.join(labels)}); "
             f"test split: {len(y)} clips, {len(voices)} espeak-ng voices unseen in training.",
             "",
             "| model | runtime | test accuracy | vs float (pp) | top-1 agrees with float "
             "| int8 scores = BUILTIN_REF | size (KB) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, runtime, acc, agree, size_kb, exact in rows:
        if acc is None:
            lines.append(f"| {name} | {runtime} | failed | | | | {size_kb:.1f} |")
            continue
        drop = f"{100 * (acc - float_acc):+.2f}" if float_acc is not None else ""
        lines.append(f"| {name} | {runtime} | {100 * acc:.2f}% | {drop} | "
                     f"{100 * agree:.2f}% | {exact} | {size_kb:.1f} |")
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(args.cache, "results.md"), "w") as f:
        f.write(table + "\n")
    if any(r[2] is None for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
