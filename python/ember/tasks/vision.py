"""Vision tasks: ImageClassifier, ObjectDetector, FaceDetector, FaceLandmarker,
HandLandmarker, PoseLandmarker, ImageSegmenter, ImageEmbedder (the shape of `mediapipe.tasks.python.vision`). Pictures are
`Image`s (from a JPEG/PNG/BMP file, or an HxWxC uint8 numpy array)."""
import dataclasses
from typing import List, Optional

import numpy as np

from ember import _ember
from ember.tasks.components import (BaseOptions, BoundingBox, Category,  # noqa: F401
                                    ClassificationResult, Classifications, Embedding,
                                    EmbeddingResult, NormalizedKeypoint, _Embedder, _Task,
                                    base_args, categories, classifier_args, embeddings)


class ImageFormat:
    GRAY8 = 1
    SRGB = 3
    SRGBA = 4


class Image:
    """An 8-bit picture (MediaPipe's mp.Image)."""

    def __init__(self, image_format=None, data=None):
        data = np.ascontiguousarray(data, dtype=np.uint8)
        if data.ndim == 2:
            data = data[:, :, None]
        if data.ndim != 3 or data.shape[2] not in (1, 3, 4):
            raise ValueError("an image is HxW or HxWxC with C in 1, 3, 4")
        self._data = data

    @classmethod
    def create_from_file(cls, path):
        return cls(data=_ember._decode_image_file(str(path)))

    @property
    def width(self):
        return self._data.shape[1]

    @property
    def height(self):
        return self._data.shape[0]

    @property
    def channels(self):
        return self._data.shape[2]

    def numpy_view(self):
        return self._data


def _pixels(image):
    if isinstance(image, Image):
        return image.numpy_view()
    return Image(data=image).numpy_view()


# --- ImageClassifier ---------------------------------------------------------
@dataclasses.dataclass
class ImageClassifierOptions:
    base_options: BaseOptions
    max_results: Optional[int] = None
    score_threshold: Optional[float] = None
    category_allowlist: Optional[List[str]] = None
    category_denylist: Optional[List[str]] = None
    display_names_locale: Optional[str] = None
    labels: Optional[List[str]] = None  # Ember: for models without label metadata


ImageClassifierResult = ClassificationResult


class ImageClassifier(_Task):
    def __init__(self, options: ImageClassifierOptions):
        self._impl = _ember._ImageClassifier(
            *base_args(options.base_options),
            *classifier_args(options),
            list(options.labels or []))

    @classmethod
    def create_from_options(cls, options: ImageClassifierOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(ImageClassifierOptions(BaseOptions(model_asset_path=model_path)))

    def classify(self, image) -> ClassificationResult:
        cats = categories(self._impl.classify(_pixels(image)))
        return ClassificationResult(classifications=[Classifications(categories=cats)])


# --- FaceDetector ----------------------------------------------------------------
@dataclasses.dataclass
class FaceDetectorOptions:
    base_options: BaseOptions
    min_detection_confidence: float = 0.5
    min_suppression_threshold: float = 0.3
    max_results: Optional[int] = None


@dataclasses.dataclass
class Detection:
    bounding_box: BoundingBox
    categories: List[Category]
    keypoints: List[NormalizedKeypoint]


@dataclasses.dataclass
class DetectionResult:
    detections: List[Detection]


FaceDetectorResult = DetectionResult

# MediaPipe's order of the six BlazeFace keypoints.
FACE_KEYPOINTS = ["right_eye", "left_eye", "nose_tip", "mouth", "right_ear_tragion",
                  "left_ear_tragion"]


class FaceDetector(_Task):
    def __init__(self, options: FaceDetectorOptions):
        self._impl = _ember._FaceDetector(
            *base_args(options.base_options), float(options.min_detection_confidence),
            float(options.min_suppression_threshold),
            -1 if options.max_results is None else int(options.max_results))

    @classmethod
    def create_from_options(cls, options: FaceDetectorOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(FaceDetectorOptions(BaseOptions(model_asset_path=model_path)))

    def detect(self, image) -> DetectionResult:
        out = []
        for score, box, kps in self._impl.detect(_pixels(image)):
            out.append(Detection(
                bounding_box=BoundingBox(*box),
                categories=[Category(index=0, score=score, category_name="face")],
                keypoints=[NormalizedKeypoint(x, y, label=FACE_KEYPOINTS[i]
                                              if i < len(FACE_KEYPOINTS) else None)
                           for i, (x, y) in enumerate(kps)]))
        return DetectionResult(detections=out)


# --- ObjectDetector ----------------------------------------------------------------
@dataclasses.dataclass
class ObjectDetectorOptions:
    base_options: BaseOptions
    display_names_locale: Optional[str] = None
    max_results: Optional[int] = None
    score_threshold: Optional[float] = None
    category_allowlist: Optional[List[str]] = None
    category_denylist: Optional[List[str]] = None
    labels: Optional[List[str]] = None  # Ember: for models without label metadata
    letterbox: bool = False  # Ember: keep the aspect ratio (SSD models are trained stretched)


ObjectDetectorResult = DetectionResult


class ObjectDetector(_Task):
    """SSD-style detectors ending in TFLite_Detection_PostProcess (boxes in pixels of the
    picture, one category per box, best first)."""

    def __init__(self, options: ObjectDetectorOptions):
        self._impl = _ember._ObjectDetector(
            *base_args(options.base_options),
            *classifier_args(options),
            list(options.labels or []), bool(options.letterbox))

    @classmethod
    def create_from_options(cls, options: ObjectDetectorOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(ObjectDetectorOptions(BaseOptions(model_asset_path=model_path)))

    def detect(self, image) -> DetectionResult:
        return DetectionResult(detections=[
            Detection(bounding_box=BoundingBox(*box), categories=categories(cats), keypoints=[])
            for box, cats in self._impl.detect(_pixels(image))])


# --- ImageSegmenter ----------------------------------------------------------------
@dataclasses.dataclass
class ImageSegmenterOptions:
    base_options: BaseOptions
    output_confidence_masks: bool = True
    output_category_mask: bool = False


@dataclasses.dataclass
class ImageSegmenterResult:
    confidence_masks: Optional[List[np.ndarray]] = None  # HxW float32 in [0, 1]
    category_mask: Optional[np.ndarray] = None           # HxW uint8


class ImageSegmenter(_Task):
    def __init__(self, options: ImageSegmenterOptions):
        self._options = options
        self._impl = _ember._ImageSegmenter(*base_args(options.base_options))

    @classmethod
    def create_from_options(cls, options: ImageSegmenterOptions):
        return cls(options)

    def segment(self, image) -> ImageSegmenterResult:
        masks, category = self._impl.segment(_pixels(image))
        return ImageSegmenterResult(
            confidence_masks=list(masks) if self._options.output_confidence_masks else None,
            category_mask=category if self._options.output_category_mask else None)


# --- ImageEmbedder -----------------------------------------------------------------
@dataclasses.dataclass
class ImageEmbedderOptions:
    base_options: BaseOptions
    l2_normalize: Optional[bool] = None
    quantize: Optional[bool] = None


ImageEmbedderResult = EmbeddingResult


class ImageEmbedder(_Embedder):
    def __init__(self, options: ImageEmbedderOptions):
        self._impl = _ember._ImageEmbedder(
            *base_args(options.base_options), bool(options.l2_normalize),
            bool(options.quantize))

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(ImageEmbedderOptions(BaseOptions(model_asset_path=model_path)))

    def embed(self, image) -> ImageEmbedderResult:
        return embeddings(self._impl.embed(_pixels(image)))


# --- FaceLandmarker ------------------------------------------------------------------
@dataclasses.dataclass
class NormalizedLandmark:
    """A landmark normalized to the image (x by its width, y by its height, z on
    x's scale; smaller z is nearer the camera)."""
    x: float
    y: float
    z: float = 0.0
    visibility: Optional[float] = None
    presence: Optional[float] = None


@dataclasses.dataclass
class FaceLandmarkerOptions:
    """MediaPipe's options, image mode. MediaPipe reads both models from one
    .task bundle; Ember takes them as files: base_options names the landmark
    model (face_landmark.tflite), face_detector_model_path the detector
    (face_detection_short_range.tflite), run with the same delegate and threads."""
    base_options: BaseOptions
    face_detector_model_path: Optional[str] = None
    num_faces: int = 1
    min_face_detection_confidence: float = 0.5
    min_face_presence_confidence: float = 0.5


@dataclasses.dataclass
class FaceLandmarkerResult:
    face_landmarks: List[List[NormalizedLandmark]]
    face_blendshapes: List[List[Category]] = dataclasses.field(default_factory=list)
    facial_transformation_matrixes: list = dataclasses.field(default_factory=list)
    # Ember: per face, the landmark model's presence score and the rotated region
    # of interest it saw, (centre x, centre y, width, height, rotation radians) in pixels.
    presence_scores: List[float] = dataclasses.field(default_factory=list)
    face_rois: list = dataclasses.field(default_factory=list)


class FaceLandmarker(_Task):
    """The 468-point face mesh of each face: BlazeFace finds the faces, the
    landmark model runs on each face's rotated crop."""

    def __init__(self, options: FaceLandmarkerOptions):
        if not options.face_detector_model_path:
            raise ValueError("face_detector_model_path is required "
                             "(face_detection_short_range.tflite)")
        self._impl = _ember._FaceLandmarker(
            *base_args(options.base_options), str(options.face_detector_model_path),
            int(options.num_faces), float(options.min_face_detection_confidence),
            float(options.min_face_presence_confidence))

    @classmethod
    def create_from_options(cls, options: FaceLandmarkerOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str, face_detector_model_path: str):
        return cls(FaceLandmarkerOptions(BaseOptions(model_asset_path=model_path),
                                         face_detector_model_path=face_detector_model_path))

    def detect(self, image) -> FaceLandmarkerResult:
        result = FaceLandmarkerResult(face_landmarks=[])
        for presence, roi, points in self._impl.detect(_pixels(image)):
            result.face_landmarks.append([NormalizedLandmark(x, y, z) for x, y, z in points])
            result.presence_scores.append(presence)
            result.face_rois.append(roi)
        return result


# --- HandLandmarker ------------------------------------------------------------------
@dataclasses.dataclass
class Landmark:
    """A world landmark in metres, origin at the hand's centre."""
    x: float
    y: float
    z: float = 0.0
    visibility: Optional[float] = None
    presence: Optional[float] = None


@dataclasses.dataclass
class HandLandmarkerOptions:
    """MediaPipe's options, image mode. base_options names the hand landmark model
    (hand_landmark_lite.tflite), hand_detector_model_path the palm detector
    (palm_detection_lite.tflite); MediaPipe packs both in one .task bundle."""
    base_options: BaseOptions
    hand_detector_model_path: Optional[str] = None
    num_hands: int = 1
    min_hand_detection_confidence: float = 0.5
    min_hand_presence_confidence: float = 0.5


@dataclasses.dataclass
class HandLandmarkerResult:
    handedness: List[List[Category]]
    hand_landmarks: List[List[NormalizedLandmark]]
    hand_world_landmarks: List[List[Landmark]]
    # Ember: per hand, the presence score and the rotated region of interest
    # (centre x, centre y, width, height, rotation radians) in pixels.
    presence_scores: List[float] = dataclasses.field(default_factory=list)
    hand_rois: list = dataclasses.field(default_factory=list)


class HandLandmarker(_Task):
    """21 landmarks, world landmarks and handedness per hand: the palm detector
    finds the hands, the landmark model runs on each hand's rotated crop.
    Handedness is MediaPipe's: it assumes a mirrored (selfie-view) picture."""

    def __init__(self, options: HandLandmarkerOptions):
        if not options.hand_detector_model_path:
            raise ValueError("hand_detector_model_path is required "
                             "(palm_detection_lite.tflite)")
        self._impl = _ember._HandLandmarker(
            *base_args(options.base_options), str(options.hand_detector_model_path),
            int(options.num_hands), float(options.min_hand_detection_confidence),
            float(options.min_hand_presence_confidence))

    @classmethod
    def create_from_options(cls, options: HandLandmarkerOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str, hand_detector_model_path: str):
        return cls(HandLandmarkerOptions(BaseOptions(model_asset_path=model_path),
                                         hand_detector_model_path=hand_detector_model_path))

    def detect(self, image) -> HandLandmarkerResult:
        result = HandLandmarkerResult(handedness=[], hand_landmarks=[], hand_world_landmarks=[])
        for presence, (index, score, name), roi, points, world in self._impl.detect(
                _pixels(image)):
            result.handedness.append([Category(index=index, score=score, category_name=name,
                                               display_name=name)])
            result.hand_landmarks.append([NormalizedLandmark(x, y, z) for x, y, z in points])
            result.hand_world_landmarks.append([Landmark(x, y, z) for x, y, z in world])
            result.presence_scores.append(presence)
            result.hand_rois.append(roi)
        return result


# --- PoseLandmarker ------------------------------------------------------------------
@dataclasses.dataclass
class PoseLandmarkerOptions:
    """MediaPipe's options, image mode. base_options names the pose landmark model
    (pose_landmark_lite.tflite), pose_detector_model_path the pose detector
    (pose_detection.tflite; MediaPipe packs both in one .task bundle). Ember
    only: without a detector the whole image (or the region given to detect)
    is the person's region, which is right when the person fills the frame.
    min_tracking_confidence is accepted for MediaPipe's shape; image mode does
    not use it."""
    base_options: BaseOptions
    pose_detector_model_path: Optional[str] = None
    num_poses: int = 1
    min_pose_detection_confidence: float = 0.5
    min_pose_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    output_segmentation_masks: bool = False


@dataclasses.dataclass
class PoseLandmarkerResult:
    pose_landmarks: List[List[NormalizedLandmark]]
    pose_world_landmarks: List[List[Landmark]]
    # One HxW float32 person-probability mask per pose (output_segmentation_masks),
    # as numpy arrays (MediaPipe gives mp.Image VEC32F1 masks).
    segmentation_masks: Optional[list] = None
    # Ember: per pose, the landmark model's pose score and the rotated region of
    # interest (centre x, centre y, width, height, rotation radians) in pixels,
    # and the detector's 4 keypoints [(x, y)] normalized (empty without one).
    presence_scores: List[float] = dataclasses.field(default_factory=list)
    pose_rois: list = dataclasses.field(default_factory=list)
    detection_keypoints: list = dataclasses.field(default_factory=list)


class PoseLandmarker(_Task):
    """33 body landmarks (with visibility and presence), world landmarks in
    metres and optionally a person mask per pose: the pose detector finds the
    people (or the whole image is the region), the landmark model runs on each
    person's rotated crop."""

    def __init__(self, options: PoseLandmarkerOptions):
        self._masks = bool(options.output_segmentation_masks)
        self._impl = _ember._PoseLandmarker(
            *base_args(options.base_options), str(options.pose_detector_model_path or ""),
            int(options.num_poses), float(options.min_pose_detection_confidence),
            float(options.min_pose_presence_confidence), self._masks)

    @classmethod
    def create_from_options(cls, options: PoseLandmarkerOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str,
                               pose_detector_model_path: Optional[str] = None):
        return cls(PoseLandmarkerOptions(BaseOptions(model_asset_path=model_path),
                                         pose_detector_model_path=pose_detector_model_path))

    def detect(self, image, roi=None) -> PoseLandmarkerResult:
        """roi (Ember only): (centre x, centre y, width, height, rotation radians)
        in pixels, the person's region instead of the detector's or the image."""
        result = PoseLandmarkerResult(pose_landmarks=[], pose_world_landmarks=[],
                                      segmentation_masks=[] if self._masks else None)
        for presence, region, points, world, mask, keypoints in self._impl.detect(
                _pixels(image), None if roi is None else tuple(float(v) for v in roi)):
            result.pose_landmarks.append([NormalizedLandmark(*p) for p in points])
            result.pose_world_landmarks.append([Landmark(*p) for p in world])
            if self._masks:
                result.segmentation_masks.append(mask)
            result.presence_scores.append(presence)
            result.pose_rois.append(region)
            result.detection_keypoints.append(keypoints)
        return result
