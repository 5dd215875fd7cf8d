"""ember.tasks.audio.AudioClassifier (MediaPipe Tasks' AudioClassifier shape) on a
waveform model built here with TensorFlow (frame log-energies -> dense ->
softmax), with its sample rate and labels written by the built `ember` CLI
(EMBER_CLI, default build/release/ember): every chunk's scores must match
TensorFlow's on the same samples, the last chunk padded with silence."""
import os
import pathlib
import subprocess

import numpy as np
import pytest

from ember.tasks import BaseOptions
from ember.tasks import audio

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("EMBER_CLI", str(ROOT / "build/release/ember"))
CHUNK = 1600  # 0.1 s at 16 kHz


@pytest.fixture(scope="module")
def audio_model(tf, tmp_path_factory):
    weights = np.random.default_rng(9).normal(0, 1, (16, 3)).astype(np.float32)

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, CHUNK], tf.float32, name="samples")])
        def serve(self, samples):
            frames = tf.reshape(samples, [1, 16, CHUNK // 16])
            energy = tf.math.log(tf.reduce_mean(frames * frames, axis=2) + 1e-6)
            return {"scores": tf.nn.softmax(tf.matmul(energy, weights) / 10)}
    m = M()
    tmp = tmp_path_factory.mktemp("audio")
    raw = tmp / "raw.tflite"
    raw.write_bytes(tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert())
    labels = tmp / "labels.txt"
    labels.write_text("tone\nnoise\nsilence\n")
    model = tmp / "audio.tflite"
    subprocess.run([CLI, "metadata", str(raw), "-o", str(model), "--task", "audio_classifier",
                    "--sample-rate", "16000", "--labels", str(labels)], check=True,
                   capture_output=True)
    return str(model), m


def test_chunks_match_tensorflow(audio_model):
    path, module = audio_model
    rng = np.random.default_rng(1)
    t = np.arange(int(16000 * 0.35)) / 16000  # 3.5 chunks
    samples = (0.5 * np.sin(2 * np.pi * 440 * t) * (t < 0.15) +
               rng.normal(0, 0.05, t.size) * (t >= 0.15)).astype(np.float32)
    with audio.AudioClassifier.create_from_model_path(path) as classifier:
        results = classifier.classify(audio.AudioData(samples, 16000))
    assert [r.timestamp_ms for r in results] == [0, 100, 200, 300]
    padded = np.zeros(4 * CHUNK, np.float32)
    padded[:samples.size] = samples
    for i, r in enumerate(results):
        expected = module.serve(padded[None, i * CHUNK:(i + 1) * CHUNK])["scores"].numpy()[0]
        cats = r.classifications[0].categories
        assert [c.index for c in cats] == list(np.argsort(-expected, kind="stable"))
        np.testing.assert_allclose([c.score for c in cats], np.sort(expected)[::-1], atol=1e-5)
    assert {c.category_name for c in results[0].classifications[0].categories} == {
        "tone", "noise", "silence"}


def test_errors(audio_model, tmp_path):
    path, _ = audio_model
    with pytest.raises(ValueError, match="sample_rate"):
        audio.AudioClassifier.create_from_model_path(path).classify(
            audio.AudioData(np.zeros(10, np.float32), 0))
    with pytest.raises(ValueError, match="nothing.tflite"):
        audio.AudioClassifier.create_from_model_path(str(tmp_path / "nothing.tflite"))
