#!/usr/bin/env python3
"""Generates the conformance models with TensorFlow's converter (test
tooling only) into a cache folder, with a manifest.json describing each.

  generate.py [--cache DIR] [--only REGEX] [--skip-models] [--jobs N]

Models already in the cache with the same case key are kept, so re-runs
only convert what changed.
"""
import argparse
import glob
import json
import os
import re
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import cases  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CACHE = os.path.join(HERE, "cache")


def converter_for(tf, mode, make_converter, rep_inputs):
    conv = make_converter()
    if mode == "float32":
        return conv
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "fp16":
        conv.target_spec.supported_types = [tf.float16]
    elif mode in ("int8", "int16x8"):
        def rep():
            for sample in rep_inputs:
                yield sample
        conv.representative_dataset = rep
        if mode == "int8":
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
        else:
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            conv.inference_input_type = tf.int16
            conv.inference_output_type = tf.int16
    return conv


def rep_samples(specs, n, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        out.append([rng.uniform(lo, hi, size=shape).astype(np.float32)
                    for shape, lo, hi in specs])
    return out


def generate_ops(tf, cache, only, manifest):
    for case in cases.op_cases():
        if only and not re.search(only, case.name):
            continue
        specs = [tf.TensorSpec(shape, tf.float32, name=f"in{i}")
                 for i, (shape, _, _) in enumerate(case.inputs)]
        fn = case.build(tf)
        module = tf.Module()
        module.f = tf.function(lambda *xs, fn=fn: fn(*xs), input_signature=specs)
        concrete = module.f.get_concrete_function()
        rep = rep_samples(case.inputs, 8, 1)
        for mode in case.modes:
            name = f"{case.name}__{mode}"
            path = os.path.join(cache, "ops", name + ".tflite")
            entry = {"name": name, "kind": "op", "op": case.op, "mode": mode,
                     "path": os.path.relpath(path, cache),
                     "ranges": [[lo, hi] for _, lo, hi in case.inputs]}
            if not os.path.exists(path):
                try:
                    conv = converter_for(
                        tf, mode, lambda: tf.lite.TFLiteConverter.from_concrete_functions(
                            [concrete], module), rep)
                    data = conv.convert()
                except Exception as e:  # noqa: BLE001 - recorded, not fatal
                    entry["generate_error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
                    manifest.append(entry)
                    continue
                with open(path, "wb") as f:
                    f.write(data)
            manifest.append(entry)


def keras_builders(tf):
    keras = tf.keras
    models = []
    for name, cls, size in cases.keras_models():
        def build(cls=cls, size=size):
            keras.utils.set_random_seed(7)
            kwargs = dict(weights=None, input_shape=(size, size, 3), classes=10)
            if cls.startswith("MobileNetV3"):
                kwargs["include_preprocessing"] = False
            return getattr(keras.applications, cls)(**kwargs)
        models.append((name, build, [((1, size, size, 3), -1, 1)]))

    def text_rnn(cell):
        def build():
            keras.utils.set_random_seed(7)
            inp = keras.Input((12,), batch_size=1, dtype="float32")
            x = keras.layers.Lambda(lambda t: tf.cast(t, tf.int32))(inp)
            x = keras.layers.Embedding(50, 16)(x)
            x = getattr(keras.layers, cell)(24)(x)
            out = keras.layers.Dense(3, activation="softmax")(x)
            return keras.Model(inp, out)
        return build
    models.append(("text_lstm", text_rnn("LSTM"), [((1, 12), 0, 49)]))
    models.append(("text_gru", text_rnn("GRU"), [((1, 12), 0, 49)]))

    def transformer():
        keras.utils.set_random_seed(7)
        inp = keras.Input((16, 32), batch_size=1)
        att = keras.layers.MultiHeadAttention(num_heads=4, key_dim=8)(inp, inp)
        x = keras.layers.LayerNormalization()(inp + att)
        ff = keras.layers.Dense(64, activation="gelu")(x)
        ff = keras.layers.Dense(32)(ff)
        x = keras.layers.LayerNormalization()(x + ff)
        out = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling1D()(x))
        return keras.Model(inp, out)
    models.append(("transformer_encoder", transformer, [((1, 16, 32), -2, 2)]))

    def conv1d_audio():
        keras.utils.set_random_seed(7)
        inp = keras.Input((49, 40), batch_size=1)
        x = keras.layers.Conv1D(32, 5, activation="relu")(inp)
        x = keras.layers.MaxPooling1D(2)(x)
        x = keras.layers.Conv1D(48, 3, padding="same", activation="relu")(x)
        x = keras.layers.GlobalAveragePooling1D()(x)
        out = keras.layers.Dense(4, activation="softmax")(x)
        return keras.Model(inp, out)
    models.append(("conv1d_audio", conv1d_audio, [((1, 49, 40), -1, 1)]))
    return models


def model_worker(tf, cache, name):
    """Converts one architecture in every mode (run in a child process: the
    TF converter can crash outright on some models, and a crash must cost
    only the mode that caused it). A `.crash` marker is left next to the
    output while converting, so the parent can tell which mode crashed."""
    build, inputs = next((b, i) for n, b, i in keras_builders(tf) if n == name)
    model = None
    rep = rep_samples(inputs, 4, 2)
    entries = []
    for mode in cases.ALL_MODES:
        full = f"{name}__{mode}"
        path = os.path.join(cache, "models", full + ".tflite")
        entry = {"name": full, "kind": "model", "op": name, "mode": mode,
                 "path": os.path.relpath(path, cache),
                 "ranges": [[lo, hi] for _, lo, hi in inputs]}
        failed = path + ".failed"
        if os.path.exists(failed):
            with open(failed) as f:
                entry["generate_error"] = f.read()
        elif not os.path.exists(path):
            marker = path + ".crash"
            open(marker, "w").close()
            try:
                if model is None:
                    model = build()
                conv = converter_for(
                    tf, mode, lambda: tf.lite.TFLiteConverter.from_keras_model(model), rep)
                data = conv.convert()
                with open(path, "wb") as f:
                    f.write(data)
            except Exception as e:  # noqa: BLE001
                with open(failed, "w") as f:
                    f.write(f"{type(e).__name__}: {str(e).splitlines()[0][:200]}")
                entry["generate_error"] = open(failed).read()
            os.remove(marker)
        entries.append(entry)
    with open(os.path.join(cache, "models", name + ".entries.json"), "w") as f:
        json.dump(entries, f)


def generate_models(tf, cache, only, manifest):
    import subprocess
    for name, _, _ in keras_builders(tf):
        if only and not re.search(only, name):
            continue
        for _attempt in range(len(cases.ALL_MODES) + 1):
            rc = subprocess.run([sys.executable, os.path.abspath(__file__),
                                 "--cache", cache, "--model-worker", name]).returncode
            if rc == 0:
                break
            for marker in glob.glob(os.path.join(cache, "models", f"{name}__*.crash")):
                with open(marker[:-len(".crash")] + ".failed", "w") as f:
                    f.write(f"TensorFlow's converter crashed (exit {rc})")
                os.remove(marker)
        entries_path = os.path.join(cache, "models", name + ".entries.json")
        if os.path.exists(entries_path):
            with open(entries_path) as f:
                manifest.extend(json.load(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cache", default=DEFAULT_CACHE)
    ap.add_argument("--only", default=None, help="regex over case names")
    ap.add_argument("--skip-models", action="store_true")
    ap.add_argument("--skip-ops", action="store_true")
    ap.add_argument("--model-worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    if args.model_worker:
        model_worker(tf, args.cache, args.model_worker)
        return
    os.makedirs(os.path.join(args.cache, "ops"), exist_ok=True)
    os.makedirs(os.path.join(args.cache, "models"), exist_ok=True)
    start = time.time()
    manifest = []
    if not args.skip_ops:
        generate_ops(tf, args.cache, args.only, manifest)
    if not args.skip_models:
        generate_models(tf, args.cache, args.only, manifest)
    with open(os.path.join(args.cache, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    failed = sum(1 for m in manifest if "generate_error" in m)
    print(f"generate: {len(manifest)} entries ({failed} not convertible) in "
          f"{time.time() - start:.0f} s -> {args.cache}")


if __name__ == "__main__":
    main()
