// KeywordSpotter: spoken keywords in a clip, as an audio classifier over
// streaming windows (MediaPipe Tasks' audio.AudioClassifier shape: one
// classification per window, with its timestamp). Two models: a front end
// that turns each short frame of 16-bit samples into a feature vector
// (TFLM's micro_speech audio_preprocessor: 30 ms frames every 20 ms -> 40
// features), and a classifier over a window of consecutive feature vectors
// (micro_speech: 49 frames, about one second).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/audio.h"
#include "tasks/classifier_options.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct KeywordSpotterOptions {
  BaseOptions base_options;         // the classifier
  std::string frontend_model_path;  // the feature front end
  ClassifierOptions classifier_options;
  std::vector<std::string> labels;  // for models without label metadata
  int sample_rate = 16000;          // the front end's rate
  int frame_stride_ms = 20;         // between consecutive frames
  int window_stride_ms = 500;       // between classification windows
};

struct TimedClassification {
  int timestamp_ms = 0;  // start of the window in the clip
  Classifications classifications;
};

struct KeywordSpotterResult {
  std::vector<TimedClassification> windows;
};

class KeywordSpotter {
 public:
  static bool CreateFromOptions(const KeywordSpotterOptions& options,
                                std::unique_ptr<KeywordSpotter>* out,
                                std::string* error);
  // The clip is resampled to the front end's rate; clips shorter than one
  // window are padded with silence.
  bool Classify(const processing::AudioClip& clip, KeywordSpotterResult* result,
                std::string* error);
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  KeywordSpotter() = default;
  bool Features(const std::vector<int16_t>& samples,
                std::vector<std::vector<int8_t>>* frames, std::string* error);
  KeywordSpotterOptions options_;
  std::unique_ptr<TaskModel> frontend_, classifier_;
  std::vector<std::string> labels_;
  int frame_samples_ = 0, features_ = 0, window_frames_ = 0, classes_ = 0;
};

}  // namespace ember::tasks
