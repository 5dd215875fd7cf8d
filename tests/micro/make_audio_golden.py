#!/usr/bin/env python3
"""TFLM's own interpreter (tflite_micro) on the micro_speech example's
clips: the oracle of tests/micro/audio_frontend_test.cc and
tests/micro/audio_qemu_test.sh.

For each clip in ../shared/models/data/audio/{yes,no,silence,noise}_1000ms.wav
(16 kHz int16), the way TFLM's micro_speech example does it: one
audio_preprocessor_int8 interpreter per clip (its noise-reduction and PCAN
state carries across the windows), 49 windows of 480 samples (30 ms) at a
320-sample (20 ms) stride, one int8 row of 40 features each; the 49 x 40
features then go through micro_speech_quantized (silence, unknown, yes,
no). Writes DIR/<clip>_features.npy (int8 [49, 40]) and
DIR/<clip>_scores.npy (int8 [4]).

usage: make_audio_golden.py [--models ../shared/models] [--out tests/micro/golden]
       make_audio_golden.py --print CLIP.wav   (prints "features ..." and
       "scores ..." lines, the firmware's format)
"""
import argparse
import os
import sys
import wave

import numpy as np

CLIPS = ["yes", "no", "silence", "noise"]
WINDOW, STRIDE, ROWS = 480, 320, 49


def read_wav(path):
    with wave.open(path) as w:
        if w.getframerate() != 16000 or w.getsampwidth() != 2 or \
                w.getnchannels() != 1:
            sys.exit(f"{path}: expected 16 kHz mono int16")
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


def tflm_features_and_scores(models, samples):
    from tflite_micro.python.tflite_micro import runtime
    pre = runtime.Interpreter.from_file(
        os.path.join(models, "tflm", "audio_preprocessor_int8.tflite"))
    rows = []
    for k in range(ROWS):
        window = samples[k * STRIDE:k * STRIDE + WINDOW]
        pre.set_input(window.reshape(1, WINDOW), 0)
        pre.invoke()
        rows.append(pre.get_output(0).copy())
    features = np.stack(rows).astype(np.int8)
    cls = runtime.Interpreter.from_file(
        os.path.join(models, "tflm", "micro_speech_quantized.tflite"))
    cls.set_input(features.reshape(1, ROWS * 40), 0)
    cls.invoke()
    return features, cls.get_output(0).reshape(-1).astype(np.int8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=os.environ.get(
        "EMBER_SHARED_MODELS", "../shared/models"))
    parser.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "golden"))
    parser.add_argument("--print", dest="print_wav")
    args = parser.parse_args()
    if args.print_wav:
        f, s = tflm_features_and_scores(args.models, read_wav(args.print_wav))
        print("features " + " ".join(str(int(v)) for v in f.ravel()))
        print("scores " + " ".join(str(int(v)) for v in s))
        return 0
    os.makedirs(args.out, exist_ok=True)
    for clip in CLIPS:
        wav = os.path.join(args.models, "data", "audio", f"{clip}_1000ms.wav")
        f, s = tflm_features_and_scores(args.models, read_wav(wav))
        np.save(os.path.join(args.out, f"{clip}_features.npy"), f)
        np.save(os.path.join(args.out, f"{clip}_scores.npy"), s)
        print(f"{clip}: scores {s.tolist()} -> class {int(np.argmax(s))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
