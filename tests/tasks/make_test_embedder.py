#!/usr/bin/env python3
"""Writes a small float image embedder (96x96x3 -> two strided 3x3 convs ->
global average pool: a 32-value feature vector, random weights, seed fixed)
for the manual MediaPipe comparison of ImageEmbedder
(tests/tasks/compare_with_mediapipe.py --embedder). Needs TensorFlow (the
test tooling's).

  python3 tests/tasks/make_test_embedder.py OUT.tflite
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_test_embedder.py OUT.tflite")
    tf.keras.utils.set_random_seed(3)
    image = tf.keras.Input((96, 96, 3), batch_size=1, name="image")
    x = tf.keras.layers.Conv2D(16, 3, strides=2, activation="relu")(image)
    x = tf.keras.layers.Conv2D(32, 3, strides=2, activation="relu")(x)
    x = tf.keras.layers.GlobalAveragePooling2D(name="feature")(x)
    model = tf.keras.Model(image, x)
    tflite = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    with open(sys.argv[1], "wb") as f:
        f.write(tflite)


if __name__ == "__main__":
    main()
