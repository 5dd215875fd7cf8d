#!/usr/bin/env python3
"""Manual comparison: Ember's FaceLandmarker vs MediaPipe Tasks' on the same
two models (face_detection_short_range + face_landmark.tflite, packed into a
.task bundle here, with TFLite Metadata written by `ember metadata`) and TFLM's
person.bmp (96x96, and 3x upscaled). Prints a Markdown table.

MediaPipe Tasks' FaceLandmarker is built for the 478-point model of its own
face_landmarker.task (not in ../shared/models, not on PyPI): its
TensorsToFaceLandmarksGraph always decodes 478 landmarks, so on
face_landmark.tflite's 1404 values it reads 478 (x, y) pairs with a stride of 2
and its mesh is not a face. What it still shows is whether the two pipelines
agree up to the model's output: the ROI, the rotated crop, the model run and
the projection back. So the table gives (a) MediaPipe's landmarks against
Ember's crop of the same face run through the model (LiteRT) and read
MediaPipe's way, projected through Ember's ROI: this is the pipeline agreement
in pixels; (b) the direct difference of the two meshes (large, MediaPipe's
misreading); (c) end-to-end latency (decode + detector + crop + landmark
model + projection), one thread, pinned to one core, interleaved rounds.

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
    bundle = a.out / "face_landmarker.task"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as z:
        z.write(det_md, det_md.name)
        z.write(lm_md, lm_md.name)
    theirs_task = vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=str(bundle))))
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
        direct = np.hypot(*(ours_px - mp_px[:468]).T)
        # Latency: interleaved rounds, each the median of --runs; then the median.
        e_ms, m_ms, e_min, m_min = [], [], [], []
        for _ in range(a.rounds):
            timed = ember(a.ember, *args, "--repeat", str(a.runs))
            e_ms.append(timed["latency_ms"])
            e_min.append(timed["latency_min_ms"])
            t = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                theirs_task.detect(mp.Image.create_from_file(str(pic)))
                t.append((time.perf_counter() - t0) * 1000)
            m_ms.append(float(np.median(t)))
            m_min.append(min(t))
        rows.append((f"{pic.name} ({w}x{h})",
                     f"mean {pipe.mean():.3f} / max {pipe.max():.3f}",
                     f"mean {direct.mean():.1f} / max {direct.max():.1f}",
                     f"{np.median(e_ms):.2f} / {min(e_min):.2f}",
                     f"{np.median(m_ms):.2f} / {min(m_min):.2f}"))
    print("| picture | (a) pipeline agreement, px | (b) meshes as returned, px "
          "| Ember ms (median / min) | MediaPipe ms (median / min) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
