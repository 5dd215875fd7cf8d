"""Keras architectures of the extended benchmark set (issue 11): layer kinds
the first set never had (grouped 3x3 convs, 7x7 depthwise + LayerNorm +
GELU, attention, transpose convs + concat, MobileNetV3-Small with and
without hard-swish). Small inputs keep conversion quick; timing does not
depend on the weights, which come from a fixed seed. make_models.py
converts each to fp32 and full int8 (and dynamic range where DYNAMIC says).

Each builder returns (keras model, input shape without the batch).
"""


def _layers():
    import tensorflow as tf
    return tf.keras, tf.keras.layers


def regnet_style():
    """RegNetX-style: X blocks (1x1, grouped 3x3 with group width 16, 1x1)
    with residuals; the 48-wide stage has 3 groups (as in the issue)."""
    keras, L = _layers()
    shape = (96, 96, 3)
    i = keras.Input(shape)
    x = L.Conv2D(32, 3, strides=2, padding="same", activation="relu")(i)
    for width, depth in ((48, 2), (96, 2), (192, 2)):
        for d in range(depth):
            stride = 2 if d == 0 else 1
            y = L.Conv2D(width, 1, activation="relu")(x)
            y = L.Conv2D(width, 3, strides=stride, padding="same",
                         groups=width // 16, activation="relu")(y)
            y = L.Conv2D(width, 1)(y)
            if stride != 1 or x.shape[-1] != width:
                x = L.Conv2D(width, 1, strides=stride)(x)
            x = L.ReLU()(L.Add()([x, y]))
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(i, L.Dense(100)(x)), shape


def convnext_style():
    """ConvNeXt-style: 4x4/4 stem, blocks of 7x7 depthwise, LayerNorm,
    pointwise 4x expansion with GELU, pointwise back, residual."""
    keras, L = _layers()
    shape = (112, 112, 3)
    i = keras.Input(shape)
    x = L.Conv2D(32, 4, strides=4)(i)
    x = L.LayerNormalization(epsilon=1e-6)(x)
    for s, (dim, depth) in enumerate(((32, 1), (64, 1), (128, 2))):
        if s > 0:
            x = L.LayerNormalization(epsilon=1e-6)(x)
            x = L.Conv2D(dim, 2, strides=2)(x)
        for _ in range(depth):
            y = L.DepthwiseConv2D(7, padding="same")(x)
            y = L.LayerNormalization(epsilon=1e-6)(y)
            y = L.Dense(4 * dim, activation="gelu")(y)
            y = L.Dense(dim)(y)
            x = L.Add()([x, y])
    x = L.GlobalAveragePooling2D()(x)
    x = L.LayerNormalization(epsilon=1e-6)(x)
    return keras.Model(i, L.Dense(100)(x)), shape


def vit_tiny():
    """A small ViT: 4x4 patches of 32x32 (64 tokens), dim 64, 2 heads,
    2 pre-norm blocks with GELU MLPs."""
    keras, L = _layers()
    shape = (32, 32, 3)
    i = keras.Input(shape)
    x = L.Conv2D(64, 4, strides=4)(i)
    x = L.Reshape((64, 64))(x)
    for _ in range(2):
        y = L.LayerNormalization(epsilon=1e-6)(x)
        y = L.MultiHeadAttention(num_heads=2, key_dim=32)(y, y)
        x = L.Add()([x, y])
        y = L.LayerNormalization(epsilon=1e-6)(x)
        y = L.Dense(128, activation="gelu")(y)
        y = L.Dense(64)(y)
        x = L.Add()([x, y])
    x = L.LayerNormalization(epsilon=1e-6)(x)
    x = L.GlobalAveragePooling1D()(x)
    return keras.Model(i, L.Dense(10)(x)), shape


def unet():
    """A small U-Net: 3 levels down (conv 3x3 x2, maxpool), up with
    Conv2DTranspose 2x2/2 + skip concat + conv 3x3 x2."""
    keras, L = _layers()
    shape = (96, 96, 3)
    i = keras.Input(shape)
    x, skips = i, []
    for ch in (16, 32, 64):
        x = L.Conv2D(ch, 3, padding="same", activation="relu")(x)
        x = L.Conv2D(ch, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = L.MaxPooling2D()(x)
    x = L.Conv2D(128, 3, padding="same", activation="relu")(x)
    for ch, skip in zip((64, 32, 16), reversed(skips)):
        x = L.Conv2DTranspose(ch, 2, strides=2, padding="same")(x)
        x = L.Concatenate()([x, skip])
        x = L.Conv2D(ch, 3, padding="same", activation="relu")(x)
        x = L.Conv2D(ch, 3, padding="same", activation="relu")(x)
    return keras.Model(i, L.Conv2D(2, 1)(x)), shape


def _mobilenet_v3_small(minimalistic):
    keras, _ = _layers()
    shape = (128, 128, 3)
    model = keras.applications.MobileNetV3Small(
        weights=None, input_shape=shape, minimalistic=minimalistic,
        include_preprocessing=False)
    return model, shape


def mobilenet_v3_small_min_128():
    """MobileNetV3-Small minimalistic (ReLU, no SE, 3x3 only), 128 px."""
    return _mobilenet_v3_small(True)


def mobilenet_v3_small_hswish_128():
    """MobileNetV3-Small with hard-swish and SE, 128 px (the minimalistic
    one's pair at the same size)."""
    return _mobilenet_v3_small(False)


BUILDERS = [("regnet_style", regnet_style),
            ("convnext_style", convnext_style),
            ("vit_tiny", vit_tiny),
            ("unet", unet),
            ("mobilenet_v3_small_min_128", mobilenet_v3_small_min_128),
            ("mobilenet_v3_small_hswish_128", mobilenet_v3_small_hswish_128)]
# Also converted with dynamic-range (hybrid) weights.
DYNAMIC = {"regnet_style"}
