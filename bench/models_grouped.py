#!/usr/bin/env python3
"""Builds the RegNet-style grouped-convolution benchmark model (issue 11):
a stem, then stages of 1x1 -> grouped 3x3 (stride 2 in a stage's first
block, else 1) -> 1x1 with a residual, group widths 8/16/24/48, 112x112
input, weights from a fixed seed. TensorFlow's converter makes the fp32,
full-int8 and dynamic-range variants.

  models_grouped.py [--out DIR] [--size PX]
"""
import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

# (channels, group width, blocks) per stage.
STAGES = [(48, 8, 1), (96, 16, 2), (192, 24, 3), (384, 48, 2)]


def build(tf, size):
    L = tf.keras.layers
    x = inp = L.Input((size, size, 3))
    x = L.Conv2D(24, 3, strides=2, padding="same", activation="relu")(x)
    for channels, width, blocks in STAGES:
        for i in range(blocks):
            stride = 2 if i == 0 else 1
            y = L.Conv2D(channels, 1, activation="relu")(x)
            y = L.Conv2D(channels, 3, strides=stride, padding="same",
                         groups=channels // width, activation="relu")(y)
            y = L.Conv2D(channels, 1)(y)
            if stride != 1 or x.shape[-1] != channels:
                x = L.Conv2D(channels, 1, strides=stride)(x)
            x = L.ReLU()(L.Add()([x, y]))
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dense(10)(x)
    return tf.keras.Model(inp, x)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(here, "cache"))
    ap.add_argument("--size", type=int, default=112)
    args = ap.parse_args()
    import tensorflow as tf
    os.makedirs(args.out, exist_ok=True)
    tf.keras.utils.set_random_seed(7)
    model = build(tf, args.size)
    rng = np.random.default_rng(0)

    def rep():
        for _ in range(8):
            yield [rng.uniform(-1, 1, (1, args.size, args.size, 3)).astype(np.float32)]

    variants = {}
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    variants["fp32"] = conv.convert()
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    variants["int8"] = conv.convert()
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    variants["dynamic"] = conv.convert()
    for name, data in variants.items():
        path = os.path.join(args.out, f"regnet_grouped_{name}.tflite")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print(f"made {path} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
