#include "tasks/audio_classifier.h"

#include <algorithm>
#include <cstring>

namespace ember::tasks {
namespace {

// The input's sample rate from its AudioProperties; 0 when there is none.
int MetadataSampleRate(const TaskModel& m) {
  const auto& subgraphs = m.metadata().metadata.subgraph_metadata;
  if (subgraphs.empty() || !subgraphs[0] ||
      subgraphs[0]->input_tensor_metadata.empty() ||
      !subgraphs[0]->input_tensor_metadata[0] ||
      !subgraphs[0]->input_tensor_metadata[0]->content)
    return 0;
  const auto* audio = subgraphs[0]
                          ->input_tensor_metadata[0]
                          ->content->content_properties.AsAudioProperties();
  return audio != nullptr && audio->sample_rate <= 384000
             ? static_cast<int>(audio->sample_rate)
             : 0;
}

}  // namespace

bool AudioClassifier::CreateFromOptions(const AudioClassifierOptions& options,
                                        std::unique_ptr<AudioClassifier>* out,
                                        std::string* error) {
  if (!ValidateClassifierOptions(options.classifier_options, error))
    return false;
  std::unique_ptr<AudioClassifier> c(new AudioClassifier());
  if (!TaskModel::Create(options.base_options, &c->model_, error)) return false;
  TaskModel& m = *c->model_;
  const Tensor* in = m.num_inputs() == 1 ? &m.input(0) : nullptr;
  const bool waveform =
      in != nullptr && in->type == DataType::kFloat32 &&
      ((in->shape.rank == 2 && in->shape.dim(0) == 1) || in->shape.rank == 1);
  if (!waveform || in->shape.dim(in->shape.rank - 1) < 1) {
    *error = "model '" + m.path() +
             "' is not a waveform audio classifier (it needs one float32 "
             "[1,samples] input)";
    return false;
  }
  c->chunk_ = in->shape.dim(in->shape.rank - 1);
  c->sample_rate_ = MetadataSampleRate(m);
  if (c->sample_rate_ < 1000) {
    *error = "model '" + m.path() +
             "' has no sample rate in its input metadata (AudioProperties); "
             "add it with `ember metadata " +
             m.path() +
             " -o OUT.tflite --task audio_classifier --sample-rate 16000 "
             "--labels labels.txt`";
    return false;
  }
  if (!c->head_.Init(m, 0, options.classifier_options, {}, "audio_classifier",
                     error))
    return false;
  *out = std::move(c);
  return true;
}

bool AudioClassifier::Classify(const processing::AudioClip& clip,
                               AudioClassifierResult* result,
                               std::string* error) {
  if (clip.sample_rate <= 0) {
    *error = "the clip has no sample rate";
    return false;
  }
  const processing::AudioClip audio = processing::Resample(clip, sample_rate_);
  TaskModel& m = *model_;
  float* input = m.input(0).data_as<float>();
  result->chunks.clear();
  const size_t n = audio.samples.size();
  for (size_t start = 0; start < n || start == 0; start += chunk_) {
    const size_t take = std::min<size_t>(chunk_, n - std::min(start, n));
    std::fill(input, input + chunk_, 0.0f);
    if (take > 0)
      std::memcpy(input, audio.samples.data() + start, take * sizeof(float));
    if (!m.Invoke(error)) return false;
    TimedClassification c;
    c.timestamp_ms =
        static_cast<int>(static_cast<int64_t>(start) * 1000 / sample_rate_);
    if (!head_.Classify(m, &c.classifications, error)) return false;
    result->chunks.push_back(std::move(c));
    if (n == 0) break;
  }
  return true;
}

}  // namespace ember::tasks
