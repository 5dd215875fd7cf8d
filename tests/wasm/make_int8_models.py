#!/usr/bin/env python3
"""Writes small int8 models of awkward shapes for the WebAssembly SIMD128
int8 kernels (tests/wasm/run.sh compares them bit-exact with the native
CLI and the WebAssembly reference kernels): channel counts that leave
partial 4-channel blocks and 8-column panels, depths that are not a multiple
of 4 (or 16), 1x1 / 3x3 / 5x5 / 2x2 and grouped convolutions, depthwise ones
with strides, dilation and both paddings, batches above one,
FULLY_CONNECTED with batch rows, per-tensor quantization (one right shift
for all channels) next to per-channel, a MobileNet-style block, int8 ADD /
SUB / MUL with same-shape, scalar and per-channel operands, max and average
pools, and attention-style BATCH_MATMULs of two activations. Also two
dynamic-range (hybrid) models, which use the same int8 tiles with a float
epilogue. Converted with TensorFlow's converter (test tooling).

  make_int8_models.py OUT_DIR

OUT_DIR gets the .tflite files and a manifest.json in the format of the
conformance cache (name, path, ranges), so compare_native.mjs --manifest
reads it. Files already present are kept.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402


def weights(seed, *shape):
    return (np.random.default_rng(seed).standard_normal(shape) * 0.5).astype(
        np.float32)


def cases(tf):
    """(name, input shape, build() -> fn, mode, per_tensor)."""
    out = []

    def conv(name, shape, k, cout, stride=1, pad="SAME", dil=1, act=None,
             mode="int8", per_tensor=False, cin=None):
        cin = cin or shape[-1]  # fewer than the input's: grouped
        seed = len(out)

        def build():
            w = tf.constant(weights(seed, k, k, cin, cout))
            b = tf.constant(weights(seed + 500, cout))

            def f(x):
                y = tf.nn.conv2d(x, w, stride, pad, dilations=dil) + b
                return act(y) if act else y
            return f
        out.append((name, shape, build, mode, per_tensor))

    def dw(name, shape, k, stride=1, pad="SAME", dil=1, kw=None):
        c = shape[-1]
        seed = len(out)

        def build():
            w = tf.constant(weights(seed, k, kw or k, c, 1))
            b = tf.constant(weights(seed + 500, c))
            return lambda x: tf.nn.relu6(tf.nn.depthwise_conv2d(
                x, w, (1, stride, stride, 1), pad, dilations=(dil, dil)) + b)
        out.append((name, shape, build, "int8", False))

    def fc(name, batch, k, units, mode="int8", per_tensor=False):
        seed = len(out)

        def build():
            w = tf.constant(weights(seed, k, units))
            b = tf.constant(weights(seed + 500, units))
            return lambda x: tf.nn.relu(tf.matmul(x, w) + b)
        out.append((name, (batch, k), build, mode, per_tensor))

    conv("conv1x1_c3_o5", (1, 7, 5, 3), 1, 5)
    conv("conv1x1_c19_o13", (1, 6, 9, 19), 1, 13, act=tf.nn.relu)
    conv("conv1x1_c64_o40_b2", (2, 5, 5, 64), 1, 40, act=tf.nn.relu6)
    conv("conv3x3_c7_o17_same", (1, 9, 11, 7), 3, 17, act=tf.nn.relu6)
    conv("conv3x3_c33_o9_s2_valid", (1, 13, 10, 33), 3, 9, stride=2,
         pad="VALID")
    conv("conv3x3_c64_o24_d2", (1, 12, 12, 64), 3, 24, dil=2)
    conv("conv5x5_c5_o3", (1, 10, 9, 5), 5, 3)
    conv("conv2x2_c10_o16_s2", (1, 8, 8, 10), 2, 16, stride=2, pad="VALID")
    conv("conv3x3_c3_o8_s2_stem", (1, 17, 17, 3), 3, 8, stride=2,
         act=tf.nn.relu6)
    conv("conv3x3_c21_o11_pertensor", (1, 8, 7, 21), 3, 11, per_tensor=True)
    conv("conv3x3_c12_g3_o9_grouped", (1, 8, 9, 12), 3, 9, cin=4)
    conv("conv1x1_c47_o41_hybrid", (1, 6, 6, 47), 1, 41, mode="dynamic")
    dw("dw3x3_c13_same", (1, 9, 10, 13), 3)
    dw("dw3x3_c6_s2", (1, 11, 12, 6), 3, stride=2)
    dw("dw3x3_c10_valid", (1, 7, 9, 10), 3, pad="VALID")
    dw("dw3x3_c9_d2", (1, 12, 11, 9), 3, dil=2)
    dw("dw5x5_c3", (1, 11, 9, 3), 5)
    dw("dw5x5_c20_s2", (1, 13, 13, 20), 5, stride=2)
    dw("dw2x3_c7", (1, 8, 9, 7), 2, kw=3)
    dw("dw3x3_c1", (1, 6, 6, 1), 3)
    fc("fc_k37_u11", 1, 37, 11)
    fc("fc_k100_u3_b5", 5, 100, 3)
    fc("fc_k16_u64_b2", 2, 16, 64)
    fc("fc_k2_u9", 1, 2, 9)
    fc("fc_k75_u13_pertensor", 3, 75, 13, per_tensor=True)
    fc("fc_k67_u37_b4_hybrid", 4, 67, 37, mode="dynamic")

    # A MobileNetV2-style inverted residual block (expand 1x1, depthwise
    # 3x3, project 1x1, residual add), odd channel counts.
    def block():
        w1 = tf.constant(weights(90, 1, 1, 12, 36))
        wd = tf.constant(weights(91, 3, 3, 36, 1))
        w2 = tf.constant(weights(92, 1, 1, 36, 12))

        def f(x):
            y = tf.nn.relu6(tf.nn.conv2d(x, w1, 1, "SAME"))
            y = tf.nn.relu6(tf.nn.depthwise_conv2d(y, wd, (1, 1, 1, 1),
                                                   "SAME"))
            return x + tf.nn.conv2d(y, w2, 1, "SAME")
        return f
    out.append(("mobilenet_block_c12_e36", (1, 14, 14, 12), block, "int8",
                False))

    # The SIMD128 fast-op table and BATCH_MATMUL kernel: int8 ADD / SUB /
    # MUL with same-shape, scalar and last-dim-row (per-channel) operands,
    # pools of odd channel counts (edge windows with fewer taps round
    # differently), attention-style BATCH_MATMULs of two activations.
    def op_model(name, shape, f_of):
        seed = len(out)

        def build():
            return f_of(seed)
        out.append((name, shape, build, "int8", False))

    def side(seed, c, cout=None):
        """A 1x1 conv of x: a second activation with its own scale."""
        w = tf.constant(weights(seed, 1, 1, c, cout or c))
        return lambda x: tf.nn.conv2d(x, w, 1, "SAME")

    def add_same(seed):
        y = side(seed, 13)
        return lambda x: tf.nn.relu(x + y(x))
    op_model("add_same_c13", (1, 7, 9, 13), add_same)

    def sub_row(seed):
        row = tf.constant(weights(seed, 21))
        return lambda x: x - row
    op_model("sub_row_c21", (1, 5, 6, 21), sub_row)

    op_model("add_scalar_c35", (2, 4, 5, 35),
             lambda seed: lambda x: x + 0.37)

    def add_row(seed):
        row = tf.constant(weights(seed, 35))
        return lambda x: tf.nn.relu6(row + x)
    op_model("add_row_c35_b2", (2, 4, 5, 35), add_row)

    def mul_same(seed):
        y = side(seed, 11)
        return lambda x: x * y(x)
    op_model("mul_same_c11", (1, 8, 7, 11), mul_same)

    def mul_se(seed):
        # squeeze-excitation: x * sigmoid(fc(mean(x))) per channel
        w = tf.constant(weights(seed, 1, 1, 19, 19))

        def f(x):
            s = tf.reduce_mean(x, axis=[1, 2], keepdims=True)
            return x * tf.sigmoid(tf.nn.conv2d(s, w, 1, "SAME"))
        return f
    op_model("mul_se_c19", (1, 6, 9, 19), mul_se)

    def mul_scalar(seed):
        return lambda x: x * -1.7
    op_model("mul_scalar_c5", (1, 9, 3, 5), mul_scalar)

    def mul_row_1d(seed):
        row = tf.constant(weights(seed, 18))
        return lambda x: x * row
    op_model("mul_row_fc_k18", (5, 18), mul_row_1d)

    op_model("maxpool3x3_s2_same_c13", (1, 11, 10, 13),
             lambda seed: lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME"))
    op_model("maxpool2x2_s2_c40", (1, 8, 9, 40),
             lambda seed: lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"))
    op_model("avgpool3x3_s1_same_c37", (1, 7, 8, 37),
             lambda seed: lambda x: tf.nn.avg_pool2d(x, 3, 1, "SAME"))
    op_model("avgpool2x2_s2_c21", (1, 9, 10, 21),
             lambda seed: lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID"))
    op_model("avgpool_global_c19", (2, 5, 7, 19),
             lambda seed: lambda x: tf.nn.avg_pool2d(x, (5, 7), 1, "VALID"))

    def attention(d):
        def f_of(seed):
            wq = tf.constant(weights(seed, d, d))
            wk = tf.constant(weights(seed + 1, d, d))
            wv = tf.constant(weights(seed + 2, d, d))

            def f(x):
                q = tf.matmul(x, wq)
                k = tf.matmul(x, wk)
                v = tf.matmul(x, wv)
                s = tf.nn.softmax(tf.matmul(q, k, transpose_b=True))
                return tf.matmul(s, v)
            return f
        return f_of
    op_model("attention_t11_d19", (1, 11, 19), attention(19))
    op_model("attention_b2_t6_d33", (2, 6, 33), attention(33))
    return out


def convert(tf, fn, shape, mode, per_tensor):
    spec = tf.TensorSpec(shape, tf.float32, name="in0")
    module = tf.Module()
    module.f = tf.function(lambda x: fn(x), input_signature=[spec])
    concrete = module.f.get_concrete_function()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([concrete], module)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        rng = np.random.default_rng(1)

        def rep():
            for _ in range(8):
                yield [rng.uniform(-0.4, 1.2, size=shape).astype(np.float32)]
        conv.representative_dataset = rep
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    if per_tensor:
        # The converter's switch for per-tensor weight quantization.
        conv._experimental_disable_per_channel = True
    return conv.convert()


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    import tensorflow as tf
    manifest = []
    for name, shape, build, mode, per_tensor in cases(tf):
        path = os.path.join(out_dir, name + ".tflite")
        if not os.path.exists(path):
            data = convert(tf, build(), shape, mode, per_tensor)
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        manifest.append({"name": name, "path": name + ".tflite",
                         "ranges": [[-0.4, 1.2]]})
    tmp = os.path.join(out_dir, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(out_dir, "manifest.json"))
    print(f"make_int8_models: {len(manifest)} models in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
