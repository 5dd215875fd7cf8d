#!/usr/bin/env python3
"""Trains small SentencePiece models (unigram and BPE) with the PyPI
`sentencepiece` package on a corpus generated here, and writes what the
package's SentencePieceProcessor makes of many strings: the oracle of
Ember's SentencePiece tokenizer (tests/text/sentencepiece_test.cc and
tests/python/test_text_sentencepiece.py).

usage: make_spm_models.py OUT_DIR

Writes OUT_DIR/{unigram,bpe}.model, OUT_DIR/strings.json (the inputs) and
OUT_DIR/{unigram,bpe}.expected.json ({"ids": [[...]], "pieces": [[...]]}),
and OUT_DIR/relu.onnx, a one-op ONNX model for the test that converts ONNX
and tokenizes in one process.
"""
import io
import json
import os
import random
import sys

import onnx
from onnx import TensorProto, helper
import sentencepiece as spm

WORDS = ("the a movie film was great good bad awful wonderful terrible "
         "plot actor acting story boring loved hated music scene ending "
         "really very not fun dull brilliant slow fast funny sad café naïve "
         "über straße 東京 映画 良い ok yes no").split()


def corpus(rng, lines=3000):
    out = []
    for _ in range(lines):
        n = rng.randint(3, 12)
        out.append(" ".join(rng.choice(WORDS) for _ in range(n)))
    return out


# Strings the oracle is asked about: words seen in training, unseen words,
# characters outside the training alphabet (unknown), whitespace runs and
# edges, punctuation, mixed scripts, emoji, the empty string.
FIXED = [
    "", " ", "   ", "\t\n", "the movie was great", "  the  movie   was great  ",
    "The Movie WAS Great!", "unseenword", "xyzzy qwerty", "café naïve über",
    "straße STRASSE", "東京 映画 良い", "東京の映画は良い", "😀 emoji 🎬 film",
    "a\u00a0b", "ﬁle ｆｕｌｌ width", "tab\tseparated\tvalues", "new\nline",
    "1234 5678 3.14", "!!!???...", "a" * 300, "ünïcödé ẞ Ω ж ب ह",
    "good" + "\u0301", "\u200b zero width", "<unk> <s> </s>",
]


def strings(rng):
    out = list(FIXED)
    alphabet = WORDS + ["Ω", "ж", "🎬", "ب", "#", "--", "  ", "\t", "x9"]
    for _ in range(200):
        n = rng.randint(0, 10)
        sep = rng.choice([" ", "  ", " ", "", "\t"])
        out.append(sep.join(rng.choice(alphabet) for _ in range(n)))
    return out


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(14)
    text = "\n".join(corpus(rng)) + "\n"
    inputs = strings(rng)
    with open(os.path.join(out_dir, "strings.json"), "w", encoding="utf-8") as f:
        json.dump(inputs, f, ensure_ascii=False)
    for kind, vocab in (("unigram", 64), ("bpe", 64)):
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(text.splitlines()), model_writer=model,
            model_type=kind, vocab_size=vocab, character_coverage=1.0,
            pad_id=0, unk_id=1, bos_id=2, eos_id=3, num_threads=1,
            minloglevel=2)
        path = os.path.join(out_dir, kind + ".model")
        with open(path, "wb") as f:
            f.write(model.getvalue())
        sp = spm.SentencePieceProcessor(model_file=path)
        expected = {
            "ids": [sp.encode(s) for s in inputs],
            "pieces": [sp.encode(s, out_type=str) for s in inputs],
            "pad": sp.pad_id(), "unk": sp.unk_id(), "bos": sp.bos_id(),
            "eos": sp.eos_id(), "vocab_size": sp.get_piece_size(),
        }
        with open(os.path.join(out_dir, kind + ".expected.json"), "w",
                  encoding="utf-8") as f:
            json.dump(expected, f, ensure_ascii=False)
    write_onnx(os.path.join(out_dir, "relu.onnx"))


def write_onnx(path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])],
                              "relu", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


if __name__ == "__main__":
    main()
