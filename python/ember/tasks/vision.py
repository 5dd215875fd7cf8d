"""Vision tasks: ImageClassifier, ObjectDetector, FaceDetector, ImageSegmenter,
ImageEmbedder (the shape of `mediapipe.tasks.python.vision`). Pictures are
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
