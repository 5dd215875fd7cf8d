#!/usr/bin/env python3
"""MediaPipe Tasks' TextClassifier and Ember's (`ember task text --json`) on
one BERT-layout model whose SentencePiece tokenizer metadata Ember wrote
(python/tests/test_text_sentencepiece.py's bert_spm_model fixture writes
albert.tflite; run pytest with --basetemp=DIR to keep it). Prints the scores
of both and the largest difference. Run by hand in MediaPipe's own venv
(see requirements-mediapipe.txt):

  /tmp/mpv/bin/python tests/text/compare_sentencepiece_with_mediapipe.py \\
      DIR/bert_spm0/albert.tflite [build/release/ember]
"""
import json
import subprocess
import sys

from mediapipe.tasks.python import text
from mediapipe.tasks.python.core import base_options

SENTENCES = ["a wonderful film with superb acting", "the plot was boring " * 10,
             "Terrible. Tedious. Poor.", "東京 😀 great", "", "ÉTÉ Über ΩΣ ЖЁ",
             "Really ENJOYABLE, I loved it!"]


def main():
    path = sys.argv[1]
    cli = sys.argv[2] if len(sys.argv) > 2 else "build/release/ember"
    options = text.TextClassifierOptions(
        base_options=base_options.BaseOptions(model_asset_path=path))
    worst = 0.0
    with text.TextClassifier.create_from_options(options) as classifier:
        for s in SENTENCES:
            mp = {c.index: c.score
                  for c in classifier.classify(s).classifications[0].categories}
            out = json.loads(subprocess.run([cli, "task", "text", "--model", path, "--json", s],
                                            check=True, capture_output=True, text=True).stdout)
            em = {c["index"]: c["score"] for c in out["classifications"][0]["categories"]}
            diff = max(abs(mp[i] - em[i]) for i in mp)
            worst = max(worst, diff)
            print(f"{s[:36]!r:40} MediaPipe {[round(mp[i], 7) for i in sorted(mp)]} "
                  f"Ember {[round(em[i], 7) for i in sorted(em)]} diff {diff:.1e}")
    print(f"max score difference {worst:.1e}")


if __name__ == "__main__":
    main()
