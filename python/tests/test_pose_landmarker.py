"""ember.tasks.vision.PoseLandmarker. Without the shared models: on tiny stand-ins
for pose_detection and pose_landmark_lite built here with TensorFlow, checked
against the geometry worked out in numpy. With ../shared/models: the pose
landmark model part against LiteRT (ai_edge_litert) on Ember's own crop of
person.bmp (no pose detector is in the shared data: the whole picture is the
region), MediaPipe's post-processing (sigmoids, heatmap refinement, projection,
world landmark rotation, mask warp) redone here in numpy."""
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
POSE = SHARED / "mediapipe" / "pose_landmark_lite.tflite"

# Pose anchors on 224x224: layer 0 is 28x28 cells with two anchors each.
ANCHOR = (14 * 28 + 14) * 2
ANCHOR_CENTER = 14.5 / 28
# A 48x48 box; hips on the anchor, the body size point 20 px right and up.
REGRESSORS = [0, 0, 48, 48, 0, 0, 20, -20, 0, -10, 10, -30]
N = 39
LANDMARKS = np.array([[i % 8 + 0.5, i // 8 + 0.5, 0.1 * i, 2.0, -1.0] for i in range(N)],
                     np.float32)
WORLD = np.array([[0.01 * i, -0.02, 0.005] for i in range(N)], np.float32)
HEATMAP = np.full((4, 4, N), -10.0, np.float32)
HEATMAP[1, 2, 0] = 10.0  # landmark 0 moves to cell (row 1, column 2)


def _sigmoid(x):
    with np.errstate(over="ignore"):  # exp(900) is inf: sigmoid 0, as meant
        return 1 / (1 + np.exp(-np.asarray(x, np.float64)))


def _convert(tf, module, fn):
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [fn.get_concrete_function()], module)
    return converter.convert()


@pytest.fixture(scope="module")
def tiny_models(tf, tmp_path_factory):
    boxes = np.zeros((2254, 12), np.float32)
    boxes[ANCHOR] = REGRESSORS
    scores = np.full((2254, 1), -10.0, np.float32)
    scores[ANCHOR] = 10.0

    class Detector(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 224, 224, 3], tf.float32)])
        def serve(self, image):
            zero = tf.reduce_mean(image) * 0.0
            return {"a": tf.constant(boxes)[None] + zero, "b": tf.constant(scores)[None] + zero}

    class Landmarks(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32)])
        def serve(self, image):
            red = tf.reduce_mean(image[..., 0])
            zero = red * 0.0
            # Ember tells the five outputs apart by shape, in any order.
            return {"a": tf.reshape(tf.constant(LANDMARKS) + zero, [1, 5 * N]),
                    "b": tf.reshape(red, [1, 1]),
                    "c": tf.fill([1, 4, 4, 1], 2.0) + zero,
                    "d": tf.constant(HEATMAP)[None] + zero,
                    "e": tf.reshape(tf.constant(WORLD) + zero, [1, 3 * N])}

    d, m = Detector(), Landmarks()
    root = tmp_path_factory.mktemp("pose_landmarker")
    (root / "detector.tflite").write_bytes(_convert(tf, d, d.serve))
    (root / "pose.tflite").write_bytes(_convert(tf, m, m.serve))
    return str(root / "pose.tflite"), str(root / "detector.tflite")


def test_tiny_models_geometry(tiny_models):
    pose, detector = tiny_models
    pixels = np.zeros((224, 224, 3), np.uint8)
    pixels[..., 0] = 204
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=pose),
        pose_detector_model_path=detector, output_segmentation_masks=True)
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(pixels)
    assert len(result.pose_landmarks) == 1
    assert len(result.pose_landmarks[0]) == 33
    assert result.presence_scores[0] == pytest.approx(0.8, abs=1e-4)
    c0 = ANCHOR_CENTER * 224
    a = math.pi / 4  # 90 degrees + the (20, -20) vector's -45
    side = 2.5 * 20 * math.sqrt(2)
    cx, cy, w, h, rotation = result.pose_rois[0]
    assert (cx, cy, w, h, rotation) == pytest.approx((c0, c0, side, side, a), abs=1e-3)
    assert result.detection_keypoints[0][1] == pytest.approx(
        ((c0 + 20) / 224, (c0 - 20) / 224), abs=1e-5)
    uv = LANDMARKS[:33, :2] / 8
    hi, lo = _sigmoid(10), _sigmoid(-10)
    uv[0] = [(2 * hi + 22 * lo) / (hi + 15 * lo) / 4, (hi + 23 * lo) / (hi + 15 * lo) / 4]
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    expected = np.array([cx, cy]) + ((uv - 0.5) * side) @ rot.T
    got = np.array([[p.x * 224, p.y * 224] for p in result.pose_landmarks[0]])
    np.testing.assert_allclose(got, expected, atol=1e-3)
    np.testing.assert_allclose([p.z for p in result.pose_landmarks[0]],
                               LANDMARKS[:33, 2] / 8 * side / 224, atol=1e-5)
    assert result.pose_landmarks[0][5].visibility == pytest.approx(_sigmoid(2), abs=1e-5)
    assert result.pose_landmarks[0][5].presence == pytest.approx(_sigmoid(-1), abs=1e-5)
    world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks[0]])
    np.testing.assert_allclose(world[:, :2], WORLD[:33, :2] @ rot.T, atol=1e-5)
    np.testing.assert_allclose(world[:, 2], WORLD[:33, 2], atol=1e-6)
    mask = result.segmentation_masks[0]
    assert mask.shape == (224, 224) and mask.dtype == np.float32
    assert mask[116, 116] == pytest.approx(_sigmoid(2), abs=1e-5)
    assert mask[0, 0] == 0.0
    # Dark: the pose flag is 0, no pose.
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        assert landmarker.detect(np.zeros((224, 224, 3), np.uint8)).pose_landmarks == []


def test_whole_image_and_given_region(tiny_models):
    pose, _ = tiny_models
    pixels = np.zeros((224, 224, 3), np.uint8)
    pixels[..., 0] = 204
    with vision.PoseLandmarker.create_from_model_path(pose) as landmarker:
        whole = landmarker.detect(pixels)
        given = landmarker.detect(pixels, roi=(100, 120, 40, 40, 0.0))
    assert whole.pose_rois[0] == pytest.approx((112, 112, 224, 224, 0))
    assert whole.detection_keypoints == [[]]
    assert whole.segmentation_masks is None
    p = given.pose_landmarks[0][9]
    assert (p.x * 224, p.y * 224) == pytest.approx(
        (100 + (LANDMARKS[9, 0] / 8 - 0.5) * 40, 120 + (LANDMARKS[9, 1] / 8 - 0.5) * 40),
        abs=1e-3)


def test_errors(tiny_models):
    pose, detector = tiny_models
    with pytest.raises(ValueError, match="not a pose detector"):
        vision.PoseLandmarker.create_from_model_path(pose, pose)
    with pytest.raises(ValueError, match="not a pose landmark model"):
        vision.PoseLandmarker.create_from_model_path(detector)
    with pytest.raises(ValueError, match="nonexistent"):
        vision.PoseLandmarker.create_from_model_path("/nonexistent/pose.tflite")


# Missing shared models skip, unless EMBER_REQUIRE_SHARED_MODELS is set
# (CI), where the test then runs and fails on the missing file.
needs_shared = pytest.mark.skipif(
    not POSE.exists() and not os.environ.get("EMBER_REQUIRE_SHARED_MODELS"),
    reason="../shared/models not present")


def _person(scale):
    b = (SHARED / "data" / "images" / "person.bmp").read_bytes()
    off = int.from_bytes(b[10:14], "little")
    px = np.frombuffer(b[off:off + 96 * 96], np.uint8).reshape(96, 96)[::-1] ^ 0x80
    px = np.repeat(np.repeat(px, scale, 0), scale, 1)
    return np.ascontiguousarray(np.stack([px] * 3, -1))


def _refine(uv, heatmap, kernel=7, threshold=0.5):
    """MediaPipe's RefineLandmarksFromHeatmap on crop-normalized points."""
    hh, hw, _ = heatmap.shape
    out = uv.copy()
    half = (kernel - 1) // 2
    for i, (u, v) in enumerate(uv):
        col, row = int(u * hw), int(v * hh)
        if not (0 <= col < hw and 0 <= row < hh):
            continue
        win = _sigmoid(heatmap[max(0, row - half):min(hh, row + half + 1),
                               max(0, col - half):min(hw, col + half + 1), i])
        rows, cols = np.mgrid[max(0, row - half):min(hh, row + half + 1),
                              max(0, col - half):min(hw, col + half + 1)]
        if win.max() >= threshold and win.sum() > 0:
            out[i] = [(cols * win).sum() / hw / win.sum(), (rows * win).sum() / hh / win.sum()]
    return out


@needs_shared
@pytest.mark.parametrize("scale", [1, 3])
def test_pose_model_matches_litert_on_embers_crop(scale):
    from ai_edge_litert.interpreter import Interpreter  # test tooling only
    image = _person(scale)
    h, w = image.shape[:2]
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(POSE)), output_segmentation_masks=True)
    with vision.PoseLandmarker.create_from_options(options) as lm:
        result = lm.detect(image)
    assert len(result.pose_landmarks) == 1
    roi = result.pose_rois[0]
    crop = _ember._warp_rotated_rect(image, roi, 256, 256, replicate=True)
    litert = Interpreter(model_path=str(POSE))
    litert.allocate_tensors()
    litert.set_tensor(litert.get_input_details()[0]["index"],
                      (crop.astype(np.float32) / 255)[None])
    litert.invoke()
    raw, flag, mask, heatmap, world = (litert.get_tensor(d["index"])
                                       for d in litert.get_output_details())
    assert result.presence_scores[0] == pytest.approx(float(flag.reshape(-1)[0]), abs=1e-4)
    pts = raw.reshape(N, 5)
    uv = _refine(pts[:, :2] / 256, heatmap[0])[:33]
    cx, cy, rw, rh, rotation = roi
    rot = np.array([[math.cos(rotation), -math.sin(rotation)],
                    [math.sin(rotation), math.cos(rotation)]])
    expected = np.array([cx, cy]) + ((uv - 0.5) * [rw, rh]) @ rot.T
    got = np.array([[p.x * w, p.y * h] for p in result.pose_landmarks[0]])
    # Ember's float kernels differ from LiteRT's in summation order only:
    # within 0.01 crop pixel (scaled to the picture).
    assert np.abs(got - expected).max() < 0.01 * rw / 256 + 1e-3
    np.testing.assert_allclose([p.z for p in result.pose_landmarks[0]],
                               pts[:33, 2] / 256 * rw / w, atol=1e-3)
    np.testing.assert_allclose([p.visibility for p in result.pose_landmarks[0]],
                               _sigmoid(pts[:33, 3]), atol=1e-4)
    np.testing.assert_allclose([p.presence for p in result.pose_landmarks[0]],
                               _sigmoid(pts[:33, 4]), atol=1e-4)
    wpts = world.reshape(N, 3)[:33]
    got_world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks[0]])
    np.testing.assert_allclose(got_world[:, :2], wpts[:, :2] @ rot.T, atol=1e-4)
    np.testing.assert_allclose(got_world[:, 2], wpts[:, 2], atol=1e-4)
    # The mask: the whole-picture region is upright, so picture pixel (x, y)
    # reads the 256x256 crop mask at (x, y) * 256 / side (bilinear).
    assert rotation == 0
    prob = _sigmoid(mask[0, :, :, 0])
    ys, xs = np.mgrid[0:h, 0:w]
    fx = (xs - (cx - rw / 2)) / rw * 256
    fy = (ys - (cy - rh / 2)) / rh * 256
    inside = (fx >= 0) & (fy >= 0) & (fx <= 255) & (fy <= 255)
    x0, y0 = np.floor(fx).astype(int).clip(0, 255), np.floor(fy).astype(int).clip(0, 255)
    x1, y1 = (x0 + 1).clip(0, 255), (y0 + 1).clip(0, 255)
    ax, ay = fx - x0, fy - y0
    ref = ((1 - ay) * ((1 - ax) * prob[y0, x0] + ax * prob[y0, x1])
           + ay * ((1 - ax) * prob[y1, x0] + ax * prob[y1, x1]))
    ref = np.where(inside, ref, 0)
    got_mask = result.segmentation_masks[0]
    assert got_mask.shape == (h, w)
    # The mask logits span about +-900 and differ from LiteRT's by up to 0.08
    # (1e-4 relative, summation order): measured up to 0.0025 in probability
    # where the mask crosses 0.5.
    assert np.abs(got_mask - ref).max() < 5e-3
    assert got_mask.mean() > 0.2  # the person fills much of the frame
