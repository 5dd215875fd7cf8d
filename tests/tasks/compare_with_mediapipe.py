#!/usr/bin/env python3
"""Manual comparison: Ember's tasks vs MediaPipe Tasks on the same models and
pictures (FaceDetector on BlazeFace short range, ImageSegmenter on selfie
segmentation), with TFLite Metadata written by `ember metadata` (MediaPipe
refuses float models without NormalizationOptions), and with --test-models
ImageEmbedder, TextClassifier, TextEmbedder and AudioClassifier on the models of
tests/tasks/make_test_models.py. Prints a Markdown table: box IoU, keypoint
error (pixels), mask agreement, embedding difference and cosine similarity,
text scores, and end-to-end latency
(file decode + preprocessing + inference + postprocessing, median of N runs,
both pinned to one core with taskset). Also writes the annotated pictures
(docs/tasks/*.png) from Ember's CLI.

MediaPipe's wheel does not fit the project's pinned test environment, so this
is not part of CI; run it in its own venv (see
tests/metadata/check_with_mediapipe.py for setting one up):

  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python /tmp/mpv/bin/python \\
      tests/tasks/compare_with_mediapipe.py --ember build/release/ember \\
      --models ../shared/models --out /tmp/ember_mp [--docs docs/tasks] \\
      [--test-models DIR]
"""
import argparse
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import time
import types
import wave
import zlib

# matplotlib is imported only by MediaPipe's drawing helpers: stub it.
stub = types.ModuleType("matplotlib")
stub.pyplot = types.ModuleType("matplotlib.pyplot")
sys.modules.update({"matplotlib": stub, "matplotlib.pyplot": stub.pyplot})

import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from mediapipe.tasks.python import audio, core, text, vision  # noqa: E402
from mediapipe.tasks.python.components.containers import audio_data  # noqa: E402


def write_png(path, pixels):
    """8-bit gray or RGB PNG with the standard library (no filter)."""
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", w, h, 8, 0 if channels == 1 else 2, 0, 0, 0)
    pathlib.Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                                   chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def read_png_gray(path):
    """The first channel (MediaPipe may load a gray PNG as RGB)."""
    pixels = np.asarray(mp.Image.create_from_file(str(path)).numpy_view())
    return pixels[..., 0] if pixels.ndim == 3 else pixels


def tflm_person(models, scale):
    """TFLM's person.bmp (int8 pixels stored as bytes: top bit flipped back),
    upscaled `scale` times (nearest), as RGB."""
    b = (models / "data/images/person.bmp").read_bytes()
    off = int.from_bytes(b[10:14], "little")
    px = np.frombuffer(b[off:off + 96 * 96], np.uint8).reshape(96, 96)[::-1] ^ 0x80
    px = np.repeat(np.repeat(px, scale, 0), scale, 1)
    return np.ascontiguousarray(np.stack([px] * 3, -1))


def ember(cli, *args):
    out = subprocess.run(["taskset", "-c", "0", cli, *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if "--json" in args else out


def mp_time(fn, path, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(mp.Image.create_from_file(str(path)))
        times.append((time.perf_counter() - t0) * 1000)
    return f"{np.median(times):.2f} / {np.min(times):.2f}"


def ember_time(result):
    digits = 2 if result["latency_min_ms"] >= 0.1 else 4
    return f"{result['latency_ms']:.{digits}f} / {result['latency_min_ms']:.{digits}f}"


def iou(a, b):
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    ix = max(0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    iy = max(0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ember", required=True)
    ap.add_argument("--models", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--docs", type=pathlib.Path)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--test-models", type=pathlib.Path,
                    help="the folder make_test_models.py wrote")
    a = ap.parse_args()
    os.sched_setaffinity(0, {0})  # MediaPipe on one core, as Ember's runs
    a.out.mkdir(parents=True, exist_ok=True)
    cli = a.ember
    face_raw = a.models / "mediapipe/face_detection_short_range.tflite"
    selfie_raw = a.models / "mediapipe/selfie_segmentation.tflite"
    face = a.out / "face_short_range_md.tflite"
    selfie = a.out / "selfie_md.tflite"
    ember(cli, "metadata", str(face_raw), "-o", str(face), "--task", "face_detector",
          "--mean", "127.5", "--std", "127.5")
    ember(cli, "metadata", str(selfie_raw), "-o", str(selfie), "--task", "image_segmenter",
          "--mean", "0", "--std", "255")
    person = a.out / "person_288.png"
    write_png(person, tflm_person(a.models, 3))
    dino = a.models / "data/images/dino.jpg"
    rows = []

    # FaceDetector
    det = vision.FaceDetector.create_from_options(vision.FaceDetectorOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=str(face))))
    for pic in (person, dino):
        ours = ember(cli, "task", "faces", "--model", str(face), str(pic), "--json",
                     "--repeat", str(a.runs), "-o", str(a.out / f"faces_{pic.stem}.png"))
        theirs = det.detect(mp.Image.create_from_file(str(pic))).detections
        w, h = ours["image"]["width"], ours["image"]["height"]
        agree = f"{len(ours['detections'])} vs {len(theirs)} faces"
        if ours["detections"] and theirs:
            o, t = ours["detections"][0], theirs[0]
            ob = o["bounding_box"]
            tb = t.bounding_box
            box_iou = iou((ob["origin_x"], ob["origin_y"], ob["width"], ob["height"]),
                          (tb.origin_x, tb.origin_y, tb.width, tb.height))
            err = max(np.hypot((k["x"] - m.x) * w, (k["y"] - m.y) * h)
                      for k, m in zip(o["keypoints"], t.keypoints))
            agree += (f"; IoU {box_iou:.3f}; keypoints max {err:.2f} px; score "
                      f"{o['score']:.3f} vs {t.categories[0].score:.3f}")
        rows.append(("FaceDetector", pic.name, f"{w}x{h}", agree, ember_time(ours),
                     mp_time(det.detect, pic, a.runs)))

    # ImageSegmenter
    seg = vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=str(selfie)),
        output_confidence_masks=True))
    for pic in (person, dino):
        mask_png = a.out / f"mask_{pic.stem}.png"
        ours = ember(cli, "task", "segment", "--model", str(selfie), str(pic), "--json",
                     "--repeat", str(a.runs), "--mask", str(mask_png),
                     "-o", str(a.out / f"segment_{pic.stem}.png"))
        theirs = seg.segment(mp.Image.create_from_file(str(pic))).confidence_masks[-1]
        m_theirs = np.asarray(theirs.numpy_view(), np.float32).reshape(
            ours["image"]["height"], ours["image"]["width"])
        m_ours = read_png_gray(mask_png).astype(np.float32) / 255
        inter = np.logical_and(m_ours >= 0.5, m_theirs >= 0.5).sum()
        union = np.logical_or(m_ours >= 0.5, m_theirs >= 0.5).sum()
        agree = (f"mask mean abs diff {np.abs(m_ours - m_theirs).mean():.4f}; "
                 f"foreground IoU {inter / max(union, 1):.3f}")
        rows.append(("ImageSegmenter", pic.name,
                     f"{ours['image']['width']}x{ours['image']['height']}", agree,
                     ember_time(ours), mp_time(seg.segment, pic, a.runs)))

    # ImageEmbedder (L2-normalized, as similarity search uses it)
    if a.test_models:
        embedder = a.out / "embedder_md.tflite"
        ember(cli, "metadata", str(a.test_models / "embedder.tflite"), "-o", str(embedder), "--task",
              "image_embedder", "--mean", "127.5", "--std", "127.5")
        emb = vision.ImageEmbedder.create_from_options(vision.ImageEmbedderOptions(
            base_options=core.base_options.BaseOptions(model_asset_path=str(embedder)),
            l2_normalize=True))
        theirs = {}
        for pic in (person, dino):
            ours = ember(cli, "task", "embed", "--model", str(embedder), str(pic), "--json",
                         "--repeat", str(a.runs), "--l2-normalize")
            theirs[pic] = emb.embed(mp.Image.create_from_file(str(pic))).embeddings[0]
            diff = np.abs(np.asarray(ours["embeddings"][0]["embedding"]) -
                          theirs[pic].embedding).max()
            rows.append(("ImageEmbedder", pic.name, "", f"max abs diff {diff:.5f}",
                         ember_time(ours), mp_time(emb.embed, pic, a.runs)))
        ours = ember(cli, "task", "embed", "--model", str(embedder), str(person),
                     "--compare", str(dino), "--l2-normalize", "--json")
        rows.append(("ImageEmbedder", "similarity", "",
                     f"cosine {ours['cosine_similarity'][0]:.5f} vs "
                     f"{vision.ImageEmbedder.cosine_similarity(theirs[person], theirs[dino]):.5f}",
                     "", ""))

    # TextClassifier (time in-process for both: MediaPipe from Python, Ember
    # from its CLI's --repeat)
    if a.test_models:
        model = a.out / "text_md.tflite"
        ember(cli, "metadata", str(a.test_models / "text.tflite"), "-o", str(model), "--task",
              "text_classifier", "--vocab", str(a.test_models / "vocab.txt"), "--labels",
              str(a.test_models / "text_labels.txt"))
        classifier = text.TextClassifier.create_from_options(text.TextClassifierOptions(
            base_options=core.base_options.BaseOptions(model_asset_path=str(model))))
        bert = a.out / "bert_md.tflite"
        ember(cli, "metadata", str(a.test_models / "bert.tflite"), "-o", str(bert), "--task",
              "text_classifier", "--vocab", str(a.test_models / "bert_vocab.txt"), "--labels",
              str(a.test_models / "bert_labels.txt"))
        bert_classifier = text.TextClassifier.create_from_options(text.TextClassifierOptions(
            base_options=core.base_options.BaseOptions(model_asset_path=str(bert))))
        for model, classifier, sentence in (
                (model, classifier, "Good fun, GREAT plot!"),
                (model, classifier, "It's not good; it's awful and dull."),
                (bert, bert_classifier, "The film, it's unbelievable!"),
                (bert, bert_classifier, "bad playing. GOOD played")):
            ours = ember(cli, "task", "text", "--model", str(model), sentence, "--json",
                         "--repeat", str(a.runs))
            theirs = classifier.classify(sentence).classifications[0].categories
            mine = ours["classifications"][0]["categories"]
            same = [c["index"] for c in mine] == [c.index for c in theirs]
            diff = max(abs(c["score"] - t.score) for c, t in zip(mine, theirs))
            times = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                classifier.classify(sentence)
                times.append((time.perf_counter() - t0) * 1000)
            kind = "TextClassifier (BERT)" if model == bert else "TextClassifier (regex)"
            rows.append((kind, f'"{sentence}"', "",
                         f"{'same' if same else 'DIFFERENT'} order; max score diff {diff:.1e}",
                         ember_time(ours), f"{np.median(times):.4f} / {np.min(times):.4f}"))

    # TextEmbedder: the same model, its outputs as the feature vector
    if a.test_models:
        model = a.out / "text_embedder_md.tflite"
        ember(cli, "metadata", str(a.test_models / "text.tflite"), "-o", str(model), "--task",
              "text_embedder", "--vocab", str(a.test_models / "vocab.txt"))
        embedder = text.TextEmbedder.create_from_options(text.TextEmbedderOptions(
            base_options=core.base_options.BaseOptions(model_asset_path=str(model)),
            l2_normalize=True))
        first, second = "Good fun, GREAT plot!", "It's not good; it's awful and dull."
        ours = ember(cli, "task", "text-embed", "--model", str(model), first, "--compare",
                     second, "--l2-normalize", "--json")
        u, v = (embedder.embed(t).embeddings[0] for t in (first, second))
        diff = np.abs(np.asarray(ours["embeddings"][0]["embedding"]) - u.embedding).max()
        rows.append(("TextEmbedder", "the two sentences", "",
                     f"max abs diff {diff:.1e}; cosine {ours['cosine_similarity'][0]:.7f} vs "
                     f"{text.TextEmbedder.cosine_similarity(u, v):.7f}", "", ""))

    # AudioClassifier on the shared clips (MediaPipe given the samples in
    # memory; Ember's time includes reading the WAV file)
    if a.test_models:
        model = a.out / "audio_md.tflite"
        ember(cli, "metadata", str(a.test_models / "audio.tflite"), "-o", str(model), "--task",
              "audio_classifier", "--sample-rate", "16000", "--labels",
              str(a.test_models / "audio_labels.txt"))
        classifier = audio.AudioClassifier.create_from_options(audio.AudioClassifierOptions(
            base_options=core.base_options.BaseOptions(model_asset_path=str(model))))
        for clip in ("yes_1000ms.wav", "noise_1000ms.wav"):
            wav = a.models / "data/audio" / clip
            ours = ember(cli, "task", "audio", "--model", str(model), str(wav), "--json",
                         "--repeat", str(a.runs))
            with wave.open(str(wav)) as w:
                samples = np.frombuffer(w.readframes(w.getnframes()), np.int16) / 32768
                data = audio_data.AudioData.create_from_array(samples.astype(np.float32),
                                                              w.getframerate())
            theirs = classifier.classify(data)
            same = [w["timestamp_ms"] for w in ours["windows"]] == [r.timestamp_ms
                                                                     for r in theirs]
            diff = 0.0
            for w, r in zip(ours["windows"], theirs):
                scores = {c.index: c.score for c in r.classifications[0].categories}
                diff = max(diff, max(abs(c["score"] - scores[c["index"]])
                                     for c in w["categories"]))
                same = same and [c["index"] for c in w["categories"]] == [
                    c.index for c in r.classifications[0].categories]
            times = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                classifier.classify(data)
                times.append((time.perf_counter() - t0) * 1000)
            rows.append(("AudioClassifier", clip, f"{len(ours['windows'])} chunks",
                         f"{'same' if same else 'DIFFERENT'} timestamps and order; max score "
                         f"diff {diff:.1e}", ember_time(ours),
                         f"{np.median(times):.4f} / {np.min(times):.4f}"))

    print("| task | picture | size | agreement (Ember vs MediaPipe) | Ember ms median / min "
          "| MediaPipe ms median / min |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} |")
    if a.docs:
        a.docs.mkdir(parents=True, exist_ok=True)
        for name in ("faces_person_288.png", "segment_person_288.png"):
            shutil.copy(a.out / name, a.docs / name)


if __name__ == "__main__":
    main()
