"""Ember's task library, shaped like MediaPipe Tasks (`mediapipe.tasks.python`).

    from ember.tasks import BaseOptions
    from ember.tasks import vision

    options = vision.ImageClassifierOptions(
        base_options=BaseOptions(model_asset_path="model.tflite"), max_results=3)
    with vision.ImageClassifier.create_from_options(options) as classifier:
        result = classifier.classify(vision.Image.create_from_file("cat.jpg"))
    print(result.classifications[0].categories[0].category_name)

Code written for `mediapipe.tasks.python.vision` (and `.text`) runs by changing the imports;
`ember.tasks.audio.KeywordSpotter` is the streaming keyword spotter.
"""
from ember.tasks.components import (BaseOptions, BoundingBox, Category, Classifications,
                                    ClassificationResult, Delegate, Embedding, EmbeddingResult,
                                    NormalizedKeypoint)

__all__ = ["BaseOptions", "BoundingBox", "Category", "Classifications", "ClassificationResult",
           "Delegate", "Embedding", "EmbeddingResult", "NormalizedKeypoint"]
