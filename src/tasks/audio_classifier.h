// AudioClassifier: a clip in, one classification per chunk of the model's
// input length out, each with its start time (as MediaPipe Tasks'
// audio.AudioClassifier in audio-clips mode), for models that take raw
// waveform samples: one float32 [1, N] (or [N]) input whose metadata gives
// the sample rate (AudioProperties; `ember metadata --task audio_classifier
// --sample-rate R` adds it). The clip is resampled to that rate and cut into
// consecutive chunks of N samples; the last one is padded with silence.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/audio.h"
#include "tasks/classifier_options.h"
#include "tasks/keyword_spotter.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct AudioClassifierOptions {
  BaseOptions base_options;
  ClassifierOptions classifier_options;
};

struct AudioClassifierResult {
  std::vector<TimedClassification> chunks;  // in clip order
};

class AudioClassifier {
 public:
  static bool CreateFromOptions(const AudioClassifierOptions& options,
                                std::unique_ptr<AudioClassifier>* out,
                                std::string* error);
  bool Classify(const processing::AudioClip& clip,
                AudioClassifierResult* result, std::string* error);
  int sample_rate() const { return sample_rate_; }
  int chunk_samples() const { return chunk_; }

 private:
  AudioClassifier() = default;
  std::unique_ptr<TaskModel> model_;
  ClassifierHead head_;
  int sample_rate_ = 0, chunk_ = 0;
};

}  // namespace ember::tasks
