#!/usr/bin/env python3
"""Writes a tiny int8 model with one ADD (two [1, 4] inputs) with
TensorFlow's converter: an op the micro runtime runs but `ember micro
export --aot` does not compile yet (tests/micro/aot_test.sh checks the
error names it).

  make_add_model.py OUT.tflite
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    spec = [tf.TensorSpec([1, 4], tf.float32)] * 2

    @tf.function(input_signature=spec)
    def add(a, b):
        return a + b

    conv = tf.lite.TFLiteConverter.from_concrete_functions(
        [add.get_concrete_function()], add)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(8):
            yield [rng.uniform(-1, 1, (1, 4)).astype(np.float32)
                   for _ in range(2)]

    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    with open(sys.argv[1], "wb") as f:
        f.write(conv.convert())


if __name__ == "__main__":
    main()
