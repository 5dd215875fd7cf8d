"""Text tasks: TextClassifier and TextEmbedder (the shape of
`mediapipe.tasks.python.text`), for
models over word ids whose metadata carries a regex tokenizer and its
vocabulary (`ember metadata --task text_classifier|text_embedder --vocab FILE`)."""
import dataclasses
from typing import List, Optional

from ember import _ember
from ember.tasks.components import (BaseOptions, ClassificationResult,  # noqa: F401
                                    Classifications, Embedding, EmbeddingResult, _Embedder,
                                    _Task, base_args, categories, classifier_args, embeddings)


@dataclasses.dataclass
class TextClassifierOptions:
    base_options: BaseOptions
    max_results: Optional[int] = None
    score_threshold: Optional[float] = None
    category_allowlist: Optional[List[str]] = None
    category_denylist: Optional[List[str]] = None
    display_names_locale: Optional[str] = None


TextClassifierResult = ClassificationResult


class TextClassifier(_Task):
    def __init__(self, options: TextClassifierOptions):
        self._impl = _ember._TextClassifier(
            *base_args(options.base_options),
            *classifier_args(options))

    @classmethod
    def create_from_options(cls, options: TextClassifierOptions):
        return cls(options)

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(TextClassifierOptions(BaseOptions(model_asset_path=model_path)))

    def classify(self, text: str) -> TextClassifierResult:
        cats = categories(self._impl.classify(str(text)))
        return ClassificationResult(classifications=[Classifications(categories=cats)])

    def encode(self, text: str) -> List[int]:
        """Ember: the word ids the model is given for `text`."""
        return list(self._impl.encode(str(text)))


@dataclasses.dataclass
class TextEmbedderOptions:
    base_options: BaseOptions
    l2_normalize: Optional[bool] = None
    quantize: Optional[bool] = None


TextEmbedderResult = EmbeddingResult


class TextEmbedder(_Embedder):
    def __init__(self, options: TextEmbedderOptions):
        self._impl = _ember._TextEmbedder(
            *base_args(options.base_options), bool(options.l2_normalize),
            bool(options.quantize))

    @classmethod
    def create_from_model_path(cls, model_path: str):
        return cls(TextEmbedderOptions(BaseOptions(model_asset_path=model_path)))

    def embed(self, text: str) -> TextEmbedderResult:
        return embeddings(self._impl.embed(str(text)))
