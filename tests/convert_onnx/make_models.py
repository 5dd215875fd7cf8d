#!/usr/bin/env python3
"""Builds the ONNX test models for the ONNX frontend tests, shaped like
PyTorch exports (torch.onnx.export), and runs each in ONNX Runtime, the
oracle. Writes into OUT_DIR:
  <name>.onnx, <name>_in_<k>.npy (inputs), <name>_out_<k>.npy (ORT outputs)
plus deliberately broken models for the error tests.
Usage: make_models.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort

RNG = np.random.default_rng(1234)


def const(name, array, typed=False):
    array = np.asarray(array)
    if typed:  # float_data / int64_data instead of raw_data
        return helper.make_tensor(name, helper.np_dtype_to_tensor_dtype(array.dtype),
                                  array.shape, array.flatten().tolist(), raw=False)
    return numpy_helper.from_array(array, name)


def weights(*shape, scale=0.3):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def save(out_dir, name, model, inputs, **save_args):
    onnx.checker.check_model(model)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, path, **save_args)
    # No graph optimizations: ORT then runs QDQ models as written
    # (DequantizeLinear -> float op -> QuantizeLinear) instead of fusing them
    # into its integer kernels, whose results depend on the CPU (u8s8 without
    # VNNI saturates differently). The expected outputs are then the same on
    # every machine; bit-exactness is checked against LiteRT's reference.
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feeds = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
    outputs = session.run(None, feeds)
    for k, x in enumerate(inputs):
        np.save(os.path.join(out_dir, f"{name}_in_{k}.npy"), x)
    for k, y in enumerate(outputs):
        np.save(os.path.join(out_dir, f"{name}_out_{k}.npy"), y)


def model(nodes, inputs, outputs, inits, opset):
    graph = helper.make_graph(nodes, "g", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="ember-test")
    m.ir_version = 8
    return m


def tensor(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def small_cnn():
    """Conv+BN+ReLU+MaxPool+Conv+ReLU+GlobalAveragePool+Flatten+Gemm."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w1", "b1"], ["c1"], name="/conv1/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1]),
        n("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"],
          name="/bn1/BatchNormalization", epsilon=1e-5),
        n("Relu", ["bn"], ["r1"], name="/relu1/Relu"),
        n("MaxPool", ["r1"], ["p1"], name="/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        n("Conv", ["p1", "w2", "b2"], ["c2"], name="/conv2/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1], strides=[2, 2]),
        n("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        n("GlobalAveragePool", ["r2"], ["gap"], name="/gap/GlobalAveragePool"),
        n("Flatten", ["gap"], ["flat"], name="/Flatten", axis=1),
        n("Gemm", ["flat", "fc_w", "fc_b"], ["y"], name="/fc/Gemm", transB=1),
    ]
    inits = [
        const("w1", weights(8, 3, 3, 3)), const("b1", weights(8), typed=True),
        const("bn_s", 1 + weights(8, scale=0.1)), const("bn_b", weights(8, scale=0.1)),
        const("bn_m", weights(8, scale=0.1)),
        const("bn_v", np.abs(1 + weights(8, scale=0.1)).astype(np.float32), typed=True),
        const("w2", weights(16, 8, 3, 3, scale=0.15)), const("b2", weights(16)),
        const("fc_w", weights(10, 16)), const("fc_b", weights(10)),
    ]
    return model(nodes, [tensor("x", [1, 3, 16, 16])], [tensor("y", [1, 10])], inits, 13)


def lenet():
    """Conv/ReLU/MaxPool feature map flattened straight into Gemm (no global
    pooling), with PyTorch's x.view(N, -1) exported as Reshape [1, -1]."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w1", "b1"], ["c1"], name="/conv1/Conv", kernel_shape=[5, 5]),
        n("Relu", ["c1"], ["r1"], name="/Relu"),
        n("MaxPool", ["r1"], ["p1"], name="/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        n("Reshape", ["p1", "flat_shape"], ["flat"], name="/Reshape"),
        n("Gemm", ["flat", "fc1_w", "fc1_b"], ["h"], name="/fc1/Gemm", transB=1),
        n("Relu", ["h"], ["hr"], name="/Relu_1"),
        n("MatMul", ["hr", "fc2_w"], ["y"], name="/fc2/MatMul"),
    ]
    inits = [
        const("w1", weights(6, 1, 5, 5)), const("b1", weights(6)),
        const("flat_shape", np.array([1, -1], np.int64)),
        const("fc1_w", weights(20, 6 * 4 * 4, scale=0.1)), const("fc1_b", weights(20)),
        const("fc2_w", weights(20, 10)),
    ]
    return model(nodes, [tensor("x", [1, 1, 12, 12])], [tensor("y", [1, 10])], inits, 13)


def mobile_net():
    """Pointwise + depthwise (explicit pads) + grouped conv, ReLU6 (Clip),
    HardSwish, HardSigmoid, AveragePool, Concat, Resize, ConvTranspose, Pad,
    a per-channel bias Add, LeakyRelu, Sigmoid; NCHW output."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "pw_w", "pw_b"], ["pw"], name="/pw/Conv", kernel_shape=[1, 1]),
        n("Clip", ["pw", "zero", "six"], ["pw6"], name="/pw/Clip"),
        n("Conv", ["pw6", "dw_w", "dw_b"], ["dw"], name="/dw/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1], strides=[2, 2], group=8),
        n("HardSwish", ["dw"], ["hs"], name="/HardSwish"),
        n("Conv", ["hs", "gc_w", "gc_b"], ["gc"], name="/grouped/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1], group=2),
        n("HardSigmoid", ["gc"], ["hsig"], name="/HardSigmoid", alpha=0.2, beta=0.5),
        n("Concat", ["hs", "hsig"], ["cat"], name="/Concat", axis=1),
        n("Add", ["cat", "chan_bias"], ["biased"], name="/Add"),
        n("AveragePool", ["biased"], ["ap"], name="/AveragePool", kernel_shape=[2, 2],
          strides=[2, 2]),
        n("Resize", ["ap", "", "scales"], ["up"], name="/Resize", mode="nearest",
          coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        n("ConvTranspose", ["up", "ct_w", "ct_b"], ["ct"], name="/ConvTranspose",
          kernel_shape=[2, 2], strides=[2, 2]),
        n("Pad", ["ct", "pads"], ["padded"], name="/Pad", mode="reflect"),
        n("LeakyRelu", ["padded"], ["lr"], name="/LeakyRelu", alpha=0.1),
        n("Sigmoid", ["lr"], ["y"], name="/Sigmoid"),
    ]
    inits = [
        const("pw_w", weights(8, 4, 1, 1)), const("pw_b", weights(8)),
        const("zero", np.array(0, np.float32)), const("six", np.array(6, np.float32)),
        const("dw_w", weights(8, 1, 3, 3)), const("dw_b", weights(8)),
        const("gc_w", weights(8, 4, 3, 3)), const("gc_b", weights(8)),
        const("chan_bias", weights(16, 1, 1)),
        const("scales", np.array([1, 1, 2, 2], np.float32)),
        const("ct_w", weights(16, 6, 2, 2)), const("ct_b", weights(6)),
        const("pads", np.array([0, 0, 1, 2, 0, 0, 1, 2], np.int64)),
    ]
    return model(nodes, [tensor("x", [1, 4, 12, 12])], [tensor("y", [1, 6, 14, 16])],
                 inits, 14)


def layout_ops():
    """Axis-carrying ops on NHWC-stored values: Split and Softmax over
    channels, ReduceSum/ReduceMean (keepdims 0/1), MaxPool (ceil_mode, pads),
    AveragePool counting padding, bilinear Resize, PRelu, Unsqueeze/Squeeze,
    Transpose to NHWC at the output, Cast."""
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w", "b"], ["c"], name="/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        n("Split", ["c", "split"], ["s1", "s2"], name="/Split", axis=1),
        n("Softmax", ["s1"], ["sm"], name="/Softmax", axis=1),
        n("MaxPool", ["s2"], ["mp"], name="/MaxPool", kernel_shape=[3, 3], strides=[2, 2],
          pads=[1, 1, 1, 1], ceil_mode=1),
        n("AveragePool", ["s2"], ["ap"], name="/AveragePool", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1], count_include_pad=1),
        n("Resize", ["mp", "", "", "sizes"], ["up"], name="/Resize", mode="linear",
          coordinate_transformation_mode="half_pixel"),
        n("Add", ["ap", "up"], ["sum"], name="/Add"),
        n("ReduceSum", ["sum", "axes23"], ["rs"], name="/ReduceSum", keepdims=0),
        n("ReduceMean", ["sm"], ["rm"], name="/ReduceMean", axes=[1], keepdims=1),
        n("Unsqueeze", ["rs", "axes2"], ["rs_u"], name="/Unsqueeze"),
        n("Squeeze", ["rs_u", "axes2"], ["rs_s"], name="/Squeeze"),
        n("Cast", ["rs_s"], ["rs_d"], name="/Cast", to=TensorProto.DOUBLE),
        n("Cast", ["rs_d"], ["y3"], name="/Cast_1", to=TensorProto.FLOAT),
        n("PRelu", ["sum", "slope"], ["pr"], name="/PRelu"),
        n("Transpose", ["pr"], ["y1"], name="/Transpose", perm=[0, 2, 3, 1]),
    ]
    inits = [
        const("w", weights(6, 3, 3, 3)), const("b", weights(6)),
        const("split", np.array([2, 4], np.int64)),
        const("sizes", np.array([1, 4, 8, 8], np.int64)),
        const("axes23", np.array([2, 3], np.int64)), const("axes2", np.array([2], np.int64)),
        const("slope", weights(4, 1, 1)),
    ]
    outputs = [tensor("y1", [1, 8, 8, 4]), tensor("rm", [1, 1, 8, 8]), tensor("y3", [1, 4])]
    return model(nodes, [tensor("x", [1, 3, 8, 8])], outputs, inits, 13)


def transformer_block():
    """One encoder layer as PyTorch exports it: Q/K/V MatMul+Add, heads via
    Shape/Gather/Concat -> Reshape + Transpose, scaled Softmax attention,
    output projection, residual, decomposed LayerNorm, erf GELU MLP,
    LayerNormalization; plus the CLS token (Gather) and a Slice."""
    S, E, H = 8, 16, 2
    D = E // H
    n = helper.make_node
    nodes = [
        n("Shape", ["x"], ["x_shape"], name="/Shape"),
        n("Gather", ["x_shape", "idx0"], ["batch"], name="/Gather", axis=0),
        n("Gather", ["x_shape", "idx1"], ["seq"], name="/Gather_1", axis=0),
        n("Unsqueeze", ["batch", "axes0"], ["batch_u"], name="/Unsqueeze"),
        n("Unsqueeze", ["seq", "axes0"], ["seq_u"], name="/Unsqueeze_1"),
        n("Concat", ["batch_u", "seq_u", "heads", "head_dim"], ["head_shape"],
          name="/Concat", axis=0),
        n("Concat", ["batch_u", "seq_u", "embed"], ["merge_shape"], name="/Concat_1", axis=0),
    ]
    for p in "qkv":
        nodes += [
            n("MatMul", ["x", f"w{p}"], [f"{p}_mm"], name=f"/{p}_proj/MatMul"),
            n("Add", [f"{p}_mm", f"b{p}"], [f"{p}_lin"], name=f"/{p}_proj/Add"),
            n("Reshape", [f"{p}_lin", "head_shape"], [f"{p}_heads"], name=f"/{p}/Reshape"),
        ]
    nodes += [
        n("Transpose", ["q_heads"], ["q_t"], name="/q/Transpose", perm=[0, 2, 1, 3]),
        n("Transpose", ["k_heads"], ["k_t"], name="/k/Transpose", perm=[0, 2, 3, 1]),
        n("Transpose", ["v_heads"], ["v_t"], name="/v/Transpose", perm=[0, 2, 1, 3]),
        n("MatMul", ["q_t", "k_t"], ["scores"], name="/attn/MatMul"),
        n("Div", ["scores", "sqrt_d"], ["scaled"], name="/attn/Div"),
        n("Softmax", ["scaled"], ["probs"], name="/attn/Softmax", axis=-1),
        n("MatMul", ["probs", "v_t"], ["ctx"], name="/attn/MatMul_1"),
        n("Transpose", ["ctx"], ["ctx_t"], name="/attn/Transpose", perm=[0, 2, 1, 3]),
        n("Reshape", ["ctx_t", "merge_shape"], ["ctx_m"], name="/attn/Reshape"),
        n("MatMul", ["ctx_m", "wo"], ["o_mm"], name="/out_proj/MatMul"),
        n("Add", ["o_mm", "bo"], ["o"], name="/out_proj/Add"),
        n("Add", ["x", "o"], ["res1"], name="/Add_res1"),
        # LayerNorm decomposed (opset < 17 export).
        n("ReduceMean", ["res1"], ["mu"], name="/ln1/ReduceMean", axes=[-1]),
        n("Sub", ["res1", "mu"], ["cen"], name="/ln1/Sub"),
        n("Pow", ["cen", "two"], ["sq"], name="/ln1/Pow"),
        n("ReduceMean", ["sq"], ["var"], name="/ln1/ReduceMean_1", axes=[-1]),
        n("Add", ["var", "eps"], ["var_eps"], name="/ln1/Add"),
        n("Sqrt", ["var_eps"], ["std"], name="/ln1/Sqrt"),
        n("Div", ["cen", "std"], ["norm"], name="/ln1/Div"),
        n("Mul", ["norm", "ln1_g"], ["norm_g"], name="/ln1/Mul"),
        n("Add", ["norm_g", "ln1_b"], ["ln1"], name="/ln1/Add_1"),
        # MLP with exact (erf) GELU.
        n("MatMul", ["ln1", "w1"], ["h_mm"], name="/fc1/MatMul"),
        n("Add", ["h_mm", "b1"], ["h"], name="/fc1/Add"),
        n("Div", ["h", "sqrt2"], ["h_div"], name="/act/Div"),
        n("Erf", ["h_div"], ["h_erf"], name="/act/Erf"),
        n("Add", ["h_erf", "one"], ["h_erf1"], name="/act/Add"),
        n("Mul", ["h", "h_erf1"], ["h_mul"], name="/act/Mul"),
        n("Mul", ["h_mul", "half"], ["gelu"], name="/act/Mul_1"),
        n("MatMul", ["gelu", "w2"], ["f_mm"], name="/fc2/MatMul"),
        n("Add", ["f_mm", "b2"], ["f"], name="/fc2/Add"),
        n("Add", ["ln1", "f"], ["res2"], name="/Add_res2"),
        n("LayerNormalization", ["res2", "ln2_g", "ln2_b"], ["y"], name="/ln2/LayerNorm",
          axis=-1, epsilon=1e-5),
        n("Gather", ["y", "idx0"], ["cls"], name="/Gather_cls", axis=1),
        n("Slice", ["y", "sl_start", "sl_end", "sl_axes", "sl_steps"], ["tail"],
          name="/Slice"),
        n("Erf", ["cls"], ["cls_erf"], name="/lone/Erf"),
    ]
    inits = [
        const("idx0", np.array(0, np.int64)), const("idx1", np.array(1, np.int64)),
        const("axes0", np.array([0], np.int64)), const("heads", np.array([H], np.int64)),
        const("head_dim", np.array([D], np.int64)), const("embed", np.array([E], np.int64)),
        const("sqrt_d", np.array(np.sqrt(D), np.float32)), const("two", np.array(2, np.float32)),
        const("eps", np.array(1e-5, np.float32)), const("sqrt2", np.array(1.4142135, np.float32)),
        const("one", np.array(1, np.float32)), const("half", np.array(0.5, np.float32)),
        const("ln1_g", 1 + weights(E, scale=0.1)), const("ln1_b", weights(E, scale=0.1)),
        const("ln2_g", 1 + weights(E, scale=0.1)), const("ln2_b", weights(E, scale=0.1)),
        const("wo", weights(E, E)), const("bo", weights(E)),
        const("w1", weights(E, 4 * E)), const("b1", weights(4 * E)),
        const("w2", weights(4 * E, E, scale=0.15)), const("b2", weights(E)),
        const("sl_start", np.array([1, 2], np.int64)), const("sl_end", np.array([7, 100], np.int64)),
        const("sl_axes", np.array([1, 2], np.int64)), const("sl_steps", np.array([2, 3], np.int64)),
    ]
    for p in "qkv":
        inits += [const(f"w{p}", weights(E, E)), const(f"b{p}", weights(E))]
    outputs = [tensor("y", [1, S, E]), tensor("cls_erf", [1, E]), tensor("tail", [1, 3, 5])]
    return model(nodes, [tensor("x", [1, S, E])], outputs, inits, 17)


def qdq_models(out_dir):
    """A float CNN with a residual Add, quantized by onnxruntime's static
    quantizer into QDQ form: int8 activations (and uint8 activations)."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "w1", "b1"], ["c1"], name="/conv1/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1]),
        n("Relu", ["c1"], ["r1"], name="/relu1/Relu"),
        n("Conv", ["r1", "w2", "b2"], ["c2"], name="/conv2/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1]),
        n("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        n("Add", ["r1", "r2"], ["sum"], name="/Add"),
        n("MaxPool", ["sum"], ["p"], name="/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        n("Conv", ["p", "w3", "b3"], ["c3"], name="/dw/Conv", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1], group=8),
        n("Relu", ["c3"], ["r3"], name="/relu3/Relu"),
        n("GlobalAveragePool", ["r3"], ["gap"], name="/gap/GlobalAveragePool"),
        n("Flatten", ["gap"], ["flat"], name="/Flatten"),
        n("Gemm", ["flat", "fc_w", "fc_b"], ["y"], name="/fc/Gemm", transB=1),
    ]
    inits = [
        const("w1", weights(8, 3, 3, 3)), const("b1", weights(8, scale=0.1)),
        const("w2", weights(8, 8, 3, 3, scale=0.15)), const("b2", weights(8, scale=0.1)),
        const("w3", weights(8, 1, 3, 3)), const("b3", weights(8, scale=0.1)),
        const("fc_w", weights(10, 8)), const("fc_b", weights(10, scale=0.1)),
    ]
    float_model = model(nodes, [tensor("x", [1, 3, 12, 12])], [tensor("y", [1, 10])], inits, 13)
    float_path = os.path.join(out_dir, "qdq_float.onnx")
    onnx.save(float_model, float_path)
    calib = [RNG.uniform(-1, 1, (1, 3, 12, 12)).astype(np.float32) for _ in range(8)]

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(calib)

        def get_next(self):
            x = next(self.it, None)
            return None if x is None else {"x": x}

    x = RNG.uniform(-1, 1, (1, 3, 12, 12)).astype(np.float32)
    for name, act in (("qdq_int8", QuantType.QInt8), ("qdq_uint8", QuantType.QUInt8)):
        path = os.path.join(out_dir, name + ".onnx")
        quantize_static(float_path, path, Reader(), quant_format=QuantFormat.QDQ,
                        activation_type=act, weight_type=QuantType.QInt8, per_channel=True)
        save(out_dir, name, onnx.load(path), [x])
    # LeNet head: int8 Reshape-flatten of an NHWC map into per-channel
    # Gemm and MatMul.
    lenet_path = os.path.join(out_dir, "lenet.onnx")
    calib = [RNG.uniform(-1, 1, (1, 1, 12, 12)).astype(np.float32) for _ in range(8)]
    path = os.path.join(out_dir, "qdq_lenet.onnx")
    quantize_static(lenet_path, path, Reader(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    per_channel=True)
    save(out_dir, "qdq_lenet", onnx.load(path),
         [RNG.uniform(-1, 1, (1, 1, 12, 12)).astype(np.float32)])
    # Transformer block: int8 projections (FULLY_CONNECTED), attention
    # matmuls, softmax and normalization fall back to float between
    # DEQUANTIZE/QUANTIZE.
    block_path = os.path.join(out_dir, "transformer.onnx")
    calib = [RNG.standard_normal((1, 8, 16)).astype(np.float32) for _ in range(8)]
    path = os.path.join(out_dir, "qdq_transformer.onnx")
    quantize_static(block_path, path, Reader(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    per_channel=True, op_types_to_quantize=["MatMul", "Add"])
    save(out_dir, "qdq_transformer", onnx.load(path),
         [RNG.standard_normal((1, 8, 16)).astype(np.float32)])


def broken_models(out_dir):
    n = helper.make_node
    # Two unsupported ops: both must be reported, by type, name and index.
    nodes = [
        n("Relu", ["x"], ["a"], name="relu"),
        n("NonMaxSuppression", ["a", "a"], ["b"], name="my_nms"),
        n("Relu", ["b"], ["c"], name="relu2"),
        n("Det", ["c"], ["y"], name="my_det"),
    ]
    m = model(nodes, [tensor("x", [2, 2])], [tensor("y", [])], [], 13)
    onnx.save(m, os.path.join(out_dir, "unsupported.onnx"))
    # Structurally broken nodes: Conv without weights, Gemm whose K differs.
    nodes = [
        n("Conv", ["x"], ["c"], name="conv_no_weights"),
        n("Gemm", ["x2", "w"], ["y"], name="gemm_bad_k", transB=1),
    ]
    m = model(nodes, [tensor("x", [1, 3, 8, 8]), tensor("x2", [1, 4])],
              [tensor("c", None), tensor("y", None)], [const("w", weights(5, 3))], 13)
    onnx.save(m, os.path.join(out_dir, "malformed.onnx"))
    # Not a protobuf at all / a truncated one.
    with open(os.path.join(out_dir, "garbage.onnx"), "wb") as f:
        f.write(b"\xff\xff\xff\xff this is not an onnx model \x00\x01")
    good = open(os.path.join(out_dir, "small_cnn.onnx"), "rb").read()
    with open(os.path.join(out_dir, "truncated.onnx"), "wb") as f:
        f.write(good[: len(good) // 2])
    # External data whose file is missing.
    m = small_cnn()
    onnx.save(m, os.path.join(out_dir, "missing_data.onnx"), save_as_external_data=True,
              all_tensors_to_one_file=True, location="missing_data.bin", size_threshold=0)
    os.remove(os.path.join(out_dir, "missing_data.bin"))


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    save(out_dir, "small_cnn", small_cnn(), [RNG.standard_normal((1, 3, 16, 16)).astype(np.float32)])
    save(out_dir, "external_cnn", small_cnn(),
         [RNG.standard_normal((1, 3, 16, 16)).astype(np.float32)], save_as_external_data=True,
         all_tensors_to_one_file=True, location="external_cnn.weights", size_threshold=0)
    save(out_dir, "layout_ops", layout_ops(),
         [RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)])
    save(out_dir, "lenet", lenet(), [RNG.standard_normal((1, 1, 12, 12)).astype(np.float32)])
    save(out_dir, "mobile_net", mobile_net(), [RNG.standard_normal((1, 4, 12, 12)).astype(np.float32)])
    save(out_dir, "transformer", transformer_block(),
         [RNG.standard_normal((1, 8, 16)).astype(np.float32)])
    qdq_models(out_dir)
    broken_models(out_dir)


if __name__ == "__main__":
    main()
