"""ember.tasks.text.TextClassifier (MediaPipe Tasks' TextClassifier shape) on an
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
    return str(model), m


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
    path, module = text_model
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
    path, _ = text_model
    options = text.TextClassifierOptions(base_options=BaseOptions(model_asset_path=path),
                                         max_results=1, category_allowlist=["neutral"])
    cats = text.TextClassifier.create_from_options(options).classify("good").classifications[0] \
        .categories
    assert [c.category_name for c in cats] == ["neutral"]
    with pytest.raises(ValueError, match="missing.tflite"):
        text.TextClassifier.create_from_model_path(str(tmp_path / "missing.tflite"))
