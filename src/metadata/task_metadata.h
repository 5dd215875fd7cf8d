// Metadata for the standard task models, as the task libraries (MediaPipe
// Tasks, TFLite Task Library) expect it: what `ember metadata -o` writes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"

namespace ember::metadata {

enum class TaskKind {
  kImageClassifier,
  kObjectDetector,
  // Models whose outputs the task decodes itself (BlazeFace's anchors, a
  // segmentation mask): the image input's normalization, generic output
  // descriptions, labels optional. What MediaPipe Tasks needs to run them.
  kFaceDetector,
  kImageSegmenter,
  // Feature vectors: the image input's normalization and one generic
  // description per output (MediaPipe's ImageEmbedder needs no more).
  kImageEmbedder,
  // A text classifier over word ids: one int32 [1, N] input tokenized by a
  // regex tokenizer (the vocabulary packed with the model), one output of
  // class scores with their labels.
  kTextClassifier,
  // The same input, one feature vector per output.
  kTextEmbedder,
  // Raw waveform in (one float32 [1, samples] input with its sample rate,
  // AudioProperties), class scores with their labels out.
  kAudioClassifier,
};

// "image_classifier" / "object_detector" / "face_detector" /
// "image_segmenter" / "image_embedder" / "text_classifier" /
// "text_embedder" / "audio_classifier"; false for anything else.
bool ParseTaskKind(const std::string& name, TaskKind* kind);

struct TaskMetadataOptions {
  TaskKind task = TaskKind::kImageClassifier;
  std::string name, description, version, author, license;
  std::vector<float> mean{127.5f};  // per channel, or one for all
  std::vector<float> std{127.5f};
  std::string labels_name = "labels.txt";  // name inside the model's zip
  std::vector<uint8_t> labels;             // one label per line
  float score_threshold = -1;              // < 0: none written
  // text_classifier / text_embedder: the vocabulary ("word id" per line) and
  // the pattern the text is split on.
  std::string vocab_name = "vocab.txt";
  std::vector<uint8_t> vocab;
  std::string delim_regex = "[^\\w\\']+";
  // True: `vocab` is a SentencePiece model (.model, packed as `vocab_name`)
  // and the input gets SentencePieceTokenizerOptions instead of the regex
  // tokenizer (one int32 [1,N] input: the pieces' ids, then the model's pad
  // id).
  bool sentencepiece = false;
  int sample_rate = 16000;  // audio_classifier: the input's rate (Hz)
};

// The metadata and packed label file for the model in `model_file`,
// checked against its tensors: one [1,H,W,C] image input (C 1 or 3), or
// for the text tasks one int32 [1,N] input; for a
// classifier one output whose last axis has one entry per label, for a
// detector the four outputs of TFLite_Detection_PostProcess (both need
// labels; the face detector and segmenter do not). An error names the
// tensor or option that does not fit.
bool BuildTaskMetadata(std::span<const uint8_t> model_file,
                       const TaskMetadataOptions& options,
                       ModelMetadataBundle* bundle, std::string* error);

}  // namespace ember::metadata
