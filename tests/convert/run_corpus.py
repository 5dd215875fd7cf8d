"""CI corpus for `ember convert` on Keras models (needs TensorFlow, LiteRT
and the installed `ember` Python package).

Every supported layer type appears in at least one model (the default-suite
models of keras_models.py plus the ones below), Sequential and Functional,
Keras applications (MobileNetV2, EfficientNetB0, MobileNetV3Small, ResNet50
at small inputs, weights=None, seeded), LSTM/GRU/MultiHeadAttention
models, and Keras 2 (tf_keras) models saved as legacy .h5. For each: convert with `ember convert`, run the result in Ember and
in LiteRT, compare with model.predict, and compare the file size with the
TensorFlow converter's. Prints a Markdown table; exits 1 if any model fails
to convert or misses the tolerance (max |diff| <= 1e-4 * max(1, max |y|)).

usage: python3 tests/convert/run_corpus.py [--ember build/release/ember] [--out DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_models  # noqa: E402

TOLERANCE = 1e-4


def applications():
    import keras
    apps = keras.applications
    return {
        "mobilenet_v2_96": lambda: apps.MobileNetV2(input_shape=(96, 96, 3), weights=None,
                                                    alpha=0.5, classes=10),
        "efficientnet_b0_64": lambda: apps.EfficientNetB0(input_shape=(64, 64, 3),
                                                          weights=None, classes=10),
        "mobilenet_v3_small_64": lambda: apps.MobileNetV3Small(
            input_shape=(64, 64, 3), weights=None, classes=10, include_preprocessing=True),
        "resnet50_64": lambda: apps.ResNet50(input_shape=(64, 64, 3), weights=None, classes=10),
    }


def extra_models():
    import keras
    L = keras.layers

    def lstm_stack():
        i = keras.Input((16, 8), name="frames")
        x = L.LSTM(16, return_sequences=True)(i)
        x = L.LSTM(8, go_backwards=True)(x)
        return keras.Model(i, L.Dense(4, activation="softmax")(x), name="lstm_stack")

    def gru_classifier():
        return keras.Sequential([keras.Input((12, 6), name="seq"), L.GRU(10, return_sequences=True),
                                 L.GRU(6), L.Dense(3)], name="gru_classifier")

    def transformer_block():
        i = keras.Input((10, 16), name="tokens")
        a = L.MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6)(i, i, i)
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([i, a]))
        f = L.Dense(32, activation="gelu")(x)
        f = L.Dense(16)(f)
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, f]))
        return keras.Model(i, L.GlobalAveragePooling1D()(x), name="transformer_block")

    def cross_attention():
        q = keras.Input((4, 8), name="queries")
        kv = keras.Input((7, 12), name="memory")
        x = L.MultiHeadAttention(num_heads=2, key_dim=5)(q, kv)
        return keras.Model([q, kv], x, name="cross_attention")

    return {"lstm_stack": lstm_stack, "gru_classifier": gru_classifier,
            "transformer_block": transformer_block, "cross_attention": cross_attention}


def tf_keras_models():
    """Keras 2 (tf_keras) models saved as legacy .h5: the `:0` weight names,
    nested-list inbound_nodes and batch_input_shape configs."""
    try:
        import tf_keras as k2
    except ImportError:
        print("  (tf_keras not installed: legacy Keras 2 .h5 models skipped)", file=sys.stderr)
        return {}
    L = k2.layers

    def tfkeras_cnn():
        i = k2.Input((10, 10, 3), name="img")
        x = L.Conv2D(6, 3, padding="same")(i)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
        x = L.DepthwiseConv2D(3)(x)
        x = L.MaxPooling2D()(x)
        x = L.Add()([x, L.Conv2D(6, 1)(x)])
        x = L.Flatten()(x)
        return k2.Model(i, L.Dense(3, activation="softmax")(L.Dense(8, activation="relu")(x)))

    def tfkeras_sequential_lstm():
        return k2.Sequential([L.LSTM(6, input_shape=(5, 4), return_sequences=True),
                              L.GRU(4), L.Dense(2)])

    return {"tfkeras_cnn": tfkeras_cnn, "tfkeras_sequential_lstm": tfkeras_sequential_lstm}


def run_tflite(path, inputs, engine):
    if engine == "ember":
        import ember
        it = ember.Interpreter(model_path=path)
    else:
        from ai_edge_litert.interpreter import Interpreter
        it = Interpreter(model_path=path)
    it.allocate_tensors()
    # Twice: the second call must not see state left by the first.
    for _ in range(2):
        for det, x in zip(it.get_input_details(), inputs):
            it.set_tensor(det["index"], x)
        it.invoke()
    return [it.get_tensor(o["index"]) for o in it.get_output_details()]


def errors(got, want):
    abs_err = max(float(np.max(np.abs(g.reshape(w.shape) - w))) for g, w in zip(got, want))
    scale = max(1.0, max(float(np.max(np.abs(w))) for w in want))
    return abs_err, abs_err / scale


def op_versions(data):
    """{op name: version} of a .tflite flatbuffer."""
    from ai_edge_litert import schema_py_generated as schema
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    m = schema.Model.GetRootAsModel(bytearray(data), 0)
    out = {}
    for i in range(m.OperatorCodesLength()):
        c = m.OperatorCodes(i)
        out[names.get(max(c.BuiltinCode(), c.DeprecatedBuiltinCode()), "?")] = c.Version()
    return out


def tf_converter(model):
    """(size, op versions) of TensorFlow's converter output, or (None, {})."""
    import tensorflow as tf
    try:
        data = tf.lite.TFLiteConverter.from_keras_model(model).convert()
        return len(data), op_versions(data)
    except Exception as e:  # noqa: BLE001 - reported in the table
        print(f"  (TF converter failed: {str(e)[:120]})", file=sys.stderr)
        return None, {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ember", default="build/release/ember")
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None, help="comma-separated model names")
    args = ap.parse_args()
    import keras
    out = args.out or tempfile.mkdtemp(prefix="ember_keras_corpus_")
    os.makedirs(out, exist_ok=True)
    builders = dict(keras_models.DEFAULT)
    builders.update(extra_models())
    builders.update(applications())
    builders.update(tf_keras_models())
    if args.only:
        builders = {k: v for k, v in builders.items() if k in args.only.split(",")}
    rows, failed = [], []
    for name, build in builders.items():
        keras.utils.set_random_seed(7)
        rng = np.random.default_rng(1)
        model = build()
        keras_models.randomize_bn(model, rng)
        inputs = [keras_models.make_input(t, rng) for t in model.inputs]
        want = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        want = [np.asarray(w) for w in (want if isinstance(want, (list, tuple)) else [want])]
        src = os.path.join(out, name + (".h5" if name.startswith("tfkeras_") else ".keras"))
        dst = os.path.join(out, name + ".tflite")
        model.save(src)
        conv = subprocess.run([args.ember, "convert", src, "-o", dst, "--json"],
                              capture_output=True, text=True)
        try:
            info = json.loads(conv.stdout)
        except json.JSONDecodeError:
            info = {"ok": False, "errors": [conv.stderr.strip() or "no JSON output"]}
        tf_size, tf_versions = tf_converter(model)
        if not info.get("ok"):
            failed.append(name)
            rows.append(f"| {name} | FAILED: {'; '.join(info.get('errors', []))[:200]} |"
                        " | | | | | | | | |")
            continue
        cells = []
        ok = True
        for engine in ("ember", "litert"):
            try:
                a, r = errors(run_tflite(dst, inputs, engine), want)
                cells += [f"{a:.2e}", f"{r:.2e}"]
                ok = ok and r <= TOLERANCE
            except Exception as e:  # noqa: BLE001
                cells += [f"error: {str(e)[:60]}", ""]
                ok = False
        if not ok:
            failed.append(name)
        size = info.get("bytes", 0)
        ratio = f"{size / tf_size:.3f}" if tf_size else "n/a"
        with open(dst, "rb") as f:
            ours = op_versions(f.read())
        # Op versions that differ from TF's for the ops both files use.
        vdiff = ",".join(f"{k}:{ours[k]}/{tf_versions[k]}" for k in sorted(set(ours) & set(tf_versions))
                         if ours[k] != tf_versions[k]) or ("-" if tf_versions else "n/a")
        rows.append(f"| {name} | {info.get('operators')} | " + " | ".join(cells) +
                    f" | {size} | {tf_size or 'n/a'} | {ratio} | {vdiff} | {'ok' if ok else 'FAIL'} |")
        print(rows[-1], flush=True)
    print("\n| model | ops | Ember max abs | Ember max rel | LiteRT max abs | LiteRT max rel |"
          " ember bytes | TF-converter bytes | ratio | op versions != TF (ours/TF) | result |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n{len(rows) - len(failed)}/{len(rows)} models within {TOLERANCE} (relative to max |y|)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
