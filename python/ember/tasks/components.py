"""Option and result containers shared by the tasks (MediaPipe Tasks' names)."""
import dataclasses
import enum
from typing import List, Optional


class Delegate(enum.Enum):
    CPU = "cpu"              # Ember's optimized kernels, chosen from the CPU's features
    REFERENCE = "reference"  # every op on its reference kernel (the numerical oracle)
    GPU = "gpu"              # the built-in Vulkan delegate; the rest stays on the CPU
    # (BaseOptions.delegate may also be the path of an external delegate library)


@dataclasses.dataclass
class BaseOptions:
    model_asset_path: Optional[str] = None
    delegate: Delegate = Delegate.CPU
    num_threads: int = 1   # Ember: MediaPipe fixes this per graph


@dataclasses.dataclass
class Category:
    index: Optional[int] = None
    score: Optional[float] = None
    display_name: Optional[str] = None
    category_name: Optional[str] = None


@dataclasses.dataclass
class Classifications:
    categories: List[Category]
    head_index: int = 0
    head_name: Optional[str] = None


@dataclasses.dataclass
class ClassificationResult:
    classifications: List[Classifications]
    timestamp_ms: Optional[int] = None


@dataclasses.dataclass
class BoundingBox:
    origin_x: int
    origin_y: int
    width: int
    height: int


@dataclasses.dataclass
class NormalizedKeypoint:
    x: float
    y: float
    label: Optional[str] = None
    score: Optional[float] = None


@dataclasses.dataclass
class Embedding:
    """One head's feature vector: float32, or int8 when quantized (MediaPipe
    hands quantized values back as their bytes in a uint8 array; Ember keeps
    the signed values)."""
    embedding: "numpy.ndarray"  # noqa: F821 (1-D)
    head_index: Optional[int] = None
    head_name: Optional[str] = None


@dataclasses.dataclass
class EmbeddingResult:
    embeddings: List[Embedding]
    timestamp_ms: Optional[int] = None


def classifier_args(options):
    """max_results, score_threshold, allowlist, denylist as the bindings take
    them (-1 and -1e30 for "not set", as MediaPipe's None)."""
    return (-1 if options.max_results is None else int(options.max_results),
            -1e30 if options.score_threshold is None else float(options.score_threshold),
            list(options.category_allowlist or []), list(options.category_denylist or []))


def cosine_similarity(u: Embedding, v: Embedding) -> float:
    """cos(u, v) as the embedders compute it; ValueError for a float/quantized
    mix, sizes that differ or a zero vector. Takes MediaPipe's byte form of a
    quantized embedding (uint8) too."""
    import numpy as np
    from ember import _ember
    a, b = (np.asarray(e.embedding) for e in (u, v))
    a, b = (x.view(np.int8) if x.dtype == np.uint8 else x for x in (a, b))
    return _ember._cosine_similarity(
        a.reshape(-1).astype(np.float32).tolist(), a.dtype == np.int8,
        b.reshape(-1).astype(np.float32).tolist(), b.dtype == np.int8)


def embeddings(tuples):
    import numpy as np
    return EmbeddingResult(embeddings=[
        Embedding(embedding=np.asarray(values).reshape(-1), head_index=index, head_name=name)
        for index, name, values in tuples])


def base_args(base: BaseOptions):
    if base is None or not base.model_asset_path:
        raise ValueError("base_options.model_asset_path is required")
    delegate = base.delegate.value if isinstance(base.delegate, Delegate) else str(base.delegate)
    return str(base.model_asset_path), int(base.num_threads), delegate


def categories(tuples):
    return [Category(index=i, score=s, category_name=n, display_name="") for i, s, n in tuples]


class _Task:
    """Context-manager support, as MediaPipe's tasks have."""

    def close(self):
        self._impl = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Embedder(_Task):
    """What ImageEmbedder and TextEmbedder share (MediaPipe's classmethods)."""

    @classmethod
    def create_from_options(cls, options):
        return cls(options)

    @classmethod
    def cosine_similarity(cls, u: Embedding, v: Embedding) -> float:
        return cosine_similarity(u, v)
