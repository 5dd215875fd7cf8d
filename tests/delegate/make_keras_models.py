#!/usr/bin/env python3
"""Generates the whole-model set of the gpu delegate tests that are not in
the shared MediaPipe folder: MobileNet V1, V2, V3 Small, V3 Large and
EfficientNet-B0 from keras.applications (weights=None: random weights from
a fixed seed, so nothing is downloaded), converted to float32 .tflite by
TensorFlow's converter (test tooling only; the CI venv has TensorFlow).

The converter writes batch -1 into every shape signature of a Keras model:
these models are the delegate host's check that such models are delegated
at their current shapes.

The input size (96x96 by default) keeps lavapipe, a CPU rasterizer, quick.
Existing files are kept (delete the folder to regenerate); each file is
written to a temporary name and renamed.

usage: tests/delegate/make_keras_models.py OUT_DIR [--size 96] [--only NAME]
"""
import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

SEED = 1313


def builders():
    import keras
    apps = keras.applications
    return {
        "mobilenet_v1": lambda s: apps.MobileNet(
            input_shape=(s, s, 3), weights=None, alpha=1.0),
        "mobilenet_v2": lambda s: apps.MobileNetV2(
            input_shape=(s, s, 3), weights=None, alpha=1.0),
        # include_preprocessing=False: the Rescaling layer is a plain
        # MUL/ADD pair anyway; leaving it out keeps the graph what a
        # deployed model usually holds.
        "mobilenet_v3_small": lambda s: apps.MobileNetV3Small(
            input_shape=(s, s, 3), weights=None,
            include_preprocessing=False),
        "mobilenet_v3_large": lambda s: apps.MobileNetV3Large(
            input_shape=(s, s, 3), weights=None,
            include_preprocessing=False),
        "efficientnet_b0": lambda s: apps.EfficientNetB0(
            input_shape=(s, s, 3), weights=None),
    }


def convert(model):
    import tensorflow as tf
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    return converter.convert()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    import keras
    os.makedirs(args.out, exist_ok=True)
    for name, build in builders().items():
        if args.only and name not in args.only:
            continue
        path = os.path.join(args.out, f"{name}_{args.size}.tflite")
        if os.path.exists(path):
            print(f"{path}: exists, kept")
            continue
        start = time.time()
        keras.utils.set_random_seed(SEED)
        data = convert(build(args.size))
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print(f"{path}: {len(data) / 1e6:.1f} MB in {time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
