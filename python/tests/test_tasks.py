"""ember.tasks (the MediaPipe Tasks-shaped Python API) on a model built here
with TensorFlow, checked against numpy; and, when ../shared/models is there,
on the real task models (skipped otherwise)."""
import os
import pathlib

import numpy as np
import pytest

from ember.tasks import BaseOptions
from ember.tasks import audio, vision

SHARED = pathlib.Path(os.environ.get(
    "EMBER_SHARED_MODELS", pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "models"))


@pytest.fixture(scope="module")
def channel_mean_model(tf, tmp_path_factory):
    """[1,8,8,3] float image -> per-channel mean: class c scores channel c."""
    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32, name="image")])
        def serve(self, image):
            return {"scores": tf.reduce_mean(image, axis=[1, 2])}
    m = M()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m)
    path = tmp_path_factory.mktemp("tasks") / "channel_mean.tflite"
    path.write_bytes(converter.convert())
    return str(path)


def test_image_classifier_matches_numpy(channel_mean_model):
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    options = vision.ImageClassifierOptions(
        base_options=BaseOptions(model_asset_path=channel_mean_model),
        labels=["red", "green", "blue"])
    with vision.ImageClassifier.create_from_options(options) as classifier:
        result = classifier.classify(vision.Image(data=pixels))
    # Without metadata, float inputs are normalized to [-1, 1].
    expected = ((pixels.astype(np.float64) - 127.5) / 127.5).mean(axis=(0, 1))
    cats = result.classifications[0].categories
    order = np.argsort(-expected, kind="stable")
    assert [c.index for c in cats] == list(order)
    assert [c.category_name for c in cats] == [["red", "green", "blue"][i] for i in order]
    np.testing.assert_allclose([c.score for c in cats], expected[order], atol=1e-5)


def test_classifier_options_and_errors(channel_mean_model, tmp_path):
    base = BaseOptions(model_asset_path=channel_mean_model)
    options = vision.ImageClassifierOptions(base_options=base, max_results=1,
                                            category_denylist=["red"],
                                            labels=["red", "green", "blue"])
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    cats = vision.ImageClassifier.create_from_options(options).classify(red) \
        .classifications[0].categories
    assert len(cats) == 1 and cats[0].category_name in ("green", "blue")
    with pytest.raises(ValueError, match="mutually exclusive"):
        vision.ImageClassifier.create_from_options(vision.ImageClassifierOptions(
            base_options=base, category_allowlist=["a"], category_denylist=["b"],
            labels=["red", "green", "blue"]))
    with pytest.raises(ValueError, match="cannot load model"):
        vision.ImageClassifier.create_from_model_path(str(tmp_path / "missing.tflite"))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ValueError, match="damaged JPEG"):
        vision.Image.create_from_file(bad)


def _shared(rel):
    path = SHARED / rel
    if not path.exists():
        # As the C++ suites: CI sets EMBER_REQUIRE_SHARED_MODELS=1, and there
        # a missing model is a failure, not a skip.
        assert os.environ.get("EMBER_REQUIRE_SHARED_MODELS") != "1", path
        pytest.skip(f"missing {path}")
    return str(path)


def _person():
    # TFLM's BMPs store int8 pixels as bytes: flip the top bit (see
    # tests/tasks/task_models_test.cc).
    return vision.Image(data=vision.Image.create_from_file(
        _shared("data/images/person.bmp")).numpy_view() ^ 0x80)


def test_face_detector_on_shared_model():
    detector = vision.FaceDetector.create_from_model_path(
        _shared("mediapipe/face_detection_short_range.tflite"))
    faces = detector.detect(_person()).detections
    assert len(faces) == 1
    box = faces[0].bounding_box
    assert abs(box.origin_x + box.width / 2 - 51) < 8
    assert faces[0].keypoints[0].label == "right_eye"


def test_segmenter_and_keyword_spotter_on_shared_models():
    segmenter = vision.ImageSegmenter.create_from_options(vision.ImageSegmenterOptions(
        base_options=BaseOptions(model_asset_path=_shared("mediapipe/selfie_segmentation.tflite")),
        output_category_mask=True))
    result = segmenter.segment(_person())
    assert result.confidence_masks[0].shape == (96, 96)
    assert result.confidence_masks[0][20:70, 38:60].mean() > 0.7
    spotter = audio.KeywordSpotter.create_from_options(audio.KeywordSpotterOptions(
        base_options=BaseOptions(model_asset_path=_shared("tflm/micro_speech_quantized.tflite")),
        frontend_model_path=_shared("tflm/audio_preprocessor_int8.tflite"),
        labels=["silence", "unknown", "yes", "no"]))
    for word in ("yes", "no"):
        clip = audio.AudioData.create_from_wav_file(_shared(f"data/audio/{word}_1000ms.wav"))
        windows = spotter.classify(clip)
        assert windows[0].classifications[0].categories[0].category_name == word
