#!/usr/bin/env python3
"""TFLite_Detection_PostProcess alone, Ember vs LiteRT: a one-op model at SSD
MobileNet COCO settings (1917 anchors, 90 classes + background, score
threshold 1e-8, IoU 0.6) in both NMS modes, the same inputs given to both,
timed in interleaved rounds (1 thread); prints the medians, their ratio and
whether the outputs agree (count and classes equal, boxes and scores within
1e-5).

  PYTHONPATH=<dir with the ember package> python3 bench/detection_postprocess_compare.py
      [--rounds 7] [--max-detections 10] [--scores sparse|uniform]

--scores sparse: u^8 for u uniform in [0, 1] (most scores small, as after a
sigmoid); uniform: u itself (every class of every anchor competes).
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from ai_edge_litert import interpreter as litert
from flatbuffers import flexbuffers
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

import ember

ANCHORS, COLUMNS = 1917, 91


def build(regular, max_detections):
    model = schema.ModelT()
    model.version = 3
    model.buffers = [schema.BufferT()]
    sg = schema.SubGraphT()
    sg.tensors = []

    def tensor(name, shape, data=None):
        buf = schema.BufferT()
        if data is not None:
            buf.data = np.frombuffer(np.asarray(data, np.float32).tobytes(), np.uint8)
        model.buffers.append(buf)
        t = schema.TensorT()
        t.name, t.shape, t.type = name, list(shape), schema.TensorType.FLOAT32
        t.buffer = len(model.buffers) - 1
        sg.tensors.append(t)
        return len(sg.tensors) - 1

    rng = np.random.default_rng(1)
    anchors = np.stack([rng.uniform(0, 1, ANCHORS), rng.uniform(0, 1, ANCHORS),
                        rng.uniform(0.05, 0.5, ANCHORS), rng.uniform(0.05, 0.5, ANCHORS)], 1)
    enc = tensor(b"box_encodings", [1, ANCHORS, 4])
    cls = tensor(b"class_predictions", [1, ANCHORS, COLUMNS])
    anc = tensor(b"anchors", [ANCHORS, 4], anchors)
    outs = [tensor(b"boxes", [1, max_detections, 4]), tensor(b"classes", [1, max_detections]),
            tensor(b"scores", [1, max_detections]), tensor(b"count", [1])]
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
    code.customCode = b"TFLite_Detection_PostProcess"
    code.version = 1
    model.operatorCodes = [code]
    op = schema.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [enc, cls, anc], outs
    op.customOptions = np.frombuffer(bytes(flexbuffers.Dumps({
        "max_detections": max_detections, "max_classes_per_detection": 1,
        "detections_per_class": 100, "use_regular_nms": regular,
        "nms_score_threshold": 1e-8, "nms_iou_threshold": 0.6, "num_classes": COLUMNS - 1,
        "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})), np.uint8)
    op.customOptionsFormat = schema.CustomOptionsFormat.FLEXBUFFERS
    sg.operators = [op]
    sg.inputs, sg.outputs = [enc, cls], outs
    model.subgraphs = [sg]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--max-detections", type=int, default=10)
    ap.add_argument("--scores", choices=["sparse", "uniform"], default="sparse")
    args = ap.parse_args()
    rng = np.random.default_rng(2)
    x_enc = rng.normal(0, 1, (1, ANCHORS, 4)).astype(np.float32)
    u = rng.uniform(0, 1, (1, ANCHORS, COLUMNS))
    x_cls = (u ** 8 if args.scores == "sparse" else u).astype(np.float32)
    tmp = Path(tempfile.mkdtemp())
    for regular in (False, True):
        path = tmp / f"detection_{int(regular)}.tflite"
        path.write_bytes(build(regular, args.max_detections))
        runtimes = {"ember": ember.Interpreter(model_path=str(path), num_threads=1),
                    "litert": litert.Interpreter(model_path=str(path), num_threads=1)}
        for it in runtimes.values():
            it.allocate_tensors()
            d = it.get_input_details()
            it.set_tensor(d[0]["index"], x_enc)
            it.set_tensor(d[1]["index"], x_cls)
            it.invoke()
        # Enough invokes per round for ~50 ms of both together.
        t0 = time.perf_counter()
        for it in runtimes.values():
            it.invoke()
        reps = max(1, int(0.05 / max(time.perf_counter() - t0, 1e-6)))
        times = {k: [] for k in runtimes}
        for _ in range(args.rounds):
            for name, it in runtimes.items():
                t0 = time.perf_counter()
                for _ in range(reps):
                    it.invoke()
                times[name].append((time.perf_counter() - t0) / reps * 1e3)
        out = {k: [it.get_tensor(q["index"]) for q in it.get_output_details()]
               for k, it in runtimes.items()}
        n = int(out["litert"][3][0])
        agree = (int(out["ember"][3][0]) == n
                 and np.array_equal(out["ember"][1][0, :n], out["litert"][1][0, :n])
                 and np.abs(out["ember"][0][0, :n] - out["litert"][0][0, :n]).max(initial=0) <= 1e-5
                 and np.abs(out["ember"][2][0, :n] - out["litert"][2][0, :n]).max(initial=0) <= 1e-5)
        e, l_ = statistics.median(times["ember"]), statistics.median(times["litert"])
        print(f"{'regular' if regular else 'fast'} NMS, max_detections {args.max_detections}, "
              f"{args.scores} scores: {n} detections, outputs agree: {agree}; "
              f"Ember {e:.3f} ms, LiteRT {l_:.3f} ms (medians of {args.rounds} rounds x {reps}); "
              f"LiteRT/Ember {l_ / e:.2f}")


if __name__ == "__main__":
    main()
