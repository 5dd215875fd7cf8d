"""ember.tasks.text.TextClassifier and TextEmbedder (MediaPipe Tasks' shapes) on an
average-word-embedding model built here with TensorFlow, with metadata (regex
tokenizer, vocabulary, labels) written by the built `ember` CLI (EMBER_CLI,
default build/release/ember). Two independent oracles: Python's `re` for the
tokenization (the pattern [^\\w\\']+, ASCII, case kept as MediaPipe keeps it)
and TensorFlow for the scores."""
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest

from ember.tasks import BaseOptions
from ember.tasks import text

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("EMBER_CLI", str(ROOT / "build/release/ember"))
WORDS = ["good", "great", "fun", "bad", "awful", "dull", "it's", "plot", "film", "not"]
LENGTH = 12


@pytest.fixture(scope="module")
def text_model(tf, tmp_path_factory):
    rng = np.random.default_rng(5)
    table = rng.normal(0, 1, (3 + len(WORDS), 3)).astype(np.float32)
    table[0] = 0  # <PAD>

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, LENGTH], tf.int32, name="ids")])
        def serve(self, ids):
            return {"scores": tf.nn.softmax(tf.reduce_mean(tf.gather(table, ids), axis=1))}
    m = M()
    tmp = tmp_path_factory.mktemp("text")
    raw = tmp / "raw.tflite"
    raw.write_bytes(tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert())
    vocab = tmp / "vocab.txt"
    vocab.write_text("<PAD> 0\n<START> 1\n<UNKNOWN> 2\n" +
                     "".join(f"{w} {i + 3}\n" for i, w in enumerate(WORDS)))
    labels = tmp / "labels.txt"
    labels.write_text("positive\nnegative\nneutral\n")
    model = tmp / "text.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(model), "--task", "text_classifier",
                    "--vocab", str(vocab), "--labels", str(labels)], check=True,
                   capture_output=True)
    embedder = tmp / "text_embedder.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(embedder), "--task", "text_embedder",
                    "--vocab", str(vocab)], check=True, capture_output=True)
    return str(model), m, str(embedder)


def reference_ids(sentence):
    ids = {w: i + 3 for i, w in enumerate(WORDS)}
    words = [w for w in re.split(r"[^\w']+", sentence, flags=re.ASCII) if w]
    out = [1] + [ids.get(w, 2) for w in words]
    return (out + [0] * LENGTH)[:LENGTH]


SENTENCES = ["good fun, great plot!", "Good fun, GREAT plot!", "It's not good; it's awful and dull.",
             "A film", "", "unknown words only here", "bad " * 20,
             "under_score and it's-hyphen", "Ünïcödé great"]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_ids_and_scores_match_re_and_tensorflow(text_model, sentence):
    path, module, _ = text_model
    with text.TextClassifier.create_from_model_path(path) as classifier:
        ids = classifier.encode(sentence)
        assert ids == reference_ids(sentence)
        cats = classifier.classify(sentence).classifications[0].categories
    expected = module.serve(np.array([ids], np.int32))["scores"].numpy()[0]
    order = np.argsort(-expected, kind="stable")
    assert [c.index for c in cats] == list(order)
    assert [c.category_name for c in cats] == [["positive", "negative", "neutral"][i]
                                               for i in order]
    np.testing.assert_allclose([c.score for c in cats], expected[order], atol=1e-6)


def test_options_and_errors(text_model, tmp_path):
    path, _, _ = text_model
    options = text.TextClassifierOptions(base_options=BaseOptions(model_asset_path=path),
                                         max_results=1, category_allowlist=["neutral"])
    cats = text.TextClassifier.create_from_options(options).classify("good").classifications[0] \
        .categories
    assert [c.category_name for c in cats] == ["neutral"]
    with pytest.raises(ValueError, match="missing.tflite"):
        text.TextClassifier.create_from_model_path(str(tmp_path / "missing.tflite"))


def test_text_embedder_matches_tensorflow(text_model):
    _, module, embedder_path = text_model
    a, b = "good fun, great plot", "It's awful and dull"
    expected = [module.serve(np.array([reference_ids(s)], np.int32))["scores"].numpy()[0]
                for s in (a, b)]
    plain = text.TextEmbedder.create_from_model_path(embedder_path)
    ea, eb = (plain.embed(s).embeddings[0] for s in (a, b))
    np.testing.assert_allclose(ea.embedding, expected[0], atol=1e-6)
    cos = float(expected[0] @ expected[1] /
                (np.linalg.norm(expected[0]) * np.linalg.norm(expected[1])))
    assert text.TextEmbedder.cosine_similarity(ea, eb) == pytest.approx(cos, abs=1e-6)
    quantized = text.TextEmbedder.create_from_options(text.TextEmbedderOptions(
        base_options=BaseOptions(model_asset_path=embedder_path), l2_normalize=True,
        quantize=True))
    q = quantized.embed(a).embeddings[0].embedding
    assert q.dtype == np.int8
    expected_q = np.clip(np.round(expected[0] / np.linalg.norm(expected[0]) * 128), -128, 127)
    assert np.abs(q.astype(int) - expected_q).max() <= 1


BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "film", "play", "##ing",
              "##ed", "great", "bad", "it", "'", "s", ",", "!", ".", "un", "##believ", "##able"]


@pytest.fixture(scope="module")
def bert_model(tf, tmp_path_factory):
    """BERT's input layout (word ids, type ids, mask; int32 [1,16]) over a
    masked mean of word and type vectors."""
    rng = np.random.default_rng(4)
    table = rng.normal(0, 1, (len(BERT_VOCAB), 2)).astype(np.float32)
    types = rng.normal(0, 1, (2, 2)).astype(np.float32)
    spec = [tf.TensorSpec([1, 16], tf.int32, name=n)
            for n in ("input_word_ids", "input_type_ids", "input_mask")]

    class M(tf.Module):
        @tf.function(input_signature=spec)
        def serve(self, ids, type_ids, mask):
            m = tf.cast(mask, tf.float32)[..., None]
            x = tf.reduce_sum((tf.gather(table, ids) + tf.gather(types, type_ids)) * m,
                              axis=1) / tf.reduce_sum(m, axis=1)
            return {"probs": tf.nn.softmax(x * 3)}
    m = M()
    tmp = tmp_path_factory.mktemp("bert")
    raw = tmp / "raw.tflite"
    raw.write_bytes(tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert())
    (tmp / "vocab.txt").write_text("\n".join(BERT_VOCAB) + "\n")
    (tmp / "labels.txt").write_text("negative\npositive\n")
    model = tmp / "bert.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(model), "--task", "text_classifier",
                    "--vocab", str(tmp / "vocab.txt"), "--labels", str(tmp / "labels.txt")],
                   check=True, capture_output=True)
    return str(model), m


@pytest.mark.parametrize("sentence,pieces", [
    ("The film, it's unbelievable!",
     ["the", "film", ",", "it", "'", "s", "un", "##believ", "##able", "!"]),
    ("PLAYING played plays", ["play", "##ing", "play", "##ed", "[UNK]"]),
    ("", []),
])
def test_bert_wordpiece_ids_and_scores(bert_model, sentence, pieces):
    path, module = bert_model
    classifier = text.TextClassifier.create_from_model_path(path)
    expected_ids = [2] + [BERT_VOCAB.index(p) for p in pieces] + [3]
    ids = classifier.encode(sentence)
    assert ids == expected_ids + [0] * (16 - len(expected_ids))
    mask = [1] * len(expected_ids) + [0] * (16 - len(expected_ids))
    expected = module.serve(np.array([ids], np.int32), np.zeros((1, 16), np.int32),
                            np.array([mask], np.int32))["probs"].numpy()[0]
    cats = classifier.classify(sentence).classifications[0].categories
    assert [c.index for c in cats] == list(np.argsort(-expected, kind="stable"))
    np.testing.assert_allclose([c.score for c in cats], np.sort(expected)[::-1], atol=1e-6)
