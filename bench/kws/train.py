#!/usr/bin/env python3
"""Trains a small keyword-spotting CNN on bench/kws/cache/dataset.npz and
exports it with TensorFlow's converter (bench tooling only):

  cache/kws_float.tflite    float model (input "features" 1x49x40x1 log-mel,
                            output softmax over the 12 labels)
  cache/kws_tf_int8.tflite  TF converter full-int8 (int8 input and output),
                            calibrated on the calibration clips below
  cache/kws_calib.npz       those calibration clips (arr_0: 100x49x40x1
                            float32, random training clips) for
                            `ember quantize --calibration`

The model is a depthwise-separable CNN (DS-CNN): a strided 2-D conv, three
depthwise + pointwise blocks with batch norm, global average pooling, a dense
layer and softmax. Training is short (fixed epochs, seeded) so the whole
bench stays within a few minutes on two cores.

  train.py [--cache DIR] [--epochs N] [--seed N] [--calib N]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def build_model(tf, n_labels, width):
    layers = tf.keras.layers
    inp = tf.keras.Input((49, 40, 1), name="features")
    x = layers.Conv2D(width, (5, 3), strides=2, padding="same", use_bias=False)(inp)
    # Momentum 0.9: with a few hundred steps the default 0.99 leaves the
    # moving statistics far from the data and the exported model guesses.
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    # The first block strides again (25x20 -> 13x10): 4x less compute for
    # the rest, which keeps training within a minute or two on two cores.
    for stride in (2, 1, 1):
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.Conv2D(width, 1, use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(n_labels)(x)
    out = layers.Softmax(name="probabilities")(x)
    return tf.keras.Model(inp, out, name="kws_dscnn")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--calib", type=int, default=100, help="calibration clips")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(args.seed)

    with np.load(os.path.join(args.cache, "dataset.npz")) as d:
        x_train, y_train = d["x_train"], d["y_train"]
        x_val, y_val = d["x_val"], d["y_val"]
        labels = list(d["labels"])

    model = build_model(tf, len(labels), args.width)
    batch = 64
    steps = args.epochs * (-(-len(x_train) // batch))
    lr = tf.keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.02)
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"train: {model.count_params()} parameters, {len(x_train)} training clips, "
          f"{args.epochs} epochs")
    t0 = time.time()
    model.fit(x_train, y_train, batch_size=batch, epochs=args.epochs,
              validation_data=(x_val, y_val), verbose=2)
    print(f"train: {time.time() - t0:.1f} s")

    float_model = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    with open(os.path.join(args.cache, "kws_float.tflite"), "wb") as f:
        f.write(float_model)

    # The same calibration clips feed TF's converter and `ember quantize`.
    rng = np.random.RandomState(args.seed)
    calib = x_train[rng.choice(len(x_train), args.calib, replace=False)]
    np.savez(os.path.join(args.cache, "kws_calib.npz"), arr_0=calib)

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([c[None]] for c in calib)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    with open(os.path.join(args.cache, "kws_tf_int8.tflite"), "wb") as f:
        f.write(conv.convert())
    print(f"train: wrote kws_float.tflite, kws_tf_int8.tflite, kws_calib.npz to {args.cache}")


if __name__ == "__main__":
    main()
