#!/usr/bin/env python3
"""Manual comparison: Ember's HandLandmarker vs MediaPipe Tasks' on the same two
models (palm_detection_lite + hand_landmark_lite, packed into a .task bundle
here with TFLite Metadata written by `ember metadata`). The shared pictures
have no hand in them, so both run with the palm threshold lowered to 0.02 and
the presence threshold to 0: each takes its best palm candidate and runs the
landmark model on that region. What this compares is the pipelines (palm
decoding, NMS, ROI, crop, projection, handedness labels) on regions that are
not hands, where the landmark model is least stable; it says nothing about
accuracy on real hands. Prints a Markdown table: landmark difference in
pixels, handedness from each, end-to-end latency (one thread, one core,
interleaved rounds, median of the round medians / minimum).

  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python PYTHONPATH=build/pyroot \\
      /tmp/mpv/bin/python tests/tasks/compare_hand_landmarker_with_mediapipe.py \\
      --ember build/release/ember --models ../shared/models --out /tmp/ember_hl
"""
import argparse
import os
import pathlib
import sys
import time
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compare_with_mediapipe import ember, mp, np, tflm_person, vision, core, write_png  # noqa: E402


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
    palm = a.models / "mediapipe/palm_detection_lite.tflite"
    hand = a.models / "mediapipe/hand_landmark_lite.tflite"
    palm_md, hand_md = a.out / "hand_detector.tflite", a.out / "hand_landmarks_detector.tflite"
    # Any image task's metadata carries the [0, 1] normalization MediaPipe needs.
    for src, dst in ((palm, palm_md), (hand, hand_md)):
        ember(a.ember, "metadata", str(src), "-o", str(dst), "--task", "image_embedder",
              "--mean", "0", "--std", "255")
    bundle = a.out / "hand_landmarker.task"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as z:
        z.write(palm_md, palm_md.name)
        z.write(hand_md, hand_md.name)
    theirs_task = vision.HandLandmarker.create_from_options(vision.HandLandmarkerOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=str(bundle)),
        num_hands=1, min_hand_detection_confidence=0.02, min_hand_presence_confidence=0.0))
    pictures = []
    for scale in (1, 3):
        pic = a.out / f"person_{96 * scale}.png"
        write_png(pic, tflm_person(a.models, scale))
        pictures.append(pic)
    pictures.append(a.models / "data/images/input.jpg")
    rows = []
    for pic in pictures:
        args = ["task", "hands", "--model", str(hand), "--detector", str(palm), str(pic),
                "--num-hands", "1", "--min-detection-confidence", "0.02",
                "--min-presence-confidence", "0", "--json"]
        ours = ember(a.ember, *args)
        theirs = theirs_task.detect(mp.Image.create_from_file(str(pic)))
        w, h = ours["image"]["width"], ours["image"]["height"]
        if not ours["hands"] or not theirs.hand_landmarks:
            rows.append((pic.name, f"{len(ours['hands'])} vs {len(theirs.hand_landmarks)} hands",
                         "", "", ""))
            continue
        o = np.array([[p["x"] * w, p["y"] * h] for p in ours["hands"][0]["landmarks"]])
        t = np.array([[p.x * w, p.y * h] for p in theirs.hand_landmarks[0]])
        d = np.hypot(*(o - t).T)
        side_o = ours["hands"][0]["handedness"]
        side_t = theirs.handedness[0][0]
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
                     f"{side_o['category_name']} {side_o['score']:.3f} vs "
                     f"{side_t.category_name} {side_t.score:.3f}",
                     f"{np.median(e_ms):.2f} / {min(e_min):.2f}",
                     f"{np.median(m_ms):.2f} / {min(m_min):.2f}"))
    print("| picture | landmarks Ember vs MediaPipe, px | handedness Ember vs MediaPipe "
          "| Ember ms (median / min) | MediaPipe ms (median / min) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
