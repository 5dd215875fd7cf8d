#!/usr/bin/env python3
"""Writes the small models of the manual MediaPipe comparison
(tests/tasks/compare_with_mediapipe.py --test-models DIR) into DIR, with
fixed random weights; needs TensorFlow (the test tooling's):
  embedder.tflite   float image embedder: 96x96x3 -> two strided 3x3 convs ->
                    global average pool (32 values)
  text.tflite       average-word-embedding text classifier: int32 [1,12]
                    word ids -> word table -> mean -> softmax over 3 classes,
                    with vocab.txt ("word id" lines) and text_labels.txt for
                    `ember metadata --task text_classifier`
  bert.tflite       BERT's input layout (word ids, type ids, mask: int32
                    [1,16]) over a masked mean of word vectors, softmax over
                    2 classes, with bert_vocab.txt (WordPiece) and
                    bert_labels.txt for `--task text_classifier`
  audio.tflite      waveform classifier: float32 [1,6000] samples (16 kHz) ->
                    log energy of 60 frames -> dense -> softmax over 4
                    classes, with audio_labels.txt for `ember metadata --task
                    audio_classifier --sample-rate 16000`

  python3 tests/tasks/make_test_models.py DIR
"""
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

WORDS = ["good", "great", "fun", "bad", "awful", "dull", "it's", "plot", "film", "not"]


def embedder():
    tf.keras.utils.set_random_seed(3)
    image = tf.keras.Input((96, 96, 3), batch_size=1, name="image")
    x = tf.keras.layers.Conv2D(16, 3, strides=2, activation="relu")(image)
    x = tf.keras.layers.Conv2D(32, 3, strides=2, activation="relu")(x)
    x = tf.keras.layers.GlobalAveragePooling2D(name="feature")(x)
    return tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model(image, x)).convert()


def text_classifier():
    table = np.random.default_rng(5).normal(0, 1, (3 + len(WORDS), 3)).astype(np.float32)
    table[0] = 0  # <PAD>

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 12], tf.int32, name="ids")])
        def serve(self, ids):
            return {"scores": tf.nn.softmax(tf.reduce_mean(tf.gather(table, ids), axis=1))}
    m = M()
    return tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert()


def audio_classifier():
    rng = np.random.default_rng(9)
    weights = rng.normal(0, 1, (60, 4)).astype(np.float32)

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 6000], tf.float32, name="samples")])
        def serve(self, samples):
            frames = tf.reshape(samples, [1, 60, 100])
            energy = tf.math.log(tf.reduce_mean(frames * frames, axis=2) + 1e-6)
            return {"scores": tf.nn.softmax(tf.matmul(energy, weights) / 10)}
    m = M()
    return tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert()


BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "film", "play", "##ing",
              "##ed", "great", "bad", "it", "'", "s", ",", "!", ".", "un", "##believ", "##able",
              "good"]


def bert_classifier():
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
    return tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m).convert()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_test_models.py DIR")
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "embedder.tflite").write_bytes(embedder())
    (out / "text.tflite").write_bytes(text_classifier())
    (out / "vocab.txt").write_text("<PAD> 0\n<START> 1\n<UNKNOWN> 2\n" +
                                   "".join(f"{w} {i + 3}\n" for i, w in enumerate(WORDS)))
    (out / "text_labels.txt").write_text("positive\nnegative\nneutral\n")
    (out / "bert.tflite").write_bytes(bert_classifier())
    (out / "bert_vocab.txt").write_text("\n".join(BERT_VOCAB) + "\n")
    (out / "bert_labels.txt").write_text("negative\npositive\n")
    (out / "audio.tflite").write_bytes(audio_classifier())
    (out / "audio_labels.txt").write_text("speech\nnoise\nsilence\nmusic\n")


if __name__ == "__main__":
    main()
