#!/usr/bin/env python3
"""Builds the benchmark model set (BENCHMARKING.md): Keras MobileNet V1/V2/
V3-Large/V3-Small, EfficientNet-B0 and ResNet-50 at 224x224, weights from a
fixed seed, each converted by TensorFlow's converter to fp32 and full int8;
plus the extended set of extended_models.py (RegNet-style grouped convs,
ConvNeXt-style, a small ViT, a U-Net, MobileNetV3-Small minimalistic and
hard-swish), fp32 + full int8 (+ dynamic range where it says). Files are
written atomically and kept: a model already in --out is not rebuilt.

  make_models.py [--out DIR] [--only REGEX]
"""
import argparse
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

ARCHS = [("mobilenet_v1", "MobileNet"), ("mobilenet_v2", "MobileNetV2"),
         ("mobilenet_v3_large", "MobileNetV3Large"),
         ("mobilenet_v3_small", "MobileNetV3Small"),
         ("efficientnet_b0", "EfficientNetB0"), ("resnet50", "ResNet50")]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(here, "cache"))
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    sys.path.insert(0, here)
    import tensorflow as tf
    os.makedirs(args.out, exist_ok=True)
    for name, cls in ARCHS:
        if args.only and not re.search(args.only, name):
            continue
        paths = {m: os.path.join(args.out, f"{name}_{m}.tflite") for m in ("fp32", "int8")}
        if all(os.path.exists(p) for p in paths.values()):
            continue
        tf.keras.utils.set_random_seed(7)
        kwargs = dict(weights=None, input_shape=(224, 224, 3))
        if cls.startswith("MobileNetV3"):
            kwargs["include_preprocessing"] = False
        model = getattr(tf.keras.applications, cls)(**kwargs)
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        with open(paths["fp32"], "wb") as f:
            f.write(conv.convert())
        rng = np.random.default_rng(0)

        def rep():
            for _ in range(4):
                yield [rng.uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)]
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
        with open(paths["int8"], "wb") as f:
            f.write(conv.convert())
        print(f"made {name} fp32 + int8")
    # Reduced-precision weight variants (issue: they must run at fp32 speed):
    # fp16 weights behind DEQUANTIZE, and dynamic-range int8 weights.
    for name, cls in ARCHS[1:2]:
        if args.only and not re.search(args.only, name):
            continue
        paths = {m: os.path.join(args.out, f"{name}_{m}.tflite")
                 for m in ("fp16w", "dynamic")}
        if all(os.path.exists(p) for p in paths.values()):
            continue
        tf.keras.utils.set_random_seed(7)
        model = getattr(tf.keras.applications, cls)(
            weights=None, input_shape=(224, 224, 3))
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.target_spec.supported_types = [tf.float16]
        with open(paths["fp16w"], "wb") as f:
            f.write(conv.convert())
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        with open(paths["dynamic"], "wb") as f:
            f.write(conv.convert())
        print(f"made {name} fp16-weight + dynamic-range")
    make_extended(tf, args)


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def make_extended(tf, args):
    import extended_models
    for name, build in extended_models.BUILDERS:
        if args.only and not re.search(args.only, name):
            continue
        modes = ["fp32", "int8"] + (["dynamic"] if name in extended_models.DYNAMIC else [])
        paths = {m: os.path.join(args.out, f"{name}_{m}.tflite") for m in modes}
        if all(os.path.exists(p) for p in paths.values()):
            continue
        tf.keras.utils.set_random_seed(7)
        model, shape = build()
        rng = np.random.default_rng(0)

        def rep():
            for _ in range(4):
                yield [rng.uniform(-1, 1, (1,) + shape).astype(np.float32)]
        for mode, path in paths.items():
            conv = tf.lite.TFLiteConverter.from_keras_model(model)
            if mode != "fp32":
                conv.optimizations = [tf.lite.Optimize.DEFAULT]
            if mode == "int8":
                conv.representative_dataset = rep
                conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
                conv.inference_input_type = tf.int8
                conv.inference_output_type = tf.int8
            try:
                write_atomic(path, conv.convert())
            except Exception as e:  # a converter limit: say so, keep going
                print(f"make_models: {name} {mode} not converted: {str(e)[:300]}")
        print(f"made {name} " + " + ".join(modes))


if __name__ == "__main__":
    main()
