"""ember.tasks.vision.HandLandmarker. Without the shared models: on tiny stand-ins
for palm_detection_lite and hand_landmark_lite built here with TensorFlow,
checked against the geometry worked out in numpy. With ../shared/models: the
hand landmark model part against LiteRT (ai_edge_litert) on Ember's own crop.
The shared pictures have no hand in them, so there the palm detector runs with
a low threshold and the landmark model on whatever it picked (the numbers are
checked, not that they are a hand); at the default thresholds no hand is found
(skipped without the models)."""
import math
import os
import pathlib

import numpy as np
import pytest

from ember import _ember
from ember.tasks import BaseOptions
from ember.tasks import vision

SHARED = pathlib.Path(os.environ.get(
    "EMBER_SHARED_MODELS", pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "models"))
HAND = SHARED / "mediapipe" / "hand_landmark_lite.tflite"
PALM = SHARED / "mediapipe" / "palm_detection_lite.tflite"

# Palm anchors on 192x192: layer 0 is 24x24 cells with two anchors each.
ANCHOR = (12 * 24 + 12) * 2
ANCHOR_CENTER = 12.5 / 24
# A 24x24 box; wrist centre 8 px left and below, middle knuckle 8 right and up.
REGRESSORS = [0, 0, 24, 24, -8, 8, 0, 0, 8, -8] + [0] * 8
LANDMARKS = np.array([[i % 8, i // 8, 0.1 * i] for i in range(21)], np.float32)
WORLD = np.array([[0.01 * i, -0.02, 0.005] for i in range(21)], np.float32)


def _convert(tf, module, fn):
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [fn.get_concrete_function()], module)
    return converter.convert()


@pytest.fixture(scope="module")
def tiny_models(tf, tmp_path_factory):
    boxes = np.zeros((2016, 18), np.float32)
    boxes[ANCHOR] = REGRESSORS
    scores = np.full((2016, 1), -10.0, np.float32)
    scores[ANCHOR] = 10.0

    class Palm(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 192, 192, 3], tf.float32)])
        def serve(self, image):
            zero = tf.reduce_mean(image) * 0.0
            return {"a": tf.constant(boxes)[None] + zero, "b": tf.constant(scores)[None] + zero}

    class Hand(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32)])
        def serve(self, image):
            red = tf.reduce_mean(image[..., 0])
            zero = red * 0.0
            # The converter lists the outputs in reverse key order; MediaPipe
            # (and Ember) take them by position: landmarks, presence,
            # handedness, world landmarks (checked below with LiteRT).
            return {"d": tf.reshape(tf.constant(LANDMARKS) + zero, [1, 63]),
                    "c": tf.reshape(red, [1, 1]),
                    "b": tf.reshape(0.2 + zero, [1, 1]),
                    "a": tf.reshape(tf.constant(WORLD) + zero, [1, 63])}

    p, h = Palm(), Hand()
    root = tmp_path_factory.mktemp("hand_landmarker")
    (root / "palm.tflite").write_bytes(_convert(tf, p, p.serve))
    (root / "hand.tflite").write_bytes(_convert(tf, h, h.serve))
    from ai_edge_litert.interpreter import Interpreter  # test tooling only
    check = Interpreter(model_path=str(root / "hand.tflite"))
    check.allocate_tensors()
    check.set_tensor(check.get_input_details()[0]["index"], np.full((1, 8, 8, 3), 0.8, np.float32))
    check.invoke()
    outs = [check.get_tensor(d["index"]).reshape(-1) for d in check.get_output_details()]
    assert [len(o) for o in outs] == [63, 1, 1, 63]
    np.testing.assert_allclose([outs[0][3], outs[1][0], outs[2][0], outs[3][0]],
                               [LANDMARKS[1, 0], 0.8, 0.2, WORLD[0, 0]], atol=1e-6)
    return str(root / "hand.tflite"), str(root / "palm.tflite")


def test_tiny_models_geometry(tiny_models):
    hand, palm = tiny_models
    pixels = np.zeros((192, 192, 3), np.uint8)
    pixels[..., 0] = 204
    with vision.HandLandmarker.create_from_model_path(hand, palm) as landmarker:
        result = landmarker.detect(pixels)
    assert len(result.hand_landmarks) == 1
    assert result.presence_scores[0] == pytest.approx(0.8, abs=1e-4)
    side = result.handedness[0][0]
    assert (side.category_name, side.index) == ("Left", 1)  # 0.2 is Right's score
    assert side.score == pytest.approx(0.8, abs=1e-5)
    # Wrist -> knuckle at -45 degrees; MediaPipe Tasks' target angle is 90 radians.
    a = 90 - 28 * math.pi - math.pi / 4
    c0 = ANCHOR_CENTER * 192
    cx, cy, w, h, rotation = result.hand_rois[0]
    assert rotation == pytest.approx(a, abs=1e-5)
    assert (cx, cy, w, h) == pytest.approx(
        (c0 + math.sin(a) * 12, c0 - math.cos(a) * 12, 62.4, 62.4), abs=1e-3)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    expected = np.array([cx, cy]) + ((LANDMARKS[:, :2] / 8 - 0.5) * 62.4) @ rot.T
    got = np.array([[p.x * 192, p.y * 192] for p in result.hand_landmarks[0]])
    np.testing.assert_allclose(got, expected, atol=1e-3)
    np.testing.assert_allclose([p.z for p in result.hand_landmarks[0]],
                               LANDMARKS[:, 2] / 8 / 0.4 * 62.4 / 192, atol=1e-5)
    world = np.array([[p.x, p.y, p.z] for p in result.hand_world_landmarks[0]])
    # (the angle is float32 in Ember: 90 radians carry an ulp of 8e-6)
    np.testing.assert_allclose(world[:, :2], WORLD[:, :2] @ rot.T, atol=1e-5)
    np.testing.assert_allclose(world[:, 2], WORLD[:, 2], atol=1e-6)


def test_errors(tiny_models):
    hand, palm = tiny_models
    with pytest.raises(ValueError, match="hand_detector_model_path"):
        vision.HandLandmarker.create_from_options(vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=hand)))
    with pytest.raises(ValueError, match="not a palm detector"):
        vision.HandLandmarker.create_from_model_path(hand, hand)
    with pytest.raises(ValueError, match="not a hand landmark model"):
        vision.HandLandmarker.create_from_model_path(palm, palm)


# Missing shared models skip, unless EMBER_REQUIRE_SHARED_MODELS is set
# (CI), where the test then runs and fails on the missing file.
needs_shared = pytest.mark.skipif(
    not (HAND.exists() and PALM.exists())
    and not os.environ.get("EMBER_REQUIRE_SHARED_MODELS"),
    reason="../shared/models not present")


def _person(scale):
    b = (SHARED / "data" / "images" / "person.bmp").read_bytes()
    off = int.from_bytes(b[10:14], "little")
    px = np.frombuffer(b[off:off + 96 * 96], np.uint8).reshape(96, 96)[::-1] ^ 0x80
    px = np.repeat(np.repeat(px, scale, 0), scale, 1)
    return np.ascontiguousarray(np.stack([px] * 3, -1))


@needs_shared
def test_no_hand_in_the_shared_pictures():
    with vision.HandLandmarker.create_from_model_path(str(HAND), str(PALM)) as lm:
        assert lm.detect(_person(3)).hand_landmarks == []
        assert lm.detect(vision.Image.create_from_file(
            SHARED / "data" / "images" / "dino.jpg")).hand_landmarks == []


@needs_shared
def test_hand_model_matches_litert_on_embers_crop():
    from ai_edge_litert.interpreter import Interpreter  # test tooling only
    image = _person(3)
    h, w = image.shape[:2]
    options = vision.HandLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(HAND)),
        hand_detector_model_path=str(PALM), num_hands=3,
        min_hand_detection_confidence=0.02, min_hand_presence_confidence=0.0)
    with vision.HandLandmarker.create_from_options(options) as lm:
        result = lm.detect(image)
    assert len(result.hand_landmarks) >= 1
    litert = Interpreter(model_path=str(HAND))
    litert.allocate_tensors()
    outs = litert.get_output_details()  # landmarks, presence, handedness, world
    for k, roi in enumerate(result.hand_rois):
        crop = _ember._warp_rotated_rect(image, roi, 224, 224)
        litert.set_tensor(litert.get_input_details()[0]["index"],
                          (crop.astype(np.float32) / 255)[None])
        litert.invoke()
        raw, presence, right, world = (litert.get_tensor(d["index"]).reshape(-1) for d in outs)
        assert result.presence_scores[k] == pytest.approx(float(presence[0]), abs=1e-4)
        side = result.handedness[k][0]
        assert side.category_name == ("Right" if right[0] > 0.5 else "Left")
        assert side.score == pytest.approx(max(right[0], 1 - right[0]), abs=1e-4)
        cx, cy, rw, rh, rotation = roi
        rot = np.array([[math.cos(rotation), -math.sin(rotation)],
                        [math.sin(rotation), math.cos(rotation)]])
        pts = raw.reshape(21, 3)
        expected = np.array([cx, cy]) + ((pts[:, :2] / 224 - 0.5) * [rw, rh]) @ rot.T
        got = np.array([[p.x * w, p.y * h] for p in result.hand_landmarks[k]])
        # Float kernels differ from LiteRT's in summation order only.
        assert np.abs(got - expected).max() < 0.01 * rw / 224 + 1e-3
        np.testing.assert_allclose([p.z for p in result.hand_landmarks[k]],
                                   pts[:, 2] / 224 / 0.4 * rw / w, atol=1e-3)
        wpts = world.reshape(21, 3)
        got_world = np.array([[p.x, p.y, p.z] for p in result.hand_world_landmarks[k]])
        np.testing.assert_allclose(got_world[:, :2], wpts[:, :2] @ rot.T, atol=1e-4)
        np.testing.assert_allclose(got_world[:, 2], wpts[:, 2], atol=1e-4)
