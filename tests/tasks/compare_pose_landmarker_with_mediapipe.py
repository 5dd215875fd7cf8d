#!/usr/bin/env python3
"""Manual comparison: Ember's PoseLandmarker vs MediaPipe Tasks' on the same
models and pictures (not CI). MediaPipe Tasks needs a .task bundle with a pose
detector and a pose landmark model; the shared data has pose_landmark_lite but
no pose_detection.tflite (google/mediapipe does not store it in git). Both sides
therefore run with a STAND-IN detector built here with TensorFlow: it ignores
the picture and always reports one person whose hip centre is the picture's
centre and whose body size point lies 0.4 of the picture above it, tilted
slightly, so the region (2.5 times that distance) covers the picture, turned a
few degrees. What this compares is everything after the detector: pose
detector decoding and NMS, letterbox removal, the region (alignment points,
rotation, 1.25 scale), the rotated crop, the landmark model, the heatmap
refinement, projection, visibility/presence, world landmarks. It says nothing
about the real detector. Landmarks with visibility < 0.5 are in the table too.

  python3 tests/tasks/compare_pose_landmarker_with_mediapipe.py \\
      --make-standin /tmp/ember_pose/pose_standin.tflite   # needs TensorFlow
  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python /tmp/mpv/bin/python \\
      tests/tasks/compare_pose_landmarker_with_mediapipe.py --ember build/release/ember \\
      --models ../shared/models --detector /tmp/ember_pose/pose_standin.tflite \\
      --out /tmp/ember_pose

Prints a Markdown table: landmark difference in pixels (mean / max over the 33),
visibility difference, world landmark difference (mm), and end-to-end latency
(file decode + both models + post-processing, one thread, pinned to one core,
interleaved rounds: median of the round medians / minimum).
"""
import argparse
import os
import pathlib
import sys
import time
import zipfile

import numpy as np

# Stand-in detector output: anchor (14, 14) of the 28x28 layer (centre 116 px of
# 224), box and keypoints in input pixels relative to it.
ANCHOR = (14 * 28 + 14) * 2
HIP = (112.0, 112.0)
BODY = (112.0 + 0.07 * 224, 112.0 - 0.4 * 224)


def make_standin(path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf  # test tooling only
    c = 116.0
    boxes = np.zeros((2254, 12), np.float32)
    boxes[ANCHOR] = [HIP[0] - c, HIP[1] - c, 180, 180, HIP[0] - c, HIP[1] - c,
                     BODY[0] - c, BODY[1] - c, 0, -40, 0, -80]
    scores = np.full((2254, 1), -10.0, np.float32)
    scores[ANCHOR] = 10.0

    class Detector(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 224, 224, 3], tf.float32)])
        def serve(self, image):
            # (x 0 would be folded away, leaving a model without operators,
            # which MediaPipe refuses; 1e-30 of a [-1, 1] mean vanishes.)
            zero = tf.reduce_mean(image) * 1e-30
            # The converter lists outputs in reverse key order; MediaPipe takes
            # them by position: boxes, then scores.
            return {"b": tf.constant(boxes)[None] + zero, "a": tf.constant(scores)[None] + zero}

    d = Detector()
    conv = tf.lite.TFLiteConverter.from_concrete_functions([d.serve.get_concrete_function()], d)
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(path).write_bytes(conv.convert())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-standin")
    ap.add_argument("--ember")
    ap.add_argument("--models", type=pathlib.Path)
    ap.add_argument("--detector", type=pathlib.Path)
    ap.add_argument("--out", type=pathlib.Path)
    ap.add_argument("--runs", type=int, default=10, help="runs per round")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if a.make_standin:
        make_standin(a.make_standin)
        return
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from compare_with_mediapipe import core, ember, mp, tflm_person, vision, write_png
    os.sched_setaffinity(0, {0})
    a.out.mkdir(parents=True, exist_ok=True)
    pose = a.models / "mediapipe/pose_landmark_lite.tflite"
    det_md = a.out / "pose_detector.tflite"
    pose_md = a.out / "pose_landmarks_detector.tflite"
    # MediaPipe refuses float models without NormalizationOptions: any image
    # task's metadata carries them ([-1, 1] for the detector, [0, 1] landmarks).
    ember(a.ember, "metadata", str(a.detector), "-o", str(det_md), "--task",
          "image_embedder", "--mean", "127.5", "--std", "127.5")
    ember(a.ember, "metadata", str(pose), "-o", str(pose_md), "--task", "image_embedder",
          "--mean", "0", "--std", "255")
    bundle = a.out / "pose_landmarker.task"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as z:
        z.write(det_md, det_md.name)
        z.write(pose_md, pose_md.name)
    theirs_task = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=str(bundle)),
        num_poses=1, min_pose_presence_confidence=0.0))
    pictures = []
    for scale in (1, 3):
        pic = a.out / f"person_{96 * scale}.png"
        write_png(pic, tflm_person(a.models, scale))
        pictures.append(pic)
    # Not a person, but not square: the detector's letterbox is removed.
    pictures.append(a.models / "data/images/input.jpg")
    rows = []
    for pic in pictures:
        # Presence threshold 0 on both sides: the numbers are compared even
        # where the model says there is no person (input.jpg).
        args = ["task", "pose", "--model", str(pose), "--detector", str(a.detector), str(pic),
                "--min-presence-confidence", "0", "--json"]
        ours = ember(a.ember, *args)
        theirs = theirs_task.detect(mp.Image.create_from_file(str(pic)))
        w, h = ours["image"]["width"], ours["image"]["height"]
        if not ours["poses"] or not theirs.pose_landmarks:
            rows.append((pic.name, f"{len(ours['poses'])} vs {len(theirs.pose_landmarks)} poses",
                         "", "", "", ""))
            continue
        o = np.array([[p["x"] * w, p["y"] * h] for p in ours["poses"][0]["landmarks"]])
        t = np.array([[p.x * w, p.y * h] for p in theirs.pose_landmarks[0]])
        d = np.hypot(*(o - t).T)
        vis = np.abs(np.array([p["visibility"] for p in ours["poses"][0]["landmarks"]])
                     - np.array([p.visibility for p in theirs.pose_landmarks[0]]))
        ow = np.array([[p["x"], p["y"], p["z"]] for p in ours["poses"][0]["world_landmarks"]])
        tw = np.array([[p.x, p.y, p.z] for p in theirs.pose_world_landmarks[0]])
        dw = np.linalg.norm(ow - tw, axis=1) * 1000
        e_ms, m_ms, e_min, m_min = [], [], [], []
        for _ in range(a.rounds):
            timed = ember(a.ember, *args, "--repeat", str(a.runs))
            e_ms.append(timed["latency_ms"])
            e_min.append(timed["latency_min_ms"])
            times = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                theirs_task.detect(mp.Image.create_from_file(str(pic)))
                times.append((time.perf_counter() - t0) * 1000)
            m_ms.append(float(np.median(times)))
            m_min.append(min(times))
        rows.append((f"{pic.name} ({w}x{h})", f"mean {d.mean():.2f} / max {d.max():.2f}",
                     f"max {vis.max():.4f}", f"mean {dw.mean():.2f} / max {dw.max():.2f}",
                     f"{np.median(e_ms):.2f} / {min(e_min):.2f}",
                     f"{np.median(m_ms):.2f} / {min(m_min):.2f}"))
    print("| picture | landmarks Ember vs MediaPipe, px | visibility diff | world landmarks, mm "
          "| Ember ms (median / min) | MediaPipe ms (median / min) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
