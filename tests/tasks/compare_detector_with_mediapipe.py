#!/usr/bin/env python3
"""Manual comparison: Ember's ObjectDetector vs MediaPipe Tasks' on the same
SSD-style model and pictures. No SSD detector is among the shared models, so
the model is made here: a TensorFlow conv head (seeded random weights, a 12x12
stride-12 conv over a 96x96 input: an 8x8 grid of anchors, 3 classes +
background, sigmoid scores) converted to .tflite, given constant anchors and
the TFLite_Detection_PostProcess custom op by editing the flatbuffer, then
labels and [-1, 1] normalization by `ember metadata --task object_detector`
(MediaPipe needs both). Prints a Markdown table: detections matched in order,
class agreement, identical pixel boxes, box IoU, score difference, and
end-to-end latency (file decode + preprocessing + inference +
postprocessing, median / minimum of N runs, both pinned to one core).

MediaPipe's wheel does not fit the pinned test environment: run this in the
venv of requirements-mediapipe.txt (also needs TensorFlow, from the system
site packages):

  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python /tmp/mpv/bin/python \\
      tests/tasks/compare_detector_with_mediapipe.py --ember build/release/ember \\
      --models ../shared/models --out /tmp/ember_mp_detect
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time
import types

# matplotlib is imported only by MediaPipe's drawing helpers: stub it.
stub = types.ModuleType("matplotlib")
stub.pyplot = types.ModuleType("matplotlib.pyplot")
sys.modules.update({"matplotlib": stub, "matplotlib.pyplot": stub.pyplot})

import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from mediapipe.tasks.python import core, vision  # noqa: E402

SIZE, CELL = 96, 12
GRID = SIZE // CELL
LABELS = ["circle", "square", "triangle"]


def build_detector(path, seed, threshold):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    from flatbuffers import flexbuffers
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    rng = np.random.default_rng(seed)
    box_w = tf.constant(rng.normal(0, 0.02, (CELL, CELL, 3, 4)), tf.float32)
    cls_w = tf.constant(rng.normal(0, 0.05, (CELL, CELL, 3, len(LABELS) + 1)), tf.float32)

    class Head(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, SIZE, SIZE, 3], tf.float32)])
        def serve(self, image):
            enc = tf.nn.conv2d(image, box_w, CELL, "VALID")
            cls = tf.sigmoid(tf.nn.conv2d(image, cls_w, CELL, "VALID"))
            return {"enc": tf.reshape(enc, [1, GRID * GRID, 4]),
                    "cls": tf.reshape(cls, [1, GRID * GRID, len(LABELS) + 1])}

    head = Head()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([head.serve.get_concrete_function()],
                                                           head)
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(conv.convert()))
    sg = model.subgraphs[0]
    enc = next(i for i in sg.outputs if sg.tensors[i].shape[-1] == 4)
    cls = next(i for i in sg.outputs if sg.tensors[i].shape[-1] == len(LABELS) + 1)

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

    anchors = [[(r + 0.5) / GRID, (c + 0.5) / GRID, 1.5 / GRID, 1.5 / GRID]
               for r in range(GRID) for c in range(GRID)]
    anchor_t = tensor(b"anchors", [GRID * GRID, 4], anchors)
    outs = [tensor(b"detection_boxes", [1, 10, 4]), tensor(b"detection_classes", [1, 10]),
            tensor(b"detection_scores", [1, 10]), tensor(b"num_detections", [1])]
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
    code.customCode = b"TFLite_Detection_PostProcess"
    code.version = 1
    model.operatorCodes.append(code)
    op = schema.OperatorT()
    op.opcodeIndex = len(model.operatorCodes) - 1
    op.inputs, op.outputs = [enc, cls, anchor_t], outs
    op.customOptions = np.frombuffer(bytes(flexbuffers.Dumps({
        "max_detections": 10, "max_classes_per_detection": 1, "detections_per_class": 10,
        "use_regular_nms": False, "nms_score_threshold": threshold,
        "nms_iou_threshold": 0.5, "num_classes": len(LABELS),
        "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})), np.uint8)
    op.customOptionsFormat = schema.CustomOptionsFormat.FLEXBUFFERS
    sg.operators.append(op)
    sg.outputs = outs
    model.signatureDefs = []
    path.write_bytes(bytes(flatbuffer_utils.convert_object_to_bytearray(model)))


def ember(cli, *args):
    out = subprocess.run(["taskset", "-c", "0", cli, *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if "--json" in args else out


def iou(a, b):
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    ix = max(0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    iy = max(0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ember", required=True)
    ap.add_argument("--models", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--threshold", type=float, default=0.6)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    raw = a.out / "tiny_ssd.tflite"
    build_detector(raw, 7, a.threshold)
    labels = a.out / "labels.txt"
    labels.write_text("\n".join(LABELS) + "\n")
    model = a.out / "tiny_ssd_md.tflite"
    ember(a.ember, "metadata", str(raw), "-o", str(model), "--task", "object_detector",
          "--labels", str(labels), "--mean", "127.5", "--std", "127.5")
    os.sched_setaffinity(0, {0})  # MediaPipe on one core, as Ember's runs
    detector = vision.ObjectDetector.create_from_options(vision.ObjectDetectorOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=str(model))))
    print("| picture | size | detections Ember / MediaPipe | classes equal | identical boxes | "
          "box IoU min | max score diff | Ember ms median / min | MediaPipe ms median / min |")
    print("|---|---|---|---|---|---|---|---|---|")
    for pic in [a.models / "data/images/dino.jpg", a.models / "data/images/input.jpg"]:
        ours = ember(a.ember, "task", "detect", "--model", str(model), str(pic), "--json",
                     "--repeat", str(a.runs), "-o", str(a.out / f"detect_{pic.stem}.png"))
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            theirs = detector.detect(mp.Image.create_from_file(str(pic)))
            times.append((time.perf_counter() - t0) * 1000)
        mine = [((d["bounding_box"]["origin_x"], d["bounding_box"]["origin_y"],
                  d["bounding_box"]["width"], d["bounding_box"]["height"]),
                 d["categories"][0]["category_name"], d["categories"][0]["score"])
                for d in ours["detections"]]
        mp_dets = [((d.bounding_box.origin_x, d.bounding_box.origin_y,
                     d.bounding_box.width, d.bounding_box.height),
                    d.categories[0].category_name, d.categories[0].score)
                   for d in theirs.detections]
        pairs = list(zip(mine, mp_dets))
        same_class = all(m[1] == t[1] for m, t in pairs)
        ious = [iou(m[0], t[0]) for m, t in pairs]
        diffs = [abs(m[2] - t[2]) for m, t in pairs]
        print(f"| {pic.name} | {ours['image']['width']}x{ours['image']['height']} | "
              f"{len(mine)} / {len(mp_dets)} | {same_class} | "
              f"{sum(m[0] == t[0] for m, t in pairs)} of {len(pairs)} | "
              f"{min(ious) if ious else float('nan'):.3f} | "
              f"{max(diffs) if diffs else float('nan'):.4f} | "
              f"{ours['latency_ms']:.2f} / {ours['latency_min_ms']:.2f} | "
              f"{np.median(times):.2f} / {np.min(times):.2f} |")
        for m, t in zip(mine, mp_dets):
            print(f"<!-- ember {m} mediapipe {t} -->")


if __name__ == "__main__":
    main()
