#!/usr/bin/env python3
"""Builds the U-Net benchmark models of issue 11 (Keras: two 3x3 convs per
level, stride-2 conv downsampling, Conv2DTranspose 3x3 stride 2 upsampling,
concatenated skip connections), weights from a fixed seed, converted by
TensorFlow's converter to fp32, full int8 and dynamic range (hybrid).

  models_unet.py [--out DIR] [--size PX]

Writes unet<PX>_{fp32,int8,dynamic}.tflite to DIR (default bench/cache).
"""
import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402


def build(tf, size):
    layers = tf.keras.layers

    def block(x, f):
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
        return layers.Conv2D(f, 3, padding="same", activation="relu")(x)

    inp = tf.keras.Input((size, size, 3), batch_size=1)
    skips, x = [], inp
    for f in (16, 32, 64):
        x = block(x, f)
        skips.append(x)
        x = layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")(x)
    x = block(x, 128)
    for f, skip in zip((64, 32, 16), reversed(skips)):
        x = layers.Conv2DTranspose(f, 3, strides=2, padding="same",
                                   activation="relu")(x)
        x = layers.Concatenate()([x, skip])
        x = block(x, f)
    out = layers.Conv2D(2, 1)(x)
    return tf.keras.Model(inp, out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(here, "cache"))
    ap.add_argument("--size", type=int, default=128)
    args = ap.parse_args()
    import tensorflow as tf
    os.makedirs(args.out, exist_ok=True)
    tf.keras.utils.set_random_seed(7)
    model = build(tf, args.size)
    rng = np.random.default_rng(0)

    def rep():
        for _ in range(4):
            yield [rng.uniform(-1, 1, (1, args.size, args.size, 3)).astype(np.float32)]

    for mode in ("fp32", "int8", "dynamic"):
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        if mode != "fp32":
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
        if mode == "int8":
            conv.representative_dataset = rep
            conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            conv.inference_input_type = tf.int8
            conv.inference_output_type = tf.int8
        path = os.path.join(args.out, f"unet{args.size}_{mode}.tflite")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(conv.convert())
        os.replace(tmp, path)
        print(f"made {path}")


if __name__ == "__main__":
    main()
