"""ember.tasks.vision.FaceLandmarker. Without the shared models: on tiny
stand-ins for BlazeFace and face_landmark built here with TensorFlow (channel
means -> a dense head whose bias carries the answer), checked against the
geometry worked out in numpy. With ../shared/models: on person.bmp, the
landmark model part against LiteRT (ai_edge_litert) running
face_landmark.tflite on Ember's own crop, and the mesh's named points in a
face's order (skipped without the models)."""
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
LANDMARK = SHARED / "mediapipe" / "face_landmark.tflite"
DETECTOR = SHARED / "mediapipe" / "face_detection_short_range.tflite"

# MediaPipe's short-range anchors: layer 0 is 16x16 cells with two anchors each,
# row-major, so anchor (8 * 16 + 8) * 2 is centred at 8.5 / 16 of the input.
ANCHOR = (8 * 16 + 8) * 2
ANCHOR_CENTER = 8.5 / 16
# Box offset (x, y), size (w, h), six keypoints, in input pixels: right eye
# 8 px left and 4 up, left eye 8 right and 4 down.
REGRESSORS = [0, 0, 32, 32, -8, -4, 8, 4, 0, 4, 0, 8, -14, 0, 14, 0]
LANDMARKS = np.array([[0, 0, 0], [8, 0, 1], [0, 8, -2], [4, 4, 0.5]], np.float32)


def _convert(tf, module, fn):
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [fn.get_concrete_function()], module)
    return converter.convert()


@pytest.fixture(scope="module")
def tiny_models(tf, tmp_path_factory):
    """Two models shaped as MediaPipe's: a detector whose anchor ANCHOR fires with
    REGRESSORS, a landmark model giving LANDMARKS and a face flag logit of
    10 * mean(red) - 5 (input in [0, 1])."""
    boxes = np.zeros((896, 16), np.float32)
    boxes[ANCHOR] = REGRESSORS
    scores = np.full((896, 1), -10.0, np.float32)
    scores[ANCHOR] = 10.0

    class Detector(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 128, 128, 3], tf.float32)])
        def serve(self, image):
            zero = tf.reduce_mean(image) * 0.0
            return {"regressors": tf.constant(boxes)[None] + zero,
                    "classificators": tf.constant(scores)[None] + zero}

    class Landmark(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32)])
        def serve(self, image):
            red = tf.reduce_mean(image[..., 0])
            return {"a_landmarks": tf.reshape(tf.constant(LANDMARKS) + red * 0.0, [1, 1, 1, 12]),
                    "b_flag": tf.reshape(10.0 * red - 5.0, [1, 1, 1, 1])}

    d, m = Detector(), Landmark()
    root = tmp_path_factory.mktemp("face_landmarker")
    (root / "detector.tflite").write_bytes(_convert(tf, d, d.serve))
    (root / "landmark.tflite").write_bytes(_convert(tf, m, m.serve))
    return str(root / "landmark.tflite"), str(root / "detector.tflite")


def test_tiny_models_geometry(tiny_models):
    landmark, detector = tiny_models
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=landmark),
        face_detector_model_path=detector)
    pixels = np.zeros((128, 128, 3), np.uint8)
    pixels[..., 0] = 200
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(vision.Image(data=pixels))
    assert len(result.face_landmarks) == 1
    assert result.presence_scores[0] == pytest.approx(
        1 / (1 + math.exp(-(10 * 200 / 255 - 5))), abs=1e-4)
    # The ROI: the anchor's centre, side 32 * 1.5, turned by the eye line.
    c = ANCHOR_CENTER * 128
    angle = math.atan2(8, 16)
    cx, cy, w, h, rotation = result.face_rois[0]
    assert (cx, cy, w, h) == pytest.approx((c, c, 48, 48), abs=1e-3)
    assert rotation == pytest.approx(angle, abs=1e-5)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    offsets = (LANDMARKS[:, :2] / 8 - 0.5) * 48
    expected = c + offsets @ rot.T
    got = np.array([[p.x * 128, p.y * 128] for p in result.face_landmarks[0]])
    np.testing.assert_allclose(got, expected, atol=1e-3)
    np.testing.assert_allclose([p.z for p in result.face_landmarks[0]],
                               LANDMARKS[:, 2] / 8 * 48 / 128, atol=1e-5)
    # Dark: the presence score is 0.0067, so no face.
    with vision.FaceLandmarker.create_from_model_path(landmark, detector) as landmarker:
        assert landmarker.detect(np.zeros((128, 128, 3), np.uint8)).face_landmarks == []


def test_errors(tiny_models):
    landmark, detector = tiny_models
    with pytest.raises(ValueError, match="face_detector_model_path"):
        vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=landmark)))
    with pytest.raises(ValueError, match="not a face landmark model"):
        vision.FaceLandmarker.create_from_model_path(detector, detector)
    with pytest.raises(ValueError, match="BlazeFace"):
        vision.FaceLandmarker.create_from_model_path(landmark, landmark)
    with pytest.raises(ValueError, match="no/such.tflite"):
        vision.FaceLandmarker.create_from_model_path("no/such.tflite", detector)


def _person():
    """TFLM's person.bmp: int8 pixels stored as bytes, the top bit flipped back."""
    b = (SHARED / "data" / "images" / "person.bmp").read_bytes()
    off = int.from_bytes(b[10:14], "little")
    px = np.frombuffer(b[off:off + 96 * 96], np.uint8).reshape(96, 96)[::-1] ^ 0x80
    return np.ascontiguousarray(np.stack([px] * 3, -1))


# Missing shared models skip, unless EMBER_REQUIRE_SHARED_MODELS is set
# (CI), where the test then runs and fails on the missing file.
needs_shared = pytest.mark.skipif(
    not (LANDMARK.exists() and DETECTOR.exists())
    and not os.environ.get("EMBER_REQUIRE_SHARED_MODELS"),
    reason="../shared/models not present")


@needs_shared
@pytest.mark.parametrize("scale", [1, 3])
def test_landmark_model_matches_litert_on_embers_crop(scale):
    from ai_edge_litert.interpreter import Interpreter  # test tooling only
    image = np.repeat(np.repeat(_person(), scale, 0), scale, 1)
    h, w = image.shape[:2]
    with vision.FaceLandmarker.create_from_model_path(str(LANDMARK), str(DETECTOR)) as lm:
        result = lm.detect(image)
    assert len(result.face_landmarks) == 1
    roi = result.face_rois[0]
    # LiteRT on the very crop Ember fed its model ([0, 1] floats).
    crop = _ember._warp_rotated_rect(image, roi, 192, 192)
    litert = Interpreter(model_path=str(LANDMARK))
    litert.allocate_tensors()
    litert.set_tensor(litert.get_input_details()[0]["index"],
                      (crop.astype(np.float32) / 255.0)[None])
    litert.invoke()
    outs = {int(np.prod(d["shape"])): litert.get_tensor(d["index"])
            for d in litert.get_output_details()}
    raw = outs[1404].reshape(468, 3)
    presence = 1 / (1 + math.exp(-float(outs[1].reshape(-1)[0])))
    assert result.presence_scores[0] == pytest.approx(presence, abs=1e-4)
    # Projected back through the ROI in numpy.
    cx, cy, rw, rh, rotation = roi
    rot = np.array([[math.cos(rotation), -math.sin(rotation)],
                    [math.sin(rotation), math.cos(rotation)]])
    offsets = (raw[:, :2] / 192 - 0.5) * [rw, rh]
    expected = np.array([cx, cy]) + offsets @ rot.T
    got = np.array([[p.x * w, p.y * h] for p in result.face_landmarks[0]])
    # Float kernels differ from LiteRT's in summation order only: within
    # 0.01 input pixel of 192, far under a picture pixel.
    err = np.abs(got - expected).max()
    assert err < 0.01 * rw / 192 + 1e-3, err
    np.testing.assert_allclose([p.z for p in result.face_landmarks[0]],
                               raw[:, 2] / 192 * rw / w, atol=1e-3)


@needs_shared
def test_mesh_in_a_faces_order():
    image = _person()
    with vision.FaceLandmarker.create_from_model_path(str(LANDMARK), str(DETECTOR)) as lm:
        mesh = lm.detect(image).face_landmarks[0]
    assert len(mesh) == 468
    nose, upper_lip, lower_lip, right_eye, left_eye = (mesh[i] for i in (1, 13, 14, 33, 263))
    assert right_eye.x < nose.x < left_eye.x
    assert max(right_eye.y, left_eye.y) < nose.y < upper_lip.y <= lower_lip.y
