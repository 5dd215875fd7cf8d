"""ember.tasks.vision.ImageEmbedder (MediaPipe Tasks' ImageEmbedder shape) on a
small random conv net built here with TensorFlow: the embedding must match
TensorFlow's output on the same normalized picture, and the L2-normalized,
quantized and cosine-similarity values must match numpy."""
import numpy as np
import pytest

from ember.tasks import BaseOptions, Embedding
from ember.tasks import vision


@pytest.fixture(scope="module")
def embedder_model(tf, tmp_path_factory):
    """[1,16,16,3] float -> 3x3 conv (8 channels) -> ReLU -> global mean:
    an 8-value embedding; the TF function is kept as the oracle."""
    rng = np.random.default_rng(3)
    kernel = tf.constant(rng.normal(0, 0.5, (3, 3, 3, 8)).astype(np.float32))
    bias = tf.constant(rng.normal(0, 0.1, (8,)).astype(np.float32))

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 16, 16, 3], tf.float32, name="image")])
        def serve(self, image):
            x = tf.nn.relu(tf.nn.conv2d(image, kernel, 1, "SAME") + bias)
            return {"feature": tf.reduce_mean(x, axis=[1, 2])}
    m = M()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m)
    path = tmp_path_factory.mktemp("embedder") / "embedder.tflite"
    path.write_bytes(converter.convert())
    return str(path), m


def tf_embedding(module, pixels):
    # Without metadata, float inputs are normalized to [-1, 1].
    x = ((pixels.astype(np.float32) - 127.5) / 127.5)[None]
    return next(iter(module.serve(x).values())).numpy().reshape(-1)


def test_embedding_matches_tensorflow(embedder_model):
    path, module = embedder_model
    rng = np.random.default_rng(11)
    pixels = rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    with vision.ImageEmbedder.create_from_model_path(path) as embedder:
        result = embedder.embed(vision.Image(data=pixels))
    assert len(result.embeddings) == 1
    e = result.embeddings[0]
    assert e.head_index == 0 and e.embedding.dtype == np.float32
    np.testing.assert_allclose(e.embedding, tf_embedding(module, pixels), rtol=1e-5, atol=1e-5)


def test_normalize_quantize_and_similarity_match_numpy(embedder_model):
    path, module = embedder_model
    rng = np.random.default_rng(12)
    a, b = (rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8) for _ in range(2))
    ta, tb = tf_embedding(module, a), tf_embedding(module, b)
    base = BaseOptions(model_asset_path=path)
    normalized = vision.ImageEmbedder.create_from_options(
        vision.ImageEmbedderOptions(base_options=base, l2_normalize=True))
    ea, eb = normalized.embed(a).embeddings[0], normalized.embed(b).embeddings[0]
    np.testing.assert_allclose(ea.embedding, ta / np.linalg.norm(ta), atol=1e-5)
    expected = float(ta @ tb / (np.linalg.norm(ta) * np.linalg.norm(tb)))
    assert vision.ImageEmbedder.cosine_similarity(ea, eb) == pytest.approx(expected, abs=1e-5)

    quantized = vision.ImageEmbedder.create_from_options(
        vision.ImageEmbedderOptions(base_options=base, l2_normalize=True, quantize=True))
    qa = quantized.embed(a).embeddings[0]
    assert qa.embedding.dtype == np.int8
    expected_q = np.clip(np.round(ta / np.linalg.norm(ta) * 128), -128, 127)
    # One step of tolerance: values within float error of a .5 boundary.
    assert np.abs(qa.embedding.astype(int) - expected_q).max() <= 1
    qb = quantized.embed(b).embeddings[0]
    qa_f, qb_f = qa.embedding.astype(np.float64), qb.embedding.astype(np.float64)
    assert vision.ImageEmbedder.cosine_similarity(qa, qb) == pytest.approx(
        qa_f @ qb_f / (np.linalg.norm(qa_f) * np.linalg.norm(qb_f)), abs=1e-9)

    with pytest.raises(ValueError, match="quantized embedding with a float"):
        vision.ImageEmbedder.cosine_similarity(qa, ea)
    with pytest.raises(ValueError, match="different sizes"):
        vision.ImageEmbedder.cosine_similarity(
            ea, Embedding(embedding=np.ones(3, np.float32)))
    with pytest.raises(ValueError, match="norm is 0"):
        vision.ImageEmbedder.cosine_similarity(
            ea, Embedding(embedding=np.zeros(8, np.float32)))


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="nothing.tflite"):
        vision.ImageEmbedder.create_from_model_path(str(tmp_path / "nothing.tflite"))
