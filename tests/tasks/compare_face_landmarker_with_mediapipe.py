#!/usr/bin/env python3
"""Manual comparison: Ember's FaceLandmarker vs MediaPipe Tasks' on the same
two models (face_detection_short_range + face_landmark.tflite, packed into a
.task bundle here, with TFLite Metadata written by `ember metadata`) and TFLM's
person.bmp (96x96, and 3x upscaled). Prints a Markdown table.

MediaPipe Tasks' FaceLandmarker is built for the 478-point model of its own
face_landmarker.task (not in ../shared/models, not on PyPI): its
TensorsToFaceLandmarksGraph always decodes 478 landmarks, so on
face_landmark.tflite's 1404 values it reads 478 (x, y) pairs with a stride of 2
and its mesh is not a face. So MediaPipe is given face_landmark.tflite with one
op appended: a PAD of its landmark output from 1404 to 1434 values (478 x 3,
the last 10 zero), which MediaPipe decodes correctly; Ember runs the model as
it is. Columns: (a) the 468 landmarks, Ember vs MediaPipe on the padded model,
in pixels; (b) MediaPipe on the unpadded model against Ember's crop run through
the model (LiteRT) and read MediaPipe's stride-2 way, projected through Ember's
ROI (a second check that the ROI, crop and projection agree); (c) end-to-end
latency (decode + detector + crop + landmark model + projection), one thread,
pinned to one core, interleaved rounds, median of the round medians / minimum.

Run in the MediaPipe venv with Ember's Python module on the path:

  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python PYTHONPATH=build/pyroot \\
      /tmp/mpv/bin/python tests/tasks/compare_face_landmarker_with_mediapipe.py \\
      --ember build/release/ember --models ../shared/models --out /tmp/ember_fl
"""
import argparse
import math
import os
import pathlib
import sys
import time
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compare_with_mediapipe import ember, mp, np, tflm_person, vision, core, write_png  # noqa: E402

from ai_edge_litert.interpreter import Interpreter  # noqa: E402
from ember import _ember  # noqa: E402


def pad_landmarks_to_478(src, dst):
    """`src` with a PAD op after its [1,1,1,1404] landmark output: [1,1,1,1434]."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils
    model = flatbuffer_utils.read_model(str(src))
    sg = model.subgraphs[0]
    out = next(i for i in sg.outputs if int(np.prod(sg.tensors[i].shape)) == 1404)

    def tensor(name, shape, ttype, data=None):
        buf = schema.BufferT()
        buf.data = None if data is None else np.frombuffer(data, np.uint8)
        model.buffers.append(buf)
        t = schema.TensorT()
        t.name, t.shape, t.type = name.encode(), np.array(shape, np.int32), ttype
        t.buffer = len(model.buffers) - 1
        sg.tensors.append(t)
        return len(sg.tensors) - 1

    pads = tensor("pad_to_478", [4, 2], schema.TensorType.INT32,
                  np.array([[0, 0], [0, 0], [0, 0], [0, 30]], np.int32).tobytes())
    padded = tensor("landmarks_478", [1, 1, 1, 1434], schema.TensorType.FLOAT32)
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.PAD
    code.version = 1
    model.operatorCodes.append(code)
    op = schema.OperatorT()
    op.opcodeIndex = len(model.operatorCodes) - 1
    op.inputs, op.outputs = np.array([out, pads], np.int32), np.array([padded], np.int32)
    op.builtinOptionsType = schema.BuiltinOptions.PadOptions
    op.builtinOptions = schema.PadOptionsT()
    sg.operators.append(op)
    sg.outputs = np.array([padded if i == out else i for i in sg.outputs], np.int32)
    flatbuffer_utils.write_model(model, str(dst))


def bundle(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, f in files.items():
            z.write(f, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ember", required=True)
    ap.add_argument("--models", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--runs", type=int, default=20, help="runs per round")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    os.sched_setaffinity(0, {0})
    a.out.mkdir(parents=True, exist_ok=True)
    detector = a.models / "mediapipe/face_detection_short_range.tflite"
    landmark = a.models / "mediapipe/face_landmark.tflite"
    det_md, lm_md = a.out / "face_detector.tflite", a.out / "face_landmarks_detector.tflite"
    ember(a.ember, "metadata", str(detector), "-o", str(det_md), "--task", "face_detector",
          "--mean", "127.5", "--std", "127.5")
    # Any image task's metadata carries the input normalization MediaPipe needs.
    ember(a.ember, "metadata", str(landmark), "-o", str(lm_md), "--task", "image_embedder",
          "--mean", "0", "--std", "255")
    padded_raw, padded_md = a.out / "face_landmark_478.tflite", a.out / "face_landmark_478_md.tflite"
    pad_landmarks_to_478(landmark, padded_raw)
    ember(a.ember, "metadata", str(padded_raw), "-o", str(padded_md), "--task", "image_embedder",
          "--mean", "0", "--std", "255")
    plain, padded = a.out / "face_landmarker.task", a.out / "face_landmarker_478.task"
    bundle(plain, {"face_detector.tflite": det_md, "face_landmarks_detector.tflite": lm_md})
    bundle(padded, {"face_detector.tflite": det_md, "face_landmarks_detector.tflite": padded_md})

    def create(path):
        return vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
            base_options=core.base_options.BaseOptions(model_asset_path=str(path))))
    theirs_task, theirs_padded = create(plain), create(padded)
    litert = Interpreter(model_path=str(landmark))
    litert.allocate_tensors()
    rows = []
    for scale in (1, 3):
        pixels = tflm_person(a.models, scale)
        pic = a.out / f"person_{96 * scale}.png"
        write_png(pic, pixels)
        args = ["task", "face-landmarks", "--model", str(landmark), "--detector",
                str(detector), str(pic), "--json"]
        ours = ember(a.ember, *args)
        theirs = theirs_task.detect(mp.Image.create_from_file(str(pic))).face_landmarks
        w, h = ours["image"]["width"], ours["image"]["height"]
        if not ours["faces"] or not theirs:
            rows.append((pic.name, f"{len(ours['faces'])} vs {len(theirs)} faces", "", "", ""))
            continue
        face = ours["faces"][0]
        roi = face["roi"]
        r = (roi["center_x"], roi["center_y"], roi["width"], roi["height"], roi["rotation"])
        crop = _ember._warp_rotated_rect(pixels, r, 192, 192)
        litert.set_tensor(litert.get_input_details()[0]["index"],
                          (crop.astype(np.float32) / 255)[None])
        litert.invoke()
        flat = next(litert.get_tensor(d["index"]).ravel()
                    for d in litert.get_output_details() if np.prod(d["shape"]) == 1404)
        pairs = flat[:478 * 2].reshape(478, 2)  # MediaPipe's reading (stride 2)
        c, s = math.cos(r[4]), math.sin(r[4])
        proj = np.array(r[:2]) + ((pairs / 192 - 0.5) * [r[2], r[3]]) @ np.array([[c, -s], [s, c]]).T
        mp_px = np.array([[p.x * w, p.y * h] for p in theirs[0]])
        pipe = np.hypot(*(proj - mp_px).T)
        ours_px = np.array([[p["x"] * w, p["y"] * h] for p in face["landmarks"]])
        theirs_468 = theirs_padded.detect(mp.Image.create_from_file(str(pic))).face_landmarks[0]
        direct = np.hypot(*(ours_px - np.array([[p.x * w, p.y * h] for p in theirs_468[:468]])).T)
        dz = max(abs(p["z"] - q.z) for p, q in zip(face["landmarks"], theirs_468))
        # Latency: interleaved rounds, each the median of --runs; then the median.
        e_ms, m_ms, e_min, m_min = [], [], [], []
        for _ in range(a.rounds):
            timed = ember(a.ember, *args, "--repeat", str(a.runs))
            e_ms.append(timed["latency_ms"])
            e_min.append(timed["latency_min_ms"])
            t = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                theirs_padded.detect(mp.Image.create_from_file(str(pic)))
                t.append((time.perf_counter() - t0) * 1000)
            m_ms.append(float(np.median(t)))
            m_min.append(min(t))
        rows.append((f"{pic.name} ({w}x{h})",
                     f"mean {direct.mean():.3f} / max {direct.max():.3f}; z max {dz:.1e}",
                     f"mean {pipe.mean():.3f} / max {pipe.max():.3f}",
                     f"{np.median(e_ms):.2f} / {min(e_min):.2f}",
                     f"{np.median(m_ms):.2f} / {min(m_min):.2f}"))
    print("| picture | (a) 468 landmarks, Ember vs MediaPipe (padded model), px "
          "| (b) MediaPipe's stride-2 reading reproduced, px "
          "| Ember ms (median / min) | MediaPipe ms (median / min) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
