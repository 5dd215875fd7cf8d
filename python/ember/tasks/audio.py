"""Audio tasks (the shape of `mediapipe.tasks.python.audio`): AudioClassifier,
for waveform models whose metadata gives the sample rate (one result per chunk
of the model's input length, as MediaPipe's audio-clips mode), and
KeywordSpotter (an audio classifier over streaming windows), which runs two
models: a feature front end (TFLM's audio_preprocessor_int8.tflite) and the
keyword classifier (micro_speech_quantized.tflite)."""
import dataclasses
from typing import List, Optional

import numpy as np

from ember import _ember
from ember.tasks.components import (BaseOptions, ClassificationResult, Classifications, _Task,
                                    base_args, classifier_args, categories)


@dataclasses.dataclass
class AudioData:
    """Mono samples in [-1, 1] and their rate (MediaPipe's AudioData)."""
    samples: np.ndarray
    sample_rate: int

    @classmethod
    def create_from_wav_file(cls, path):
        samples, rate = _ember._read_wav_file(str(path))
        return cls(np.asarray(samples).reshape(-1), int(rate))


@dataclasses.dataclass
class KeywordSpotterOptions:
    base_options: BaseOptions
    frontend_model_path: str = ""
    max_results: Optional[int] = None
    score_threshold: Optional[float] = None
    category_allowlist: Optional[List[str]] = None
    category_denylist: Optional[List[str]] = None
    labels: Optional[List[str]] = None  # for models without label metadata
    window_stride_ms: int = 500


class KeywordSpotter(_Task):
    def __init__(self, options: KeywordSpotterOptions):
        path, threads, delegate = base_args(options.base_options)
        self._impl = _ember._KeywordSpotter(
            path, str(options.frontend_model_path), threads, delegate,
            *classifier_args(options),
            list(options.labels or []), int(options.window_stride_ms))

    @classmethod
    def create_from_options(cls, options: KeywordSpotterOptions):
        return cls(options)

    def classify(self, audio: AudioData) -> List[ClassificationResult]:
        samples = np.ascontiguousarray(audio.samples, dtype=np.float32).reshape(-1)
        return [ClassificationResult(classifications=[Classifications(categories=categories(c))],
                                     timestamp_ms=t)
                for t, c in self._impl.classify(samples, int(audio.sample_rate))]


@dataclasses.dataclass
class AudioClassifierOptions:
    base_options: BaseOptions
    max_results: Optional[int] = None
    score_threshold: Optional[float] = None
    category_allowlist: Optional[List[str]] = None
    category_denylist: Optional[List[str]] = None
    display_names_locale: Optional[str] = None


AudioClassifierResult = ClassificationResult


class AudioClassifier(_Task):
    def __init__(self, options: AudioClassifierOptions):
        self._impl = _ember._AudioClassifier(
            *base_args(options.base_options),
            *classifier_args(options))

    @classmethod
    def create_from_options(cls, options: AudioClassifierOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(AudioClassifierOptions(BaseOptions(model_asset_path=model_path)))

    def classify(self, audio: AudioData) -> List[AudioClassifierResult]:
        samples = np.ascontiguousarray(audio.samples, dtype=np.float32).reshape(-1)
        return [ClassificationResult(classifications=[Classifications(categories=categories(c))],
                                     timestamp_ms=t)
                for t, c in self._impl.classify(samples, int(audio.sample_rate))]
