#!/usr/bin/env python3
"""Ember's int8 quantizer vs ai-edge-quantizer (LiteRT Quantizer) and, for
Keras models, TensorFlow's converter, on the same float .tflite and the same
calibration data (CI-extra; needs TensorFlow, ai-edge-quantizer, LiteRT and
a built `ember`).

For every model: output SQNR (dB) of each int8 model against the float
model on held-out inputs (LiteRT default kernels), averaged over outputs.
Plus a labeled task: a small CNN trained on scikit-learn's digits, accuracy
of float vs Ember int8 vs TF int8 vs AEQ int8 on a held-out split.

  quant_compare.py [--ember build/release/ember] [--models DIR]
                   [--keras mobilenet_v1,mobilenet_v2] [--out FILE.md]
                   [--calib N] [--eval N] [--ember-args "..."]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (file under the models dir, input range for random calibration/eval data)
SHARED = [
    ("tflm/hello_world_float.tflite", (0.0, 6.283)),
    ("tflm/trained_lstm.tflite", (0.0, 1.0)),
    ("mediapipe/face_detection_short_range.tflite", (-1.0, 1.0)),
    ("mediapipe/pose_landmark_lite.tflite", (0.0, 1.0)),
    ("mediapipe/hand_landmark_lite.tflite", (0.0, 1.0)),
    ("mediapipe/face_landmark.tflite", (0.0, 1.0)),
]


def interpreter(path):
    """LiteRT with its default kernels; when XNNPACK's delegation breaks
    preparation (it did for some quantized models), the builtin kernels
    without delegates, so a model is an error only if LiteRT cannot run it."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    try:
        it = Interpreter(model_path=path)
        it.allocate_tensors()
    except (RuntimeError, ValueError):
        it = Interpreter(model_path=path, experimental_op_resolver_type=(
            OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
        it.allocate_tensors()
    return it


def run(it, sample):
    """Runs one sample (list of float arrays); quantizes integer inputs and
    dequantizes integer outputs so every model is compared in float."""
    for d, x in zip(it.get_input_details(), sample):
        if d["dtype"] in (np.int8, np.int16):
            s, z = d["quantization"]
            info = np.iinfo(d["dtype"])
            x = np.clip(np.round(x / s) + z, info.min, info.max).astype(d["dtype"])
        it.set_tensor(d["index"], x.astype(d["dtype"]))
    it.invoke()
    outs = []
    for d in it.get_output_details():
        y = it.get_tensor(d["index"])
        if d["dtype"] in (np.int8, np.int16):
            s, z = d["quantization"]
            y = (y.astype(np.float32) - z) * s
        outs.append(y.astype(np.float32))
    return outs


def random_samples(path, n, lo, hi, seed):
    it = interpreter(path)
    rng = np.random.RandomState(seed)
    samples = []
    for _ in range(n):
        samples.append([rng.uniform(lo, hi, d["shape"]).astype(np.float32)
                        for d in it.get_input_details()])
    return samples


def sqnr_db(ref, test):
    ref = np.concatenate([r.ravel() for r in ref]).astype(np.float64)
    test = np.concatenate([t.ravel() for t in test]).astype(np.float64)
    noise = ((ref - test) ** 2).sum()
    return 10 * np.log10((ref ** 2).sum() / noise) if noise > 0 else float("inf")


def output_sqnr(float_path, quant, samples):
    """Median over outputs of each output's SQNR over all samples (the
    median, because a near-constant output such as a presence flag can
    have a meaningless SQNR on random inputs)."""
    f_it, q_it = interpreter(float_path), interpreter(quant)
    per_output = None
    for s in samples:
        f, q = run(f_it, s), run(q_it, s)
        if per_output is None:
            per_output = [([], []) for _ in f]
        for k in range(len(f)):
            per_output[k][0].append(f[k])
            per_output[k][1].append(q[k])
    return float(np.median([sqnr_db(a, b) for a, b in per_output]))


def input_names(path):
    it = interpreter(path)
    return [d["name"] for d in it.get_input_details()]


def ember_int8(args, float_path, calib, out_path, extra=""):
    names = input_names(float_path)
    npz = out_path + ".calib.npz"
    np.savez(npz, **{f"arr_{k}": np.stack([s[k] for s in calib]) for k in range(len(names))})
    cmd = [args.ember, "quantize", float_path, "-o", out_path, "--mode", "int8",
           "--calibration", npz, "--json"] + args.ember_args.split() + extra.split()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip()[-300:])
    return out_path


def aeq_int8(float_path, calib, out_path):
    from ai_edge_quantizer import quantizer, recipe
    it = interpreter(float_path)
    sigs = it.get_signature_list()
    if not sigs:
        raise RuntimeError("no signature (AEQ calibrates per signature)")
    key = list(sigs.keys())[0]
    runner = it.get_signature_runner(key)
    in_details = runner.get_input_details()
    # Signature input names in the order of the model's inputs.
    by_index = {d["index"]: name for name, d in in_details.items()}
    order = [by_index[d["index"]] for d in it.get_input_details()]
    data = {key: [{order[k]: s[k] for k in range(len(order))} for s in calib]}
    qt = quantizer.Quantizer(float_path)
    qt.load_quantization_recipe(recipe.static_wi8_ai8())
    result = qt.quantize(qt.calibrate(data))
    result.export_model(out_path, overwrite=True)
    return out_path


def tf_int8(keras_model, calib):
    import tensorflow as tf
    conv = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([x for x in s] for s in calib)
    return conv.convert()


def keras_float(keras_model):
    import tensorflow as tf
    return tf.lite.TFLiteConverter.from_keras_model(keras_model).convert()


def plain_float(path, tmp):
    """The float model every quantizer gets: fp16 weights behind DEQUANTIZE
    (MediaPipe) widened to float32 constants, and a serving_default
    signature when it has none (AEQ calibrates per signature)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as fbs
    buf = open(path, "rb").read()
    m = fbs.ModelT.InitFromPackedBuf(buf, 0)
    sg = m.subgraphs[0]
    codes = [max(c.deprecatedBuiltinCode, c.builtinCode) for c in m.operatorCodes]
    kept, changed = [], False
    for op in sg.operators:
        t_in = sg.tensors[op.inputs[0]] if op.inputs is not None and len(op.inputs) else None
        if (codes[op.opcodeIndex] == fbs.BuiltinOperator.DEQUANTIZE and t_in is not None
                and t_in.type == fbs.TensorType.FLOAT16 and t_in.sparsity is None
                and m.buffers[t_in.buffer].data is not None):
            half = np.frombuffer(bytes(bytearray(m.buffers[t_in.buffer].data)), np.float16)
            b = fbs.BufferT()
            b.data = np.frombuffer(half.astype(np.float32).tobytes(), np.uint8)
            m.buffers.append(b)
            sg.tensors[op.outputs[0]].buffer = len(m.buffers) - 1
            changed = True
            continue
        kept.append(op)
    sg.operators = kept
    has_signature = bool(m.signatureDefs)
    if has_signature and not changed:
        return path

    def tensor_map(i):
        t = fbs.TensorMapT()
        t.name = sg.tensors[i].name.decode() if isinstance(sg.tensors[i].name, bytes) else sg.tensors[i].name
        t.tensorIndex = i
        return t
    sig = fbs.SignatureDefT()
    sig.signatureKey = "serving_default"
    sig.subgraphIndex = 0
    sig.inputs = [tensor_map(i) for i in sg.inputs]
    sig.outputs = [tensor_map(i) for i in sg.outputs]
    if not has_signature:
        m.signatureDefs = [sig]
    b = flatbuffers.Builder(len(buf) + 1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    out = os.path.join(tmp, os.path.basename(path)[:-7] + "_plain.tflite")
    open(out, "wb").write(b.Output())
    return out


def compare(args, name, float_path, calib, evals, keras_model, tmp, rows):
    row = {"model": name}
    size = os.path.getsize(float_path)
    for label, make in (("ember", lambda p: ember_int8(args, float_path, calib, p,
                                                       "--calibration-method minmax")),
                        ("ember_mse", lambda p: ember_int8(args, float_path, calib, p,
                                                           "--calibration-method mse")),
                        ("aeq", lambda p: aeq_int8(float_path, calib, p)),
                        ("tf", None if keras_model is None else
                         lambda p: open(p, "wb").write(tf_int8(keras_model, calib)) and p)):
        if make is None:
            row[label] = "n/a"
            continue
        path = os.path.join(tmp, f"{name}.{label}.tflite")
        t0 = time.time()
        try:
            make(path)
            row[label] = "%.2f" % output_sqnr(float_path, path, evals)
            row[label + "_kb"] = os.path.getsize(path) // 1024
        except Exception as e:  # a quantizer that fails is a table entry
            row[label] = "error: " + str(e).splitlines()[0][:60] if str(e) else "error"
        row[label + "_s"] = time.time() - t0
    row["float_kb"] = size // 1024
    rows.append(row)
    print(row, file=sys.stderr)


def digits_task(args, tmp):
    import tensorflow as tf
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[..., None]
    xtr, xte, ytr, yte = train_test_split(x, d.target, test_size=0.3, random_state=0)
    tf.keras.utils.set_random_seed(0)
    m = tf.keras.Sequential([
        tf.keras.Input((8, 8, 1), batch_size=1),
        tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(10),
        tf.keras.layers.Softmax()])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(xtr, ytr, epochs=15, batch_size=32, verbose=0)
    float_path = os.path.join(tmp, "digits_float.tflite")
    open(float_path, "wb").write(keras_float(m))
    calib = [[xtr[i:i + 1]] for i in range(100)]
    models = {"float": float_path}
    models["ember int8 (min/max)"] = ember_int8(args, float_path, calib,
                                                os.path.join(tmp, "digits.ember.tflite"),
                                                "--calibration-method minmax")
    models["ember int8 (mse)"] = ember_int8(args, float_path, calib,
                                            os.path.join(tmp, "digits.ember_mse.tflite"),
                                            "--calibration-method mse")
    p = os.path.join(tmp, "digits.tf.tflite")
    open(p, "wb").write(tf_int8(m, calib))
    models["TF int8"] = p
    try:
        models["AEQ int8"] = aeq_int8(float_path, calib, os.path.join(tmp, "digits.aeq.tflite"))
    except Exception as e:
        print("AEQ digits failed:", e, file=sys.stderr)
    acc = {}
    for label, path in models.items():
        it = interpreter(path)
        pred = [int(np.argmax(run(it, [xte[i:i + 1]])[0])) for i in range(len(xte))]
        acc[label] = float(np.mean(np.array(pred) == yte))
    return acc, len(xte)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ember", default=os.path.join(ROOT, "build/release/ember"))
    default_models = os.path.join(ROOT, "..", "shared", "models")
    if not os.path.isdir(default_models):  # a worktree one level deeper
        default_models = os.path.join(ROOT, "..", "..", "shared", "models")
    ap.add_argument("--models", default=os.environ.get("EMBER_MODELS", default_models))
    ap.add_argument("--shared", default="all", help="comma list of substrings, or none")
    # mobilenet_v3_small is left out by default: with random weights its float
    # logits are ~1e-11 (vanishing activations), nothing to compare.
    ap.add_argument("--keras", default="mobilenet_v1,mobilenet_v2")
    ap.add_argument("--calib", type=int, default=64)
    ap.add_argument("--eval", type=int, default=32)
    ap.add_argument("--ember-args", default="")
    ap.add_argument("--no-digits", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for rel, (lo, hi) in SHARED:
            if args.shared == "none" or (args.shared != "all" and
                                         not any(s in rel for s in args.shared.split(","))):
                continue
            path = os.path.join(args.models, rel)
            if not os.path.exists(path):
                continue
            path = plain_float(path, tmp)
            calib = random_samples(path, args.calib, lo, hi, 1)
            evals = random_samples(path, args.eval, lo, hi, 2)
            compare(args, os.path.basename(rel)[:-7], path, calib, evals, None, tmp, rows)
        if args.keras:
            import tensorflow as tf
            sys.path.insert(0, os.path.join(ROOT, "tests", "conformance"))
            from cases import keras_models
            for name, cls, size in keras_models():
                if name not in args.keras.split(","):
                    continue
                tf.keras.utils.set_random_seed(7)
                # Logits, not softmax: with random weights the 1000 softmax
                # outputs are all ~0.001, below one int8 step (1/256).
                kwargs = dict(weights=None, input_shape=(size, size, 3),
                              classifier_activation=None)
                if cls.startswith("MobileNetV3"):
                    kwargs["include_preprocessing"] = False
                km = getattr(tf.keras.applications, cls)(**kwargs)
                # Fixed batch 1 so every quantizer sees the same static shapes.
                inp = tf.keras.Input((size, size, 3), batch_size=1)
                km = tf.keras.Model(inp, km(inp))
                path = os.path.join(tmp, f"{name}_float.tflite")
                open(path, "wb").write(keras_float(km))
                calib = random_samples(path, args.calib, -1, 1, 1)
                evals = random_samples(path, args.eval, -1, 1, 2)
                compare(args, name, path, calib, evals, km, tmp, rows)
        digits = None if args.no_digits else digits_task(args, tmp)
    lines = ["| model | float32 KiB | Ember int8 min/max SQNR dB (KiB) | Ember int8 MSE (default) | "
             "AEQ int8 SQNR dB (KiB) | TF int8 SQNR dB (KiB) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        def cell(k):
            return r[k] + (f" ({r[k + '_kb']})" if k + "_kb" in r else "")
        lines.append(f"| {r['model']} | {r['float_kb']} | {cell('ember')} | {cell('ember_mse')} | "
                     f"{cell('aeq')} | {cell('tf')} |")
    if digits:
        acc, n = digits
        lines += ["", f"Digits (scikit-learn, {n} held-out images), top-1 accuracy:", "",
                  "| model | accuracy |", "|---|---|"]
        lines += [f"| {k} | {v * 100:.2f}% |" for k, v in acc.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        open(args.out, "w").write(text)


if __name__ == "__main__":
    main()
