#!/usr/bin/env python3
"""Generates the whole-model set of the gpu delegate tests that are not in
the shared MediaPipe folder: MobileNet V1, V2, V3 Small, V3 Large and
EfficientNet-B0 from keras.applications (weights=None: random weights from
a fixed seed, so nothing is downloaded), converted to float32 .tflite by
TensorFlow's converter (test tooling only; the CI venv has TensorFlow).

The converter writes batch -1 into every shape signature of a Keras model:
these models are the delegate host's check that such models are delegated
at their current shapes.

The models end in logits (classifier_activation=None): a softmax over
1000 random-weight classes is about 0.001 everywhere, which would hide a
wrong delegate output under the harness's max(1, |cpu|) tolerance.

Each BatchNormalization is calibrated on a random batch (see
calibrate_batch_norms), so activations and logits stay of order 1.

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
            input_shape=(s, s, 3), weights=None, alpha=1.0,
            classifier_activation=None),
        "mobilenet_v2": lambda s: apps.MobileNetV2(
            input_shape=(s, s, 3), weights=None, alpha=1.0,
            classifier_activation=None),
        # include_preprocessing=False: the Rescaling layer is a plain
        # MUL/ADD pair anyway; leaving it out keeps the graph what a
        # deployed model usually holds.
        "mobilenet_v3_small": lambda s: apps.MobileNetV3Small(
            input_shape=(s, s, 3), weights=None,
            include_preprocessing=False, classifier_activation=None),
        "mobilenet_v3_large": lambda s: apps.MobileNetV3Large(
            input_shape=(s, s, 3), weights=None,
            include_preprocessing=False, classifier_activation=None),
        "efficientnet_b0": lambda s: apps.EfficientNetB0(
            input_shape=(s, s, 3), weights=None,
            classifier_activation=None),
    }


def calibrate_batch_norms(model, size):
    """Sets every BatchNormalization's moving mean and variance to the
    statistics of its input on a random batch, layer after layer, so each
    normalizes its input as a trained network's would. With the initial
    statistics (0 and 1) the random-weight activations shrink layer by
    layer, to logits of 1e-20, which float16 cannot even represent."""
    import keras
    import numpy as np
    x = np.random.RandomState(SEED).uniform(
        -1.0, 1.0, (4, size, size, 3)).astype("float32")
    for layer in model.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        a = keras.Model(model.inputs, layer.input)(x, training=False)
        a = np.asarray(a, dtype=np.float64)
        axes = tuple(range(a.ndim - 1))
        gamma, beta, _, _ = layer.get_weights()
        layer.set_weights([gamma, beta, a.mean(axis=axes).astype("float32"),
                           a.var(axis=axes).astype("float32") + 1e-3])


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
        model = build(args.size)
        calibrate_batch_norms(model, args.size)
        data = convert(model)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print(f"{path}: {len(data) / 1e6:.1f} MB in {time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
