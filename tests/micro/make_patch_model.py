#!/usr/bin/env python3
"""Writes a small int8 model whose leading layers patch-based execution
(`ember micro export --aot`) runs in bands of rows: a 64x64x3 input, a 3x3
CONV_2D with stride 2 and SAME padding, a 3x3 DEPTHWISE_CONV_2D (SAME), a
1x1 CONV_2D, a 3x3 DEPTHWISE_CONV_2D with stride 2 (SAME), a 1x1 CONV_2D,
all dilation 1, quantized to int8 by TensorFlow's converter with random
weights. The output is the last convolution's feature map (16x16x8), so
every element of the banded computation is compared
(tests/micro/patch_test.sh).

  make_patch_model.py OUT.tflite
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    tf.random.set_seed(12)
    L = tf.keras.layers
    x = inp = L.Input((64, 64, 3), batch_size=1)
    x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = L.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    x = L.Conv2D(16, 1, activation="relu")(x)
    x = L.DepthwiseConv2D(3, strides=2, padding="same", activation="relu")(x)
    x = L.Conv2D(8, 1)(x)
    model = tf.keras.Model(inp, x)
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(8):
            yield [rng.uniform(-1, 1, (1, 64, 64, 3)).astype(np.float32)]

    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    data = conv.convert()
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, sys.argv[1])


if __name__ == "__main__":
    main()
