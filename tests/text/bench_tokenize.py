#!/usr/bin/env python3
"""Tokenization time per sentence: Ember's SentencePiece tokenizer (through
`ember.tasks.text.TextClassifier.encode`, which also pads to the input's
length) against the PyPI `sentencepiece` package (`encode`, then the same
padding), both called from Python on the same model and sentences,
interleaved, median of 5 rounds. Run by hand:

  python3 tests/text/bench_tokenize.py MODEL.tflite SPM.model

MODEL.tflite: a one-input text classifier with the SentencePiece model
packed by `ember metadata --task text_classifier --sentencepiece SPM.model`
(python/tests/test_text_sentencepiece.py builds one)."""
import statistics
import sys
import time

import sentencepiece as spm

from ember.tasks import text

SENTENCES = ["a wonderful film with superb acting",
             "the plot was boring and the music dreadful",
             "really enjoyable, i loved it!", "Terrible. Tedious. Poor.",
             "brilliant story and excellent music but a dull ending " * 3,
             "東京 😀 unseen words here"]


def per_sentence_us(fn, repeat=2000):
    start = time.perf_counter()
    for _ in range(repeat):
        for s in SENTENCES:
            fn(s)
    return (time.perf_counter() - start) / (repeat * len(SENTENCES)) * 1e6


def main():
    model, sp_path = sys.argv[1], sys.argv[2]
    classifier = text.TextClassifier.create_from_model_path(model)
    sp = spm.SentencePieceProcessor(model_file=sp_path)
    length = len(classifier.encode(""))
    pad = sp.pad_id()

    def package(s):
        return (sp.encode(s) + [pad] * length)[:length]

    for s in SENTENCES:
        assert classifier.encode(s) == package(s), s
    ember, pypi = [], []
    for _ in range(5):
        ember.append(per_sentence_us(classifier.encode))
        pypi.append(per_sentence_us(package))
    print(f"Ember {statistics.median(ember):.2f} us/sentence "
          f"(min {min(ember):.2f}); sentencepiece {spm.__version__} "
          f"{statistics.median(pypi):.2f} us/sentence (min {min(pypi):.2f}); "
          f"ratio {statistics.median(pypi) / statistics.median(ember):.2f}")


if __name__ == "__main__":
    main()
