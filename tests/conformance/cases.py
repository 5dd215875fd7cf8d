"""Op-level and model-level conformance cases.

Each op case is a small TensorFlow function over fixed-shape inputs; the
generator converts it with TensorFlow's own converter in every mode that
makes sense for it. Parameter grids (strides, padding, dilation, fused
activations, broadcast shapes, axes, keep_dims, resize modes, ...) are
expanded here, one case per combination.
"""
import itertools

import numpy as np

# Modes: float32, fp16 (float16 weights), dynamic (dynamic-range int8
# weights), int8 (full integer, int8 I/O), int16x8 (int16 activations).
ALL_MODES = ("float32", "fp16", "dynamic", "int8", "int16x8")
NO_WEIGHT_MODES = ("float32", "int8", "int16x8")


class OpCase:
    def __init__(self, name, build, inputs, modes=NO_WEIGHT_MODES, op=None):
        self.name = name          # unique, file-name safe
        self.build = build        # tf -> callable(*tensors)
        self.inputs = inputs      # list of (shape, lo, hi)
        self.modes = modes
        self.op = op or name.split("__")[0]


def _rng(seed):
    return np.random.default_rng(seed)


def _w(seed, *shape, scale=0.5):
    return (_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def op_cases():
    cases = []
    add = cases.append

    # --- convolution family (weights: every mode) ----------------------------
    for i, (k, s, pad, dil, act) in enumerate(itertools.product(
            (1, 3, 5), (1, 2), ("SAME", "VALID"), (1, 2), ("none", "relu", "relu6"))):
        if s > 1 and dil > 1:
            continue
        if k == 1 and dil > 1:
            continue
        def build(tf, k=k, s=s, pad=pad, dil=dil, act=act, i=i):
            w = tf.constant(_w(i, k, k, 6, 8))
            b = tf.constant(_w(100 + i, 8))
            def f(x):
                y = tf.nn.conv2d(x, w, s, pad, dilations=dil) + b
                return {"relu": tf.nn.relu, "relu6": tf.nn.relu6}.get(act, tf.identity)(y)
            return f
        add(OpCase(f"conv2d__k{k}_s{s}_{pad}_d{dil}_{act}", build,
                   [((1, 11, 10, 6), -1, 1)], ALL_MODES))
    for i, (k, s, pad, mult, dil) in enumerate(itertools.product(
            (3, 5), (1, 2), ("SAME", "VALID"), (1, 2), (1, 2))):
        if s > 1 and dil > 1:
            continue
        def build(tf, k=k, s=s, pad=pad, mult=mult, dil=dil, i=i):
            w = tf.constant(_w(200 + i, k, k, 8, mult))
            b = tf.constant(_w(300 + i, 8 * mult))
            return lambda x: tf.nn.relu6(tf.nn.depthwise_conv2d(
                x, w, (1, s, s, 1), pad, dilations=(dil, dil)) + b)
        add(OpCase(f"depthwise_conv2d__k{k}_s{s}_{pad}_m{mult}_d{dil}", build,
                   [((1, 12, 9, 8), -1, 1)], ALL_MODES))
    for i, (units, batch, act) in enumerate(itertools.product(
            (1, 16), (1, 3), ("none", "relu"))):
        def build(tf, units=units, act=act, i=i):
            w = tf.constant(_w(400 + i, 20, units))
            b = tf.constant(_w(500 + i, units))
            return lambda x: (tf.nn.relu if act == "relu" else tf.identity)(tf.matmul(x, w) + b)
        add(OpCase(f"fully_connected__u{units}_b{batch}_{act}", build,
                   [((batch, 20), -1, 1)], ALL_MODES))
    for i, (s, pad) in enumerate(itertools.product((1, 2), ("SAME", "VALID"))):
        def build(tf, s=s, pad=pad, i=i):
            w = tf.constant(_w(600 + i, 3, 3, 5, 4))
            def f(x):
                n, h, wd, _ = x.shape
                oh = h * s if pad == "SAME" else (h - 1) * s + 3
                ow = wd * s if pad == "SAME" else (wd - 1) * s + 3
                return tf.nn.conv2d_transpose(x, w, (n, oh, ow, 5), s, pad)
            return f
        add(OpCase(f"transpose_conv__s{s}_{pad}", build, [((1, 5, 6, 4), -1, 1)],
                   ("float32", "int8")))
    # Weights big enough (> 1024 values) that the converter's dynamic-range
    # mode keeps them int8 (a hybrid TRANSPOSE_CONV), in every mode.
    for i, s in enumerate((2, 3)):
        def build(tf, s=s, i=i):
            w = tf.constant(_w(610 + i, 3, 3, 24, 16, scale=0.1))
            b = tf.constant(_w(620 + i, 24))
            def f(x):
                n, h, wd, _ = x.shape
                return tf.nn.relu(tf.nn.conv2d_transpose(
                    x, w, (n, h * s, wd * s, 24), s, "SAME") + b)
            return f
        add(OpCase(f"transpose_conv__wide_s{s}", build, [((1, 7, 6, 16), -1, 1)],
                   ALL_MODES))

    # --- element-wise binary with broadcasting --------------------------------
    shapes = [((2, 3, 4, 5), (2, 3, 4, 5)), ((2, 3, 4, 5), (5,)),
              ((2, 1, 4, 1), (1, 3, 1, 5)), ((1, 6), (1, 1))]
    binary = {
        "add": lambda tf: tf.add, "sub": lambda tf: tf.subtract,
        "mul": lambda tf: tf.multiply, "maximum": lambda tf: tf.maximum,
        "minimum": lambda tf: tf.minimum,
        "squared_difference": lambda tf: tf.math.squared_difference,
        "div": lambda tf: (lambda a, b: a / (tf.abs(b) + 0.5)),
    }
    for name, fn in binary.items():
        for j, (sa, sb) in enumerate(shapes):
            modes = ("float32",) if name == "div" else NO_WEIGHT_MODES
            add(OpCase(f"{name}__bcast{j}", lambda tf, fn=fn: fn(tf),
                       [(sa, -2, 2), (sb, -2, 2)], modes))
    # ATAN2: LiteRT's kernel takes operands of one shape.
    add(OpCase("atan2__same", lambda tf: tf.math.atan2,
               [((2, 3, 4, 5), -2, 2), ((2, 3, 4, 5), -2, 2)], ("float32",)))
    for act in ("relu", "relu6"):
        add(OpCase(f"add__fused_{act}", lambda tf, act=act: (
            lambda a, b: getattr(tf.nn, act)(a + b)), [((1, 8, 8, 3), -4, 4), ((1, 8, 8, 3), -4, 4)]))

    # --- unary / activations ------------------------------------------------------
    unary = {
        "relu": lambda tf: tf.nn.relu, "relu6": lambda tf: tf.nn.relu6,
        "logistic": lambda tf: tf.sigmoid, "tanh": lambda tf: tf.tanh,
        "hard_swish": lambda tf: (lambda x: x * tf.nn.relu6(x + 3) / 6),
        "leaky_relu": lambda tf: (lambda x: tf.nn.leaky_relu(x, 0.2)),
        "gelu": lambda tf: (lambda x: tf.nn.gelu(x, approximate=False)),
        "gelu_approx": lambda tf: (lambda x: tf.nn.gelu(x, approximate=True)),
        "elu": lambda tf: tf.nn.elu, "exp": lambda tf: tf.exp,
        "abs": lambda tf: tf.abs, "neg": lambda tf: tf.negative,
        "square": lambda tf: tf.square,
        "rsqrt": lambda tf: (lambda x: tf.math.rsqrt(tf.abs(x) + 0.1)),
        "sqrt": lambda tf: (lambda x: tf.sqrt(tf.abs(x))),
        "log": lambda tf: (lambda x: tf.math.log(tf.abs(x) + 0.1)),
        "floor": lambda tf: tf.floor, "ceil": lambda tf: tf.math.ceil,
        "round": lambda tf: tf.round, "sin": lambda tf: tf.sin, "cos": lambda tf: tf.cos,
    }
    float_only = {"floor", "ceil", "round", "sin", "cos", "sqrt", "log", "exp",
                  "square", "elu", "gelu_approx", "rsqrt", "neg", "abs"}
    for name, fn in unary.items():
        modes = ("float32",) if name in float_only else NO_WEIGHT_MODES
        add(OpCase(f"{name}__4d", lambda tf, fn=fn: fn(tf), [((1, 7, 5, 6), -4, 4)], modes))
    add(OpCase("prelu__channel", lambda tf: (
        lambda x: tf.maximum(x, 0.0) + tf.constant(_w(700, 6)) * tf.minimum(x, 0.0)),
        [((1, 5, 5, 6), -2, 2)], ("float32",)))

    # --- pooling, reductions, softmax ----------------------------------------------
    for kind, (k, s, pad) in itertools.product(("avg", "max"), ((2, 2, "VALID"), (3, 2, "SAME"), (3, 1, "SAME"))):
        fn = "avg_pool2d" if kind == "avg" else "max_pool2d"
        add(OpCase(f"{kind}_pool__k{k}_s{s}_{pad}", lambda tf, fn=fn, k=k, s=s, pad=pad: (
            lambda x: getattr(tf.nn, fn)(x, k, s, pad)), [((1, 9, 10, 4), -3, 3)]))
    for name, fn in (("mean", "reduce_mean"), ("sum", "reduce_sum"), ("reduce_max", "reduce_max"),
                     ("reduce_min", "reduce_min"), ("reduce_prod", "reduce_prod")):
        for axes, keep in (((1, 2), True), ((1, 2), False), ((-1,), True), ((0, 3), False)):
            modes = ("float32",) if name in ("reduce_prod", "reduce_min") else NO_WEIGHT_MODES
            tag = "_".join(str(a).replace("-", "m") for a in axes)
            add(OpCase(f"{name}__ax{tag}_k{int(keep)}", lambda tf, fn=fn, axes=axes, keep=keep: (
                lambda x: getattr(tf, fn)(x, axis=list(axes), keepdims=keep)),
                [((2, 6, 5, 4), -2, 2)], modes))
    for beta in (1.0, 0.5):
        add(OpCase(f"softmax__beta{beta}", lambda tf, beta=beta: (
            lambda x: tf.nn.softmax(x * beta)), [((3, 10), -4, 4)]))
    add(OpCase("log_softmax__2d", lambda tf: tf.nn.log_softmax, [((3, 10), -4, 4)], ("float32", "int8")))
    add(OpCase("l2_normalization__last", lambda tf: (lambda x: tf.math.l2_normalize(x, -1)),
               [((2, 3, 8), -2, 2)], ("float32", "int8")))
    add(OpCase("batch_matmul__3d", lambda tf: (lambda a, b: tf.matmul(a, b)),
               [((2, 4, 6), -1, 1), ((2, 6, 5), -1, 1)], ("float32", "int8", "int16x8")))
    add(OpCase("batch_matmul__adjy_bcast", lambda tf: (lambda a, b: tf.matmul(a, b, transpose_b=True)),
               [((2, 3, 4, 6), -1, 1), ((1, 5, 6), -1, 1)], ("float32", "int8")))
    add(OpCase("layer_norm__last", lambda tf: (lambda x: (
        (x - tf.reduce_mean(x, -1, keepdims=True)) *
        tf.math.rsqrt(tf.reduce_mean(tf.math.squared_difference(
            x, tf.reduce_mean(x, -1, keepdims=True)), -1, keepdims=True) + 1e-3))),
        [((2, 5, 16), -3, 3)], ("float32", "int8")))

    # --- shape and data movement ----------------------------------------------------
    add(OpCase("reshape__flatten", lambda tf: (lambda x: tf.reshape(x, (2, -1))), [((2, 3, 4, 5), -1, 1)]))
    add(OpCase("squeeze__axis", lambda tf: (lambda x: tf.squeeze(x, 1)), [((2, 1, 4, 5), -1, 1)]))
    add(OpCase("expand_dims__axis", lambda tf: (lambda x: tf.expand_dims(x, 2) + 0.0), [((2, 3, 4), -1, 1)]))
    for perm in ((0, 2, 1), (0, 3, 1, 2), (2, 0, 3, 1)):
        rank = len(perm)
        shape = (2, 3, 4, 5)[:rank]
        add(OpCase(f"transpose__{''.join(map(str, perm))}", lambda tf, perm=perm: (
            lambda x: tf.transpose(x, perm)), [(shape, -1, 1)]))
    for axis in (0, 1, 3, -1):
        add(OpCase(f"concatenation__ax{str(axis).replace('-', 'm')}", lambda tf, axis=axis: (
            lambda a, b: tf.concat([a, b * 2.0], axis)),
            [((2, 3, 4, 5), -1, 1), ((2, 3, 4, 5), -1, 1)]))
    add(OpCase("pad__const", lambda tf: (lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]])),
               [((1, 4, 5, 3), -1, 1)]))
    add(OpCase("padv2__value", lambda tf: (lambda x: tf.pad(x, [[0, 0], [1, 1], [0, 2], [0, 0]], constant_values=0.5)),
               [((1, 4, 5, 3), -1, 1)], ("float32",)))
    add(OpCase("mirror_pad__reflect", lambda tf: (lambda x: tf.pad(x, [[0, 0], [2, 2], [1, 1], [0, 0]], "REFLECT")),
               [((1, 4, 5, 3), -1, 1)], ("float32", "int8")))
    for j, (b, e, s) in enumerate((((0, 1, 0), (2, 4, 5), (1, 2, 1)), ((1, 0, 4), (2, 3, 0), (1, 1, -1)))):
        add(OpCase(f"strided_slice__g{j}", lambda tf, b=b, e=e, s=s: (
            lambda x: tf.strided_slice(x, b, e, s)), [((2, 5, 6), -1, 1)]))
    add(OpCase("slice__basic", lambda tf: (lambda x: tf.slice(x, (0, 1, 1), (2, 2, 3))), [((2, 5, 6), -1, 1)]))
    add(OpCase("split__3", lambda tf: (lambda x: tf.split(x, 3, axis=2)), [((2, 4, 6), -1, 1)]))
    add(OpCase("split_v__sizes", lambda tf: (lambda x: tf.split(x, [1, 2, 3], axis=2)), [((2, 4, 6), -1, 1)]))
    add(OpCase("gather__axis1", lambda tf: (lambda x: tf.gather(x, [3, 0, 2, 2], axis=1)), [((2, 5, 3), -1, 1)]))
    add(OpCase("pack__axis1", lambda tf: (lambda a, b: tf.stack([a, b], 1)), [((3, 4), -1, 1), ((3, 4), -1, 1)]))
    add(OpCase("unpack__axis0", lambda tf: (lambda x: tf.unstack(x, axis=0)), [((3, 4, 2), -1, 1)]))
    add(OpCase("tile__2d", lambda tf: (lambda x: tf.tile(x, (2, 3))), [((2, 3), -1, 1)]))
    add(OpCase("depth_to_space__b2", lambda tf: (lambda x: tf.nn.depth_to_space(x, 2)), [((1, 3, 4, 8), -1, 1)]))
    add(OpCase("space_to_depth__b2", lambda tf: (lambda x: tf.nn.space_to_depth(x, 2)), [((1, 4, 6, 3), -1, 1)]))
    for method, ac, hp in (("bilinear", False, False), ("bilinear", True, False), ("bilinear", False, True),
                           ("nearest", False, False), ("nearest", False, True)):
        def build(tf, method=method, ac=ac, hp=hp):
            if method == "bilinear":
                return lambda x: tf.compat.v1.image.resize_bilinear(x, (9, 11), align_corners=ac, half_pixel_centers=hp)
            return lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, (9, 11), align_corners=ac, half_pixel_centers=hp)
        add(OpCase(f"resize_{method}__ac{int(ac)}_hp{int(hp)}", build, [((1, 4, 5, 3), -1, 1)]))
    add(OpCase("arg_max__last", lambda tf: (lambda x: tf.argmax(x, -1, output_type=tf.int32)), [((3, 4, 7), -1, 1)], ("float32",)))
    add(OpCase("arg_min__axis1", lambda tf: (lambda x: tf.argmin(x, 1, output_type=tf.int32)), [((3, 4, 7), -1, 1)], ("float32",)))
    return cases


# Keras architectures for the model-level suite: (name, builder, input size).
def keras_models():
    return [
        ("mobilenet_v1", "MobileNet", 96),
        ("mobilenet_v2", "MobileNetV2", 96),
        ("mobilenet_v3_small", "MobileNetV3Small", 96),
        ("mobilenet_v3_large", "MobileNetV3Large", 96),
        ("efficientnet_b0", "EfficientNetB0", 96),
        ("resnet50", "ResNet50", 64),
        ("densenet121", "DenseNet121", 64),
    ]
