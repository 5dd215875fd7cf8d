#!/usr/bin/env python3
"""Regenerates tests/metadata/data/official_image_classifier.tflite: a tiny
image classifier whose metadata and packed label/calibration files are
written by the official TFLite Support writer, the independent oracle that
Ember's metadata reader is tested against (metadata_test.cc).

tflite-support 0.4.4 pins protobuf<4 and so cannot share the project's test
environment; it is not in requirements-dev.txt. Run this in its own venv:

  python3 -m venv --system-site-packages /tmp/tfls
  /tmp/tfls/bin/pip install --no-deps tflite-support==0.4.4
  apt-get install libusb-1.0-0        # its pybind module links it
  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python \
      /tmp/tfls/bin/python tests/metadata/make_official_fixture.py
"""
import os
import tempfile

import numpy as np
import tensorflow as tf
from tensorflow_lite_support.metadata.python.metadata_writers import (
    image_classifier, metadata_info, writer_utils)
from tensorflow_lite_support.metadata import metadata_schema_py_generated as md

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "official_image_classifier.tflite")


def tiny_classifier():
    tf.random.set_seed(3)
    inputs = tf.keras.Input((8, 8, 3), batch_size=1)
    x = tf.keras.layers.Flatten()(inputs)
    x = tf.keras.layers.Dense(3, activation="softmax")(x)
    model = tf.keras.Model(inputs, x)
    return tf.lite.TFLiteConverter.from_keras_model(model).convert()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        labels = os.path.join(tmp, "labels.txt")
        with open(labels, "w") as f:
            f.write("cat\ndog\nbird\n")
        calibration = os.path.join(tmp, "calibration.txt")
        with open(calibration, "w") as f:
            f.write("1.0,2.0,0.5\n1.5,1.0,0.0,0.1\n\n")
        writer = image_classifier.MetadataWriter.create_for_inference(
            tiny_classifier(), [127.5], [127.5], [labels],
            metadata_info.ScoreCalibrationMd(
                md.ScoreTransformationType.LOG, 0.2, calibration))
        writer_utils.save_file(writer.populate(), OUT)
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
