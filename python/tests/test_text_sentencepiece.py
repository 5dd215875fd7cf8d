"""TextClassifier and TextEmbedder over SentencePiece piece ids, end to end:
a SentencePiece model (PyPI `sentencepiece`, unigram) and a small Keras
classifier (embedding, mean, dense) are trained here on generated review
sentences; `ember metadata --task text_classifier --sentencepiece` packs the
.model with the classifier. Ember (Python API and `ember task text`) must
give the package's ids (then the pad id) and TensorFlow's scores, and
classify held-out sentences right."""
import io
import json
import os
import pathlib
import random
import subprocess

import numpy as np
import pytest

from ember.tasks import BaseOptions
from ember.tasks import text

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("EMBER_CLI", str(ROOT / "build/release/ember"))
LENGTH = 24
POSITIVE = "great wonderful loved brilliant fun excellent superb enjoyable".split()
NEGATIVE = "awful terrible hated boring dull dreadful poor tedious".split()
NEUTRAL = "the movie film plot acting story was really very and a its music".split()
HELD_OUT = [("a wonderful film with superb acting", "positive"),
            ("the plot was boring and the music dreadful", "negative"),
            ("really enjoyable, i loved it!", "positive"),
            ("Terrible. Tedious. Poor.", "negative"),
            ("brilliant story and excellent music", "positive"),
            ("a dull movie, hated the ending", "negative")]


def sentence(rng, words):
    picks = [rng.choice(words) for _ in range(rng.randint(1, 3))]
    picks += [rng.choice(NEUTRAL) for _ in range(rng.randint(2, 6))]
    rng.shuffle(picks)
    return " ".join(picks)


@pytest.fixture(scope="module")
def spm_model(tf, tmp_path_factory):
    spm = pytest.importorskip("sentencepiece")  # pinned in requirements-dev
    rng = random.Random(14)
    data = [(sentence(rng, POSITIVE), 0) for _ in range(600)] + \
           [(sentence(rng, NEGATIVE), 1) for _ in range(600)]
    rng.shuffle(data)
    tmp = tmp_path_factory.mktemp("spm_text")
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([s for s, _ in data]), model_writer=buf, model_type="unigram",
        vocab_size=48, character_coverage=1.0, pad_id=0, unk_id=1, bos_id=-1, eos_id=-1,
        num_threads=1, minloglevel=2)
    sp_path = tmp / "reviews.model"
    sp_path.write_bytes(buf.getvalue())
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))

    def ids(s):
        return (sp.encode(s) + [sp.pad_id()] * LENGTH)[:LENGTH]

    x = np.array([ids(s) for s, _ in data], np.int32)
    y = np.array([label for _, label in data], np.int32)
    tf.keras.utils.set_random_seed(14)
    inputs = tf.keras.Input((LENGTH,), batch_size=1, dtype=tf.int32, name="ids")
    h = tf.keras.layers.Embedding(sp.get_piece_size(), 8)(inputs)
    h = tf.keras.layers.GlobalAveragePooling1D()(h)
    outputs = tf.keras.layers.Dense(2, activation="softmax")(h)
    model = tf.keras.Model(inputs, outputs)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05),
                  loss="sparse_categorical_crossentropy")
    x_batched = tf.data.Dataset.from_tensor_slices((x, y)).batch(1)
    model.fit(x_batched, epochs=2, verbose=0)
    raw = tmp / "raw.tflite"
    raw.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    labels = tmp / "labels.txt"
    labels.write_text("positive\nnegative\n")
    path = tmp / "reviews.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(path), "--task", "text_classifier",
                    "--sentencepiece", str(sp_path), "--labels", str(labels)], check=True,
                   capture_output=True)
    embedder = tmp / "reviews_embedder.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(embedder), "--task", "text_embedder",
                    "--sentencepiece", str(sp_path)], check=True, capture_output=True)
    return str(path), str(embedder), model, ids


SENTENCES = [s for s, _ in HELD_OUT] + ["", "   ", "東京 😀 ж", "great " * 40,
                                         "unseen wordz entirely"]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_ids_and_scores_match_sentencepiece_and_tensorflow(spm_model, sentence):
    path, _, model, ids = spm_model
    with text.TextClassifier.create_from_model_path(path) as classifier:
        assert classifier.encode(sentence) == ids(sentence)
        cats = classifier.classify(sentence).classifications[0].categories
    expected = model(np.array([ids(sentence)], np.int32)).numpy()[0]
    by_index = {c.index: c.score for c in cats}
    np.testing.assert_allclose([by_index[0], by_index[1]], expected, atol=1e-5)


@pytest.mark.parametrize("sentence,label", HELD_OUT)
def test_held_out_sentences_classified_through_python_and_cli(spm_model, sentence, label):
    path, _, _, _ = spm_model
    classifier = text.TextClassifier.create_from_model_path(path)
    top = classifier.classify(sentence).classifications[0].categories[0]
    assert top.category_name == label
    out = subprocess.run([CLI, "task", "text", "--model", path, "--json", sentence],
                         check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    assert report["classifications"][0]["categories"][0]["category_name"] == label
    assert report["token_ids"] == classifier.encode(sentence)


def test_text_embedder_on_sentencepiece(spm_model):
    _, embedder, model, ids = spm_model
    e = text.TextEmbedder.create_from_model_path(embedder)
    got = e.embed(HELD_OUT[0][0]).embeddings[0].embedding
    np.testing.assert_allclose(got, model(np.array([ids(HELD_OUT[0][0])], np.int32))
                               .numpy()[0], atol=1e-5)


def test_missing_module_is_a_clear_error(spm_model):
    path, _, _, _ = spm_model
    env = dict(os.environ, EMBER_SENTENCEPIECE_MODULE="/nonexistent/libember_sentencepiece.so")
    r = subprocess.run([CLI, "task", "text", "--model", path, "good"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "libsentencepiece0" in r.stderr and "/nonexistent" in r.stderr
    assert subprocess.run([CLI, "--help"], env=env, capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def bert_spm_model(tf, tmp_path_factory):
    """BERT's input layout (ids, mask, segment ids: int32 [1,16]) with a
    SentencePiece model that has [CLS] and [SEP] pieces, as MediaPipe's
    ALBERT-like classifiers carry it (SentencePieceTokenizerOptions among
    the subgraph's input process units)."""
    spm = pytest.importorskip("sentencepiece")
    rng = random.Random(7)
    corpus = [sentence(rng, POSITIVE + NEGATIVE) for _ in range(800)]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=buf, model_type="bpe", vocab_size=60,
        character_coverage=1.0, pad_id=0, unk_id=1, bos_id=-1, eos_id=-1,
        user_defined_symbols=["[CLS]", "[SEP]"], num_threads=1, minloglevel=2)
    tmp = tmp_path_factory.mktemp("bert_spm")
    sp_path = tmp / "albert.model"
    sp_path.write_bytes(buf.getvalue())
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    table = np.random.default_rng(3).normal(0, 1, (sp.get_piece_size(), 2)).astype(np.float32)
    spec = [tf.TensorSpec([1, 16], tf.int32, name=n)
            for n in ("input_word_ids", "input_mask", "input_type_ids")]

    class M(tf.Module):
        @tf.function(input_signature=spec)
        def serve(self, ids, mask, type_ids):
            m = tf.cast(mask, tf.float32)[..., None]
            x = tf.reduce_sum(tf.gather(table, ids) * m, axis=1) / tf.reduce_sum(m, axis=1)
            return {"probs": tf.nn.softmax(x * 3 + tf.cast(tf.reduce_sum(type_ids), tf.float32))}
    m = M()
    raw = tmp / "raw.tflite"
    raw.write_bytes(tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert())
    (tmp / "labels.txt").write_text("negative\npositive\n")
    path = tmp / "albert.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(path), "--task", "text_classifier",
                    "--sentencepiece", str(sp_path), "--labels", str(tmp / "labels.txt")],
                   check=True, capture_output=True)
    return str(path), m, sp


@pytest.mark.parametrize("sentence", ["a wonderful film", "", "東京 😀 " * 3,
                                      "the plot was boring " * 10, "Terrible. Tedious. POOR.",
                                      "ÉTÉ Über ΩΣ ЖЁ"])
def test_bert_layout_with_sentencepiece(bert_spm_model, sentence):
    path, module, sp = bert_spm_model
    classifier = text.TextClassifier.create_from_model_path(path)
    # Lower-cased first, as MediaPipe does for BERT-style models.
    pieces = sp.encode(sentence.lower())[:14]
    expected_ids = [sp.piece_to_id("[CLS]")] + pieces + [sp.piece_to_id("[SEP]")]
    ids = classifier.encode(sentence)
    assert ids == expected_ids + [0] * (16 - len(expected_ids))
    mask = [1] * len(expected_ids) + [0] * (16 - len(expected_ids))
    expected = module.serve(np.array([ids], np.int32), np.array([mask], np.int32),
                            np.zeros((1, 16), np.int32))["probs"].numpy()[0]
    cats = classifier.classify(sentence).classifications[0].categories
    by_index = {c.index: c.score for c in cats}
    np.testing.assert_allclose([by_index[0], by_index[1]], expected, atol=1e-6)


def test_writer_refuses_a_broken_sentencepiece_model(spm_model, tmp_path):
    path, _, _, _ = spm_model
    raw = pathlib.Path(path).parent / "raw.tflite"
    bad = tmp_path / "bad.model"
    bad.write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "out.tflite"
    r = subprocess.run([CLI, "metadata", str(raw), "-o", str(out), "--task", "text_classifier",
                        "--sentencepiece", str(bad), "--labels",
                        str(pathlib.Path(path).parent / "labels.txt")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "not a valid SentencePiece model" in r.stderr
    assert not out.exists()
