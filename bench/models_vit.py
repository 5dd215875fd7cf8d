#!/usr/bin/env python3
"""Builds the small ViT of issue 11 (patch-embedding conv, encoder blocks of
LayerNormalization -> MultiHeadAttention -> residual -> LayerNormalization ->
Dense+GELU -> Dense -> residual), weights from a fixed seed, converted by
TensorFlow's converter to fp32 and (when the converter manages it) full int8.

  models_vit.py [--out DIR] [--blocks N] [--dim D] [--heads H] [--size S]
"""
import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402


def build(tf, size, patch, dim, heads, blocks, mlp):
    layers = tf.keras.layers
    inp = tf.keras.Input((size, size, 3))
    x = layers.Conv2D(dim, patch, strides=patch)(inp)
    tokens = (size // patch) ** 2
    x = layers.Reshape((tokens, dim))(x)
    for _ in range(blocks):
        h = layers.LayerNormalization(epsilon=1e-6)(x)
        h = layers.MultiHeadAttention(heads, dim // heads)(h, h)
        x = layers.Add()([x, h])
        h = layers.LayerNormalization(epsilon=1e-6)(x)
        h = layers.Dense(mlp, activation="gelu")(h)
        h = layers.Dense(dim)(h)
        x = layers.Add()([x, h])
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    x = layers.GlobalAveragePooling1D()(x)
    out = layers.Dense(10)(x)
    return tf.keras.Model(inp, out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(here, "cache"))
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--patch", type=int, default=4)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--mlp", type=int, default=128)
    ap.add_argument("--name", default="vit_tiny")
    args = ap.parse_args()
    import tensorflow as tf
    os.makedirs(args.out, exist_ok=True)
    tf.keras.utils.set_random_seed(7)
    model = build(tf, args.size, args.patch, args.dim, args.heads, args.blocks,
                  args.mlp)
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    path = os.path.join(args.out, f"{args.name}_fp32.tflite")
    with open(path + ".tmp", "wb") as f:
        f.write(conv.convert())
    os.replace(path + ".tmp", path)
    print("made", path)
    rng = np.random.default_rng(0)

    def rep():
        for _ in range(8):
            yield [rng.uniform(-1, 1, (1, args.size, args.size, 3)).astype(np.float32)]
    try:
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
        path = os.path.join(args.out, f"{args.name}_int8.tflite")
        with open(path + ".tmp", "wb") as f:
            f.write(conv.convert())
        os.replace(path + ".tmp", path)
        print("made", path)
    except Exception as e:  # the converter may refuse some ops in int8
        print("int8 conversion failed:", str(e).splitlines()[0])


if __name__ == "__main__":
    main()
