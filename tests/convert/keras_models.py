"""Small seeded Keras models for the converter tests (test tooling only).

Each builder returns a keras.Model. `save_cases(outdir, names)` saves every
model as .keras (and, for some, .h5), one random input per model input and
Keras' own predictions, plus manifest.json, so the C++ tests compare
Ember and LiteRT on the converted model against model.predict.
"""
import json
import zlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402


def _k():
    import keras
    return keras


def conv_bn_relu():
    k = _k()
    L = k.layers
    i = k.Input((12, 12, 3), name="image")
    x = L.Conv2D(8, 3, padding="same", use_bias=False, name="conv")(i)
    x = L.BatchNormalization(name="bn")(x)
    x = L.ReLU(name="relu")(x)
    x = L.DepthwiseConv2D(3, strides=2, padding="same", name="dw")(x)
    x = L.BatchNormalization(name="bn2")(x)
    x = L.ReLU(max_value=6.0, name="relu6")(x)
    y = L.Conv2D(8, 1, activation="relu6", name="pw")(x)
    x = L.Add(name="add")([x, y])
    x = L.MaxPooling2D(2, name="pool")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.Dropout(0.5)(x)
    o = L.Dense(5, activation="softmax", name="probs")(x)
    return k.Model(i, o, name="conv_bn_relu")


def sequential_mlp():
    k = _k()
    L = k.layers
    return k.Sequential([
        k.Input((10,), name="features"),
        L.Dense(16, activation="tanh"),
        L.BatchNormalization(),
        L.Dense(8, activation="sigmoid"),
        L.Dense(3, activation="swish"),
    ], name="sequential_mlp")


def activations():
    k = _k()
    L = k.layers
    i = k.Input((4, 4, 6), name="x")
    outs = []
    for act in ["relu", "relu6", "sigmoid", "tanh", "swish", "silu", "hard_swish",
                "hard_sigmoid", "gelu", "elu", "softmax", "leaky_relu", "linear"]:
        outs.append(L.Activation(act, name="act_" + act)(i))
    outs.append(L.LeakyReLU(negative_slope=0.1, name="leaky")(i))
    outs.append(L.PReLU(name="prelu")(i))
    outs.append(L.ELU(name="elu_layer")(i))
    outs.append(L.ReLU(max_value=2.5, name="relu_max")(i))
    outs.append(L.Softmax(name="softmax_layer")(i))
    ops = k.ops
    outs.append(ops.gelu(i, approximate=True))
    outs.append(ops.hard_silu(ops.relu(i) - 0.5))
    outs.append(ops.sigmoid(ops.tanh(i)))
    o = L.Concatenate(name="concat")(outs)
    o = L.Conv2D(6, 1, groups=3, name="grouped")(o)
    o = L.Dense(4, activation="gelu", name="head")(o)
    return k.Model(i, o, name="activations")


def merges_reshapes():
    k = _k()
    L = k.layers
    a = k.Input((6, 4, 2), name="a")
    b = k.Input((6, 4, 2), name="b")
    s = L.Subtract()([a, b])
    m = L.Multiply()([a, b])
    av = L.Average()([a, b, s])
    mx = L.Maximum()([a, m])
    mn = L.Minimum()([b, m])
    x = L.Concatenate(axis=-1)([s, m, av, mx, mn])
    x = L.ZeroPadding2D(((1, 0), (2, 1)))(x)
    x = L.Cropping2D(((0, 1), (1, 1)))(x)
    x = L.UpSampling2D(2)(x)
    x = L.AveragePooling2D(2, padding="same")(x)
    p = L.Permute((2, 1, 3))(x)
    r = L.Reshape((-1, 10))(p)
    f = L.Flatten()(r)
    o = L.Dense(7)(f)
    u = L.UpSampling2D(2, interpolation="bilinear", name="up_bilinear")(a)
    u = L.GlobalMaxPooling2D(keepdims=True, name="up_bilinear_global")(u)
    return k.Model([a, b], [o, u], name="merges_reshapes")


def conv1d_seq():
    k = _k()
    L = k.layers
    i = k.Input((20, 3), name="signal")
    x = L.Rescaling(0.5, offset=0.1)(i)
    x = L.Conv1D(6, 3, padding="causal", dilation_rate=2, activation="relu")(x)
    x = L.Conv1D(6, 3, strides=2, padding="same")(x)
    x = L.MaxPooling1D(2)(x)
    x = L.AveragePooling1D(2, strides=1)(x)
    x = L.ZeroPadding1D(1)(x)
    x = L.LayerNormalization()(x)
    x = L.GlobalAveragePooling1D()(x)
    return k.Model(i, x, name="conv1d_seq")


def separable_transpose():
    k = _k()
    L = k.layers
    i = k.Input((8, 8, 4), name="image")
    x = L.Normalization(mean=[0.1, 0.2, 0.3, 0.4], variance=[1.0, 2.0, 0.5, 4.0])(i)
    x = L.SeparableConv2D(6, 3, padding="same", activation="relu")(x)
    x = L.Conv2DTranspose(5, 3, strides=2, padding="same")(x)
    x = L.Conv2DTranspose(3, 2, strides=2, padding="valid", activation="tanh")(x)
    x = L.Conv2D(4, 3, dilation_rate=2)(x)
    x = L.GlobalMaxPooling2D()(x)
    return k.Model(i, x, name="separable_transpose")


def nested():
    k = _k()
    L = k.layers
    inner = k.Sequential([k.Input((6,)), L.Dense(6, activation="relu"), L.Dense(4)],
                         name="inner")
    i = k.Input((6,), name="x")
    o = L.Add()([inner(i), L.Dense(4)(i)])
    o = (o + 3.0) / 2.0 * 0.5 - 1.0  # keras.src.ops layers with constants
    return k.Model(i, o, name="nested")


def recurrent():
    k = _k()
    L = k.layers
    i = k.Input((7, 5), name="seq")
    x = L.LSTM(6, return_sequences=True)(i)
    x = L.GRU(4, return_sequences=True)(x)
    y = L.LSTM(3)(x)
    z = L.GRU(3, go_backwards=True)(x)
    w = L.Bidirectional(L.LSTM(3, return_sequences=True))(x)
    w = L.TimeDistributed(L.Dense(2))(w)
    w = L.Bidirectional(L.GRU(2), merge_mode="sum")(w)
    return k.Model(i, L.Concatenate()([y, z, w]), name="recurrent")


def attention():
    k = _k()
    L = k.layers
    i = k.Input((5, 8), name="tokens")
    a = L.MultiHeadAttention(num_heads=2, key_dim=4)(i, i)
    x = L.LayerNormalization()(L.Add()([i, a]))
    x = L.Dense(8, activation="gelu")(x)
    return k.Model(i, x, name="attention")


def embedding():
    k = _k()
    L = k.layers
    i = k.Input((6,), dtype="int32", name="ids")
    x = L.Embedding(20, 4)(i)
    x = L.GlobalAveragePooling1D()(x)
    return k.Model(i, L.Dense(2)(x), name="embedding")


DEFAULT = {
    "conv_bn_relu": conv_bn_relu, "sequential_mlp": sequential_mlp,
    "activations": activations, "merges_reshapes": merges_reshapes,
    "conv1d_seq": conv1d_seq, "separable_transpose": separable_transpose,
    "nested": nested, "recurrent": recurrent, "attention": attention,
    "embedding": embedding,
}
H5_TOO = {"conv_bn_relu", "sequential_mlp", "nested", "recurrent"}


def randomize_bn(model, rng):
    """Non-trivial BatchNormalization statistics (fresh ones are 0/1)."""
    for layer in model._flatten_layers(include_self=False):
        if type(layer).__name__ == "BatchNormalization":
            ws = layer.get_weights()
            ws = [rng.uniform(0.5, 1.5, w.shape).astype(np.float32) if n in (0, 3)
                  else rng.uniform(-0.5, 0.5, w.shape).astype(np.float32)
                  for n, w in enumerate(ws)]
            layer.set_weights(ws)


def make_input(model_input, rng):
    shape = [1] + [d for d in model_input.shape[1:]]
    if "int" in str(model_input.dtype):
        return rng.integers(0, 20, shape).astype(np.int32)
    return rng.uniform(-1, 1, shape).astype(np.float32)


def save_cases(outdir, builders, h5_too=()):
    keras = _k()
    keras.utils.set_random_seed(7)
    os.makedirs(outdir, exist_ok=True)
    manifest = []
    for name, build in builders.items():
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        model = build()
        randomize_bn(model, rng)
        inputs = [make_input(t, rng) for t in model.inputs]
        outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        files = [name + ".keras"]
        model.save(os.path.join(outdir, name + ".keras"))
        if name in h5_too:
            model.save(os.path.join(outdir, name + ".h5"))
            files.append(name + ".h5")
        for n, x in enumerate(inputs):
            np.save(os.path.join(outdir, f"{name}.in{n}.npy"), x)
        for n, y in enumerate(outputs):
            np.save(os.path.join(outdir, f"{name}.out{n}.npy"), np.asarray(y, np.float32))
        manifest.append({"name": name, "files": files, "inputs": len(inputs),
                         "outputs": len(outputs)})
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def save_error_cases(outdir):
    """A model with a custom layer, for the unsupported-layer error."""
    keras = _k()

    @keras.saving.register_keras_serializable(package="ember_test")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2.0

    @keras.saving.register_keras_serializable(package="ember_test")
    class Halver(keras.layers.Layer):
        def call(self, x):
            return x * 0.5

    i = keras.Input((4,), name="x")
    x = keras.layers.Dense(4)(i)
    x = Doubler(name="double_it")(x)
    x = keras.layers.Dense(4)(x)
    x = Halver(name="halve_it")(x)
    keras.Model(i, x).save(os.path.join(outdir, "custom_layer.keras"))


if __name__ == "__main__":
    out = sys.argv[1]
    save_cases(out, DEFAULT, H5_TOO)
    save_error_cases(out)
