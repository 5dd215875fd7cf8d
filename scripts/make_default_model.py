#!/usr/bin/env python3
"""Trains Ember's default model and writes it as a .tflite file.

The default model is what `ember run` executes when no model is given: a
small multilayer perceptron (64 -> 32 RELU -> 10 -> SOFTMAX) that classifies
the 8x8 handwritten digits bundled with scikit-learn. It is trained here with
numpy only (no TensorFlow) and serialised with the `flatbuffers` package,
using Python accessors that `flatc --python` generates from
src/schema/schema.fbs at run time.

Outputs (in models/default/ unless --out-dir says otherwise):
  digits.tflite  the model: input "pixels" float32 [1, 64] (batch dim may be
                 resized), pixel values in [0, 1] (sklearn's 0..16 / 16);
                 output "probabilities" float32 [1, 10]
  samples.npy    float32 [10, 64]: one held-out test image of each digit
  labels.npy     int32 [10]: their true labels

If ai-edge-litert is installed, the written model is also run in LiteRT and
its predictions are checked against the numpy forward pass.

Usage: python3 scripts/make_default_model.py [--out-dir DIR] [--epochs N]
Needs: numpy, scikit-learn, flatbuffers (pip), flatc (Debian).
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(REPO, "src", "schema", "schema.fbs")

HIDDEN = 32
CLASSES = 10
MIN_RUNTIME_VERSION = "1.5.0"


# --------------------------------------------------------------------------
# Data and training (numpy only)
# --------------------------------------------------------------------------

def load_data(seed):
    from sklearn.datasets import load_digits  # data ships inside the package

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)  # [n, 64] in [0, 1]
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = len(x) // 5
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def forward(params, x):
    w1, b1, w2, b2 = params
    hidden = np.maximum(x @ w1.T + b1, 0.0)
    logits = hidden @ w2.T + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return hidden, e / e.sum(axis=1, keepdims=True)


def train(x, y, epochs, seed):
    """Mini-batch Adam on softmax cross-entropy with a little L2."""
    rng = np.random.default_rng(seed)
    n_in = x.shape[1]
    w1 = rng.normal(0, np.sqrt(2.0 / n_in), (HIDDEN, n_in)).astype(np.float32)
    b1 = np.zeros(HIDDEN, np.float32)
    w2 = rng.normal(0, np.sqrt(2.0 / HIDDEN), (CLASSES, HIDDEN)).astype(np.float32)
    b2 = np.zeros(CLASSES, np.float32)
    params = [w1, b1, w2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, beta1, beta2, eps, l2, batch = 0.005, 0.9, 0.999, 1e-8, 1e-4, 32
    step = 0
    onehot = np.eye(CLASSES, dtype=np.float32)[y]
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            xb, tb = x[idx], onehot[idx]
            hidden, probs = forward(params, xb)
            d_logits = (probs - tb) / len(idx)
            d_w2 = d_logits.T @ hidden + l2 * params[2]
            d_b2 = d_logits.sum(axis=0)
            d_hidden = (d_logits @ params[2]) * (hidden > 0)
            d_w1 = d_hidden.T @ xb + l2 * params[0]
            d_b1 = d_hidden.sum(axis=0)
            step += 1
            for i, g in enumerate((d_w1, d_b1, d_w2, d_b2)):
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                m_hat = m[i] / (1 - beta1 ** step)
                v_hat = v[i] / (1 - beta2 ** step)
                params[i] = (params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
                             ).astype(np.float32)
    return params


def accuracy(params, x, y):
    return float((forward(params, x)[1].argmax(axis=1) == y).mean())


# --------------------------------------------------------------------------
# .tflite writing (flatbuffers object API generated from schema.fbs)
# --------------------------------------------------------------------------

def generate_accessors(tmp):
    subprocess.run(["flatc", "--python", "--gen-object-api", "-o", tmp, SCHEMA],
                   check=True)
    sys.path.insert(0, tmp)
    import importlib
    names = ["Model", "Buffer", "SubGraph", "Tensor", "Operator",
             "OperatorCode", "BuiltinOperator", "BuiltinOptions",
             "TensorType", "FullyConnectedOptions", "SoftmaxOptions",
             "ActivationFunctionType", "Metadata", "SignatureDef", "TensorMap"]
    return {n: importlib.import_module("ember.fb." + n) for n in names}


def write_tflite(params, path):
    w1, b1, w2, b2 = params
    with tempfile.TemporaryDirectory() as tmp:
        fb = generate_accessors(tmp)
        import flatbuffers

        class AlignedBufferT(fb["Buffer"].BufferT):
            """Buffer whose bytes start on a 16-byte boundary, like the
            TFLite converter writes them (kernels read weights in place)."""

            def Pack(self, builder):
                data = None
                if self.data is not None:
                    raw = bytes(self.data)
                    builder.StartVector(1, len(raw), 16)
                    builder.head = builder.head - len(raw)
                    builder.Bytes[builder.head:builder.head + len(raw)] = raw
                    data = builder.EndVector()
                fb["Buffer"].BufferStart(builder)
                if data is not None:
                    fb["Buffer"].BufferAddData(builder, data)
                return fb["Buffer"].BufferEnd(builder)

        f32 = fb["TensorType"].TensorType.FLOAT32
        buffers = [AlignedBufferT()]  # buffer 0: empty, by convention
        tensors = []

        def add_tensor(name, shape, data=None, signature=None):
            t = fb["Tensor"].TensorT()
            t.name, t.shape, t.type = name, list(shape), f32
            if signature is not None:
                t.shapeSignature = list(signature)
            t.buffer = 0
            if data is not None:
                b = AlignedBufferT()
                b.data = np.ascontiguousarray(data, np.float32).tobytes()
                buffers.append(b)
                t.buffer = len(buffers) - 1
            tensors.append(t)
            return len(tensors) - 1

        pixels = add_tensor("pixels", [1, 64], signature=[-1, 64])
        k1 = add_tensor("dense/kernel", w1.shape, w1)
        c1 = add_tensor("dense/bias", b1.shape, b1)
        hidden = add_tensor("dense/relu", [1, HIDDEN], signature=[-1, HIDDEN])
        k2 = add_tensor("logits/kernel", w2.shape, w2)
        c2 = add_tensor("logits/bias", b2.shape, b2)
        logits = add_tensor("logits", [1, CLASSES], signature=[-1, CLASSES])
        probs = add_tensor("probabilities", [1, CLASSES], signature=[-1, CLASSES])

        ops_enum = fb["BuiltinOperator"].BuiltinOperator
        codes = []
        for op in (ops_enum.FULLY_CONNECTED, ops_enum.SOFTMAX):
            c = fb["OperatorCode"].OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version = op, op, 1
            codes.append(c)

        opts_enum = fb["BuiltinOptions"].BuiltinOptions
        act = fb["ActivationFunctionType"].ActivationFunctionType

        def fully_connected(inputs, output, activation):
            op = fb["Operator"].OperatorT()
            op.opcodeIndex, op.inputs, op.outputs = 0, inputs, [output]
            op.builtinOptionsType = opts_enum.FullyConnectedOptions
            op.builtinOptions = fb["FullyConnectedOptions"].FullyConnectedOptionsT()
            op.builtinOptions.fusedActivationFunction = activation
            return op

        softmax = fb["Operator"].OperatorT()
        softmax.opcodeIndex, softmax.inputs, softmax.outputs = 1, [logits], [probs]
        softmax.builtinOptionsType = opts_enum.SoftmaxOptions
        softmax.builtinOptions = fb["SoftmaxOptions"].SoftmaxOptionsT()
        softmax.builtinOptions.beta = 1.0

        sg = fb["SubGraph"].SubGraphT()
        sg.name = "main"
        sg.tensors = tensors
        sg.inputs, sg.outputs = [pixels], [probs]
        sg.operators = [fully_connected([pixels, k1, c1], hidden, act.RELU),
                        fully_connected([hidden, k2, c2], logits, act.NONE),
                        softmax]

        # Metadata as the TFLite converter writes it: a NUL-padded string.
        version = AlignedBufferT()
        version.data = MIN_RUNTIME_VERSION.encode().ljust(16, b"\0")
        buffers.append(version)
        meta = fb["Metadata"].MetadataT()
        meta.name, meta.buffer = "min_runtime_version", len(buffers) - 1

        def tensor_map(name, index):
            tm = fb["TensorMap"].TensorMapT()
            tm.name, tm.tensorIndex = name, index
            return tm

        sig = fb["SignatureDef"].SignatureDefT()
        sig.signatureKey, sig.subgraphIndex = "serving_default", 0
        sig.inputs = [tensor_map("pixels", pixels)]
        sig.outputs = [tensor_map("probabilities", probs)]

        model = fb["Model"].ModelT()
        model.version = 3
        model.description = ("Ember default model: 64-32-10 MLP classifying "
                             "sklearn's 8x8 digits (scripts/make_default_model.py)")
        model.operatorCodes = codes
        model.subgraphs = [sg]
        model.buffers = buffers
        model.metadata = [meta]
        model.signatureDefs = [sig]

        builder = flatbuffers.Builder(16 * 1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        data = bytes(builder.Output())
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def check_with_litert(path, samples, expected):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        print("ai-edge-litert not installed: LiteRT check skipped")
        return True
    interp = Interpreter(model_path=path)
    inp = interp.get_input_details()[0]
    interp.resize_tensor_input(inp["index"], list(samples.shape))
    interp.allocate_tensors()
    interp.set_tensor(inp["index"], samples)
    interp.invoke()
    out = interp.get_tensor(interp.get_output_details()[0]["index"])
    diff = float(np.abs(out - expected).max())
    same = bool((out.argmax(axis=1) == expected.argmax(axis=1)).all())
    print(f"LiteRT: predictions {'match' if same else 'DIFFER'}, "
          f"max |prob diff| {diff:.2e}")
    return same and diff < 1e-4


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(REPO, "models", "default"))
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    (x_train, y_train), (x_test, y_test) = load_data(args.seed)
    params = train(x_train, y_train, args.epochs, args.seed)
    print(f"train accuracy {accuracy(params, x_train, y_train):.4f}, "
          f"test accuracy {accuracy(params, x_test, y_test):.4f} "
          f"({len(x_test)} held-out digits)")

    os.makedirs(args.out_dir, exist_ok=True)
    model_path = os.path.join(args.out_dir, "digits.tflite")
    size = write_tflite(params, model_path)
    # The first held-out example of each digit 0..9, in that order.
    picks = [int(np.flatnonzero(y_test == d)[0]) for d in range(CLASSES)]
    samples = np.ascontiguousarray(x_test[picks])
    labels = y_test[picks].astype(np.int32)
    np.save(os.path.join(args.out_dir, "samples.npy"), samples)
    np.save(os.path.join(args.out_dir, "labels.npy"), labels)
    expected = forward(params, samples)[1]
    print(f"wrote {model_path} ({size} bytes)")
    print("samples: labels", labels.tolist(),
          "predicted", expected.argmax(axis=1).tolist())
    if not check_with_litert(model_path, samples, expected):
        sys.exit(1)


if __name__ == "__main__":
    main()
