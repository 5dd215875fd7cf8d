"""ember.tasks.vision.ObjectDetector (the shape of MediaPipe's) on an SSD-style
model built here: a TensorFlow conv head converted to .tflite, then given
constant anchors and the TFLite_Detection_PostProcess custom op by editing the
flatbuffer. LiteRT runs the same model on the same normalized input; its
detections, scaled to the picture, are what Ember's task must return."""
import numpy as np
import pytest
from ai_edge_litert import interpreter as litert
from flatbuffers import flexbuffers

from ember.tasks import BaseOptions
from ember.tasks import vision

SIZE = 8          # the model's input is SIZE x SIZE x 3
ANCHORS = SIZE * SIZE
LABELS = ["cat", "dog"]


def _detector_bytes(tf, max_detections=6):
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    rng = np.random.default_rng(3)
    box_w = tf.constant(rng.normal(0, 0.5, (1, 1, 3, 4)), tf.float32)
    cls_w = tf.constant(rng.normal(0, 2.0, (1, 1, 3, 3)), tf.float32)

    class Head(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, SIZE, SIZE, 3], tf.float32)])
        def serve(self, image):
            enc = tf.nn.conv2d(image, box_w, 1, "VALID")
            cls = tf.sigmoid(tf.nn.conv2d(image, cls_w, 1, "VALID"))
            return {"enc": tf.reshape(enc, [1, ANCHORS, 4]),
                    "cls": tf.reshape(cls, [1, ANCHORS, 3])}

    head = Head()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [head.serve.get_concrete_function()], head)
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(converter.convert()))
    sg = model.subgraphs[0]
    enc = next(i for i in sg.outputs if sg.tensors[i].shape[-1] == 4)
    cls = next(i for i in sg.outputs if sg.tensors[i].shape[-1] == 3)

    def tensor(name, shape, data=None):
        buf = schema.BufferT()
        if data is not None:
            buf.data = np.frombuffer(np.asarray(data, np.float32).tobytes(), np.uint8)
        model.buffers.append(buf)
        t = schema.TensorT()
        t.name, t.shape, t.type = name, list(shape), schema.TensorType.FLOAT32
        t.buffer = len(model.buffers) - 1
        sg.tensors.append(t)
        return len(sg.tensors) - 1

    # One anchor per cell, centred, a cell and a half wide.
    anchors = [[(r + 0.5) / SIZE, (c + 0.5) / SIZE, 1.5 / SIZE, 1.5 / SIZE]
               for r in range(SIZE) for c in range(SIZE)]
    anchor_t = tensor(b"anchors", [ANCHORS, 4], anchors)
    outs = [tensor(b"detection_boxes", [1, max_detections, 4]),
            tensor(b"detection_classes", [1, max_detections]),
            tensor(b"detection_scores", [1, max_detections]),
            tensor(b"num_detections", [1])]
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
    code.customCode = b"TFLite_Detection_PostProcess"
    code.version = 1
    model.operatorCodes.append(code)
    op = schema.OperatorT()
    op.opcodeIndex = len(model.operatorCodes) - 1
    op.inputs, op.outputs = [enc, cls, anchor_t], outs
    op.customOptions = np.frombuffer(bytes(flexbuffers.Dumps({
        "max_detections": max_detections, "max_classes_per_detection": 1,
        "detections_per_class": 10, "use_regular_nms": False,
        "nms_score_threshold": 0.5, "nms_iou_threshold": 0.4, "num_classes": 2,
        "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})), np.uint8)
    op.customOptionsFormat = schema.CustomOptionsFormat.FLEXBUFFERS
    sg.operators.append(op)
    sg.outputs = outs
    model.signatureDefs = []  # they name the head's outputs
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


@pytest.fixture(scope="module")
def detector_model(tf, tmp_path_factory):
    path = tmp_path_factory.mktemp("detector") / "tiny_ssd.tflite"
    path.write_bytes(_detector_bytes(tf))
    return str(path)


def _litert_detections(model_path, pixels):
    """LiteRT's rows for the [-1, 1]-normalized picture, as MediaPipe reports
    them: (category index, score, (x, y, w, h) in pixels, truncated, the origin
    clamped at 0)."""
    interp = litert.Interpreter(model_path=model_path)
    interp.allocate_tensors()
    x = ((pixels.astype(np.float32) - 127.5) / 127.5)[None]
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    boxes, classes, scores, count = (interp.get_tensor(d["index"])
                                     for d in interp.get_output_details())
    h, w = pixels.shape[:2]
    out = []
    for r in range(int(count[0])):
        ymin, xmin, ymax, xmax = boxes[0, r]
        out.append((int(classes[0, r]), float(scores[0, r]),
                    (max(0, int(xmin * w)), max(0, int(ymin * h)), int((xmax - xmin) * w),
                     int((ymax - ymin) * h))))
    return out


def test_object_detector_matches_litert(detector_model):
    rng = np.random.default_rng(11)
    options = vision.ObjectDetectorOptions(
        base_options=BaseOptions(model_asset_path=detector_model), labels=LABELS)
    checked = 0
    with vision.ObjectDetector.create_from_options(options) as detector:
        for _ in range(5):
            pixels = rng.integers(0, 256, size=(SIZE, SIZE, 3), dtype=np.uint8)
            result = detector.detect(vision.Image(data=pixels))
            want = _litert_detections(detector_model, pixels)
            assert len(result.detections) == len(want)
            for det, (index, score, box) in zip(result.detections, want):
                assert len(det.categories) == 1
                cat = det.categories[0]
                assert cat.index == index
                assert cat.category_name == LABELS[index]
                assert cat.score == pytest.approx(score, abs=1e-5)
                got = (det.bounding_box.origin_x, det.bounding_box.origin_y,
                       det.bounding_box.width, det.bounding_box.height)
                # Truncation may flip at an integer edge when the last bit differs.
                assert np.abs(np.subtract(got, box)).max() <= 1, (got, box)
                checked += 1
    assert checked >= 5  # the inputs did make the model detect things


def test_object_detector_options_and_errors(detector_model, channel_free_model):
    base = BaseOptions(model_asset_path=detector_model)
    pixels = np.random.default_rng(5).integers(0, 256, size=(SIZE, SIZE, 3), dtype=np.uint8)
    every = vision.ObjectDetector.create_from_options(
        vision.ObjectDetectorOptions(base_options=base, labels=LABELS)).detect(pixels)
    assert len(every.detections) >= 2
    top = vision.ObjectDetector.create_from_options(vision.ObjectDetectorOptions(
        base_options=base, labels=LABELS, max_results=1)).detect(pixels)
    assert top.detections == every.detections[:1]
    best = every.detections[0].categories[0]
    others = [d for d in every.detections
              if d.categories[0].category_name != best.category_name]
    denied = vision.ObjectDetector.create_from_options(vision.ObjectDetectorOptions(
        base_options=base, labels=LABELS,
        category_denylist=[best.category_name])).detect(pixels)
    assert denied.detections == others
    high = vision.ObjectDetector.create_from_options(vision.ObjectDetectorOptions(
        base_options=base, labels=LABELS, score_threshold=best.score)).detect(pixels)
    assert all(d.categories[0].score >= best.score for d in high.detections)
    assert high.detections[0] == every.detections[0]
    with pytest.raises(ValueError, match="mutually exclusive"):
        vision.ObjectDetector.create_from_options(vision.ObjectDetectorOptions(
            base_options=base, labels=LABELS, category_allowlist=["cat"],
            category_denylist=["dog"]))
    with pytest.raises(ValueError, match="needs the 4 outputs of TFLite_Detection_PostProcess"):
        vision.ObjectDetector.create_from_model_path(channel_free_model)


@pytest.fixture(scope="module")
def channel_free_model(tf, tmp_path_factory):
    """An image model with one output: not a detector."""
    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32)])
        def serve(self, image):
            return {"scores": tf.reduce_mean(image, axis=[1, 2])}
    m = M()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m)
    path = tmp_path_factory.mktemp("plain") / "mean.tflite"
    path.write_bytes(converter.convert())
    return str(path)
