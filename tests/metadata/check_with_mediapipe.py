#!/usr/bin/env python3
"""Manual interop check: MediaPipe Tasks' ImageClassifier runs a model whose
metadata `ember metadata -o ... --task image_classifier` wrote, and reports
the labels packed with it. Exits non-zero if MediaPipe rejects the model or
a label is missing.

MediaPipe's wheel does not fit the project's pinned test environment, so
this is not part of CI; run it in its own venv:

  python3 -m venv --system-site-packages /tmp/mpv
  /tmp/mpv/bin/pip install --no-deps mediapipe opencv-python-headless
  PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python \
      /tmp/mpv/bin/python tests/metadata/check_with_mediapipe.py MODEL LABELS
"""
import sys
import types

# matplotlib is imported only by MediaPipe's drawing helpers: stub it.
stub = types.ModuleType("matplotlib")
stub.pyplot = types.ModuleType("matplotlib.pyplot")
sys.modules.update({"matplotlib": stub, "matplotlib.pyplot": stub.pyplot})

import mediapipe as mp  # noqa: E402
import numpy as np  # noqa: E402
from mediapipe.tasks.python import core, vision  # noqa: E402


def main(model, labels_path):
    labels = [l for l in open(labels_path).read().splitlines() if l]
    options = vision.ImageClassifierOptions(
        base_options=core.base_options.BaseOptions(model_asset_path=model),
        max_results=len(labels))
    with vision.ImageClassifier.create_from_options(options) as classifier:
        pixels = np.random.default_rng(0).integers(0, 255, (32, 32, 3),
                                                   dtype=np.uint8)
        result = classifier.classify(
            mp.Image(image_format=mp.ImageFormat.SRGB, data=pixels))
    got = {c.index: c.category_name
           for c in result.classifications[0].categories}
    print(sorted(got.items()))
    want = dict(enumerate(labels))
    if got != want:
        sys.exit(f"labels differ: MediaPipe {got}, file {want}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
