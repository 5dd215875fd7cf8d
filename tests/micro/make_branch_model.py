#!/usr/bin/env python3
"""Writes a small int8 model with two branches for the operator
reordering of `ember micro export --aot`: an input [1, 16, 16, 4], and
two branches from it, each a 1x1 CONV_2D to 32 channels (8 KiB) then a
1x1 CONV_2D to 2 channels (a model output). TensorFlow's converter
quantizes it (random weights); then the operators are stored in the
order with the higher peak: both wide convolutions first, so both 8 KiB
tensors are alive together, where finishing one branch before starting
the other needs only one (tests/micro/patch_test.sh).

  make_branch_model.py OUT.tflite
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import flatbuffers  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.lite.python import schema_py_generated as schema  # noqa: E402


def main():
    tf.random.set_seed(4)
    L = tf.keras.layers
    inp = L.Input((16, 16, 4), batch_size=1)
    outs = []
    for _ in range(2):
        wide = L.Conv2D(32, 1, activation="relu")(inp)
        outs.append(L.Conv2D(2, 1)(wide))
    model = tf.keras.Model(inp, outs)
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(8):
            yield [rng.uniform(-1, 1, (1, 16, 16, 4)).astype(np.float32)]

    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    m = schema.ModelT.InitFromObj(
        schema.Model.GetRootAsModel(conv.convert(), 0))
    sg = m.subgraphs[0]
    # The ops that read the graph input first, then the others, each group
    # in the converter's order: a topological order (each branch is two
    # ops deep) with both wide tensors alive at once.
    graph_in = set(int(t) for t in sg.inputs)
    first = [op for op in sg.operators if graph_in & set(int(t) for t in op.inputs)]
    rest = [op for op in sg.operators if op not in first]
    if len(first) != 2 or len(rest) != 2:
        sys.exit("make_branch_model.py: unexpected graph from the converter")
    sg.operators = first + rest
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b.Output())
    os.replace(tmp, sys.argv[1])


if __name__ == "__main__":
    main()
