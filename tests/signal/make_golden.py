#!/usr/bin/env python3
"""Generates the golden data of src/ops/signal_test.cc.

Each case is a one-op model of a TFLM "Signal" custom op. This script builds
the same model as the C++ test (same op, same tensor types, same custom
options), runs it in the TFLM Python interpreter (`pip install tflite-micro`,
the oracle: LiteRT does not have these ops) for one or more consecutive
frames, and writes tests/signal/golden/<case>/in<k>.npy (every op input,
constants included; non-constant ones carry a leading frame axis) and
out<k>.npy (every op output, with a leading frame axis).

Run from the repository root:  python3 tests/signal/make_golden.py
"""
import os
import sys

import flatbuffers
import numpy as np
from flatbuffers import flexbuffers
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")

TYPES = {np.int16: s.TensorType.INT16, np.int32: s.TensorType.INT32,
         np.uint32: s.TensorType.UINT32, np.uint64: s.TensorType.UINT64}


def build_model(code, inputs, outputs, options):
    """inputs: list of (array or None, dtype, shape); outputs: (dtype, shape)."""
    m = s.ModelT()
    m.version = 3
    m.buffers = [s.BufferT()]
    oc = s.OperatorCodeT()
    oc.builtinCode = s.BuiltinOperator.CUSTOM
    oc.deprecatedBuiltinCode = s.BuiltinOperator.CUSTOM
    oc.customCode = code
    oc.version = 1
    m.operatorCodes = [oc]
    g = s.SubGraphT()
    g.tensors = []
    g.inputs, g.outputs = [], []
    op_in, op_out = [], []

    def add_tensor(dtype, shape, data=None):
        t = s.TensorT()
        t.type = TYPES[dtype]
        t.shape = list(shape)
        t.name = "t%d" % len(g.tensors)
        if data is not None:
            b = s.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data, dtype).tobytes(),
                                   np.uint8)
            m.buffers.append(b)
            t.buffer = len(m.buffers) - 1
        else:
            t.buffer = 0
        g.tensors.append(t)
        return len(g.tensors) - 1

    for const, dtype, shape in inputs:
        idx = add_tensor(dtype, shape, const)
        op_in.append(idx)
        if const is None:
            g.inputs.append(idx)
    for dtype, shape in outputs:
        idx = add_tensor(dtype, shape)
        op_out.append(idx)
        g.outputs.append(idx)
    op = s.OperatorT()
    op.opcodeIndex = 0
    op.inputs, op.outputs = op_in, op_out
    op.customOptions = list(flexbuffers.Dumps(options))
    op.customOptionsFormat = s.CustomOptionsFormat.FLEXBUFFERS
    g.operators = [op]
    m.subgraphs = [g]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def run_case(name, code, inputs, outputs, options, frames):
    """frames: list (one entry per invoke) of lists of non-constant inputs."""
    model = build_model(code, [(c, d, sh) for c, d, sh in inputs], outputs,
                        options)
    interp = runtime.Interpreter.from_bytes(model, arena_size=1 << 20)
    results = [[] for _ in outputs]
    for frame in frames:
        for k, value in enumerate(frame):
            interp.set_input(value, k)
        interp.invoke()
        for k in range(len(outputs)):
            results[k].append(np.array(interp.get_output(k)).copy())
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    var = 0
    for k, (const, dtype, shape) in enumerate(inputs):
        if const is not None:
            arr = np.asarray(const, dtype).reshape(shape)
        else:
            arr = np.stack([np.asarray(f[var], dtype) for f in frames])
            var += 1
        np.save(os.path.join(d, "in%d.npy" % k), arr)
    for k, rows in enumerate(results):
        np.save(os.path.join(d, "out%d.npy" % k), np.stack(rows))
    return results


def main():
    rng = np.random.default_rng(20261124)
    i16 = lambda shape, lo=-32768, hi=32767: rng.integers(lo, hi + 1, shape).astype(np.int16)

    # SignalWindow: batched frames, a mild shift and a saturating one.
    for shift in (12, 2):
        x = i16((2, 24))
        w = i16((24,), 0, 32767)
        run_case("window_shift%d" % shift, "SignalWindow",
                 [(None, np.int16, (2, 24)), (w, np.int16, (24,))],
                 [(np.int16, (2, 24))], {"shift": shift}, [[x]])

    # SignalFftAutoScale: small signal, -32768 corner, all zeros, full scale.
    frames = [[i16((40,), -300, 300)],
              [np.concatenate([[-32768], i16((39,), -100, 100)]).astype(np.int16)],
              [np.zeros(40, np.int16)], [i16((40,))], [i16((40,), -3, 3)]]
    run_case("fft_auto_scale", "SignalFftAutoScale", [(None, np.int16, (40,))],
             [(np.int16, (40,)), (np.int32, ())], {}, frames)

    # SignalRfft (int16): the micro_speech configuration and smaller sizes
    # (radix-2 stages, batching, zero padding).
    for fft_length, shape, amp in ((512, (480,), 32767), (512, (480,), 2000),
                                   (64, (2, 50), 32767), (16, (16,), 32767),
                                   (8, (5,), 32767), (4, (4,), 32767),
                                   (128, (3, 128), 8000)):
        name = "rfft_%d_%s_a%d" % (fft_length, "x".join(map(str, shape)), amp)
        out_shape = tuple(shape[:-1]) + (2 * (fft_length // 2 + 1),)
        frames = [[i16(shape, -amp, amp)] for _ in range(2)]
        run_case(name, "SignalRfft", [(None, np.int16, shape)],
                 [(np.int16, out_shape)],
                 {"T": int(s.TensorType.INT16), "fft_length": fft_length}, frames)

    # SignalEnergy over the whole spectrum (TFLM leaves bins outside
    # [start, end) unwritten, so only a full range is compared bit for bit).
    run_case("energy_full", "SignalEnergy", [(None, np.int16, (66,))],
             [(np.uint32, (33,))], {"end_index": 33, "start_index": 0},
             [[i16((66,))], [i16((66,), -1000, 1000)]])

    # SignalFilterBank: a synthetic triangular bank with 6 channels.
    num_channels = 6
    widths = np.array([3, 4, 5, 5, 6, 7, 4], np.int16)
    freq_starts = np.array([1, 3, 6, 10, 14, 19, 25], np.int16)
    weight_starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int16)
    nw = int(widths.sum())
    weights = rng.integers(0, 4097, nw).astype(np.int16)
    unweights = (4096 - weights).astype(np.int16)
    frames = [[rng.integers(0, 2**31, 32, dtype=np.uint64).astype(np.uint32)],
              [rng.integers(0, 2**32, 32, dtype=np.uint64).astype(np.uint32)]]
    run_case("filter_bank", "SignalFilterBank",
             [(None, np.uint32, (32,)), (weights, np.int16, (nw,)),
              (unweights, np.int16, (nw,)), (freq_starts, np.int16, (7,)),
              (weight_starts, np.int16, (7,)), (widths, np.int16, (7,))],
             [(np.uint64, (num_channels,))], {"num_channels": num_channels},
             frames)

    # SignalFilterBankSquareRoot: magnitudes from 0 to 2^64 - 1.
    def u64_spread(n):
        bits = rng.integers(0, 65, n)
        v = [int(rng.integers(0, 2**63)) * 2 + int(rng.integers(0, 2)) for _ in range(n)]
        return np.array([x >> (64 - int(b)) if b else 0 for x, b in zip(v, bits)],
                        np.uint64)
    special = np.array([0, 1, 2, 3, 4, 2**32 - 1, 2**32, 2**32 + 1,
                        2**64 - 1, 2**62, (2**32 - 1)**2, (2**32 - 1)**2 + 1],
                       np.uint64)
    frames = [[np.concatenate([special, u64_spread(20)]), np.int32(sh)]
              for sh in (0, 3, 7)]
    run_case("filter_bank_sqrt", "SignalFilterBankSquareRoot",
             [(None, np.uint64, (32,)), (None, np.int32, ())],
             [(np.uint32, (32,))], {}, frames)

    # SignalFilterBankSpectralSubtraction: micro_speech parameters, stateful
    # over 8 frames, with and without clamping.
    base = {"alternate_one_minus_smoothing": 15401, "alternate_smoothing": 983,
            "min_signal_remaining": 819, "num_channels": 10,
            "one_minus_smoothing": 15975, "smoothing": 409,
            "smoothing_bits": 10, "spectral_subtraction_bits": 14}
    sig = [rng.integers(0, 4000, 10).astype(np.uint32) for _ in range(8)]
    sig[5] = np.zeros(10, np.uint32)  # a silent frame: estimate > signal
    for clamping in (False, True):
        opts = dict(base, clamping=clamping)
        run_case("spectral_subtraction_clamp%d" % clamping,
                 "SignalFilterBankSpectralSubtraction", [(None, np.uint32, (10,))],
                 [(np.uint32, (10,)), (np.uint32, (10,))], opts,
                 [[x] for x in sig])

    # SignalFilterBankLog: values across the uint32 range.
    def u32_spread(n):
        bits = rng.integers(0, 33, n)
        return np.array([int(rng.integers(0, 2**32)) >> (32 - int(b)) if b else 0
                         for b in bits], np.uint32)
    vals = np.concatenate([np.array([0, 1, 2, 3, 2**31, 2**32 - 1], np.uint32),
                           u32_spread(34)])
    for scale, bits in ((64, 3), (1600, 0), (65536, 5)):
        run_case("filter_bank_log_s%d_b%d" % (scale, bits), "SignalFilterBankLog",
                 [(None, np.uint32, (40,))], [(np.int16, (40,))],
                 {"input_correction_bits": bits, "output_scale": scale},
                 [[vals]])

    # SignalPCAN: a gain table shaped like the front end's (smooth per-octave
    # quadratics), noise estimates across all octaves.
    lut = np.zeros(125, np.int16)
    lut[0:3] = [8192, 8000, 7800]
    for octave in range(2, 33):
        base_i = 4 * octave - 6
        if base_i + 2 < 125:
            lut[base_i] = max(10, 8192 - 250 * octave)
            lut[base_i + 1] = -int(rng.integers(0, 400))
            lut[base_i + 2] = int(rng.integers(-200, 200))
    noise = np.concatenate([np.array([0, 1, 2, 3, 4, 2**32 - 1], np.uint32),
                            u32_spread(34)])
    frames = [[u32_spread(40), noise], [rng.integers(0, 2**16, 40).astype(np.uint32), noise]]
    run_case("pcan", "SignalPCAN",
             [(None, np.uint32, (40,)), (None, np.uint32, (40,)),
              (lut, np.int16, (125,))],
             [(np.uint32, (40,))], {"snr_shift": 6}, frames)
    print("wrote", OUT_DIR)


if __name__ == "__main__":
    sys.exit(main())
