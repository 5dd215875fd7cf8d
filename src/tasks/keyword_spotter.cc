#include "tasks/keyword_spotter.h"

#include <algorithm>
#include <cstring>

namespace ember::tasks {

bool KeywordSpotter::CreateFromOptions(const KeywordSpotterOptions& options,
                                       std::unique_ptr<KeywordSpotter>* out,
                                       std::string* error) {
  if (!ValidateClassifierOptions(options.classifier_options, error))
    return false;
  if (options.frontend_model_path.empty()) {
    *error =
        "no front-end model given (frontend_model_path), e.g. TFLM's "
        "audio_preprocessor_int8.tflite";
    return false;
  }
  if (options.frame_stride_ms <= 0 || options.window_stride_ms <= 0 ||
      options.sample_rate <= 0) {
    *error =
        "sample_rate, frame_stride_ms and window_stride_ms must be "
        "positive";
    return false;
  }
  std::unique_ptr<KeywordSpotter> k(new KeywordSpotter());
  k->options_ = options;
  BaseOptions fe = options.base_options;
  fe.model_asset_path = options.frontend_model_path;
  if (!TaskModel::Create(fe, &k->frontend_, error) ||
      !TaskModel::Create(options.base_options, &k->classifier_, error))
    return false;
  TaskModel& f = *k->frontend_;
  TaskModel& c = *k->classifier_;
  const Tensor& fin = f.input(0);
  const Tensor& fout = f.output(0);
  if (f.num_inputs() != 1 || fin.type != DataType::kInt16 ||
      fin.NumElements() < 1 || fout.type != DataType::kInt8) {
    *error = "front end '" + f.path() +
             "' must take one int16 frame of samples and give int8 "
             "features (as TFLM's audio_preprocessor_int8.tflite)";
    return false;
  }
  k->frame_samples_ = static_cast<int>(fin.NumElements());
  k->features_ = static_cast<int>(fout.NumElements());
  const Tensor& cin = c.input(0);
  const int64_t window_values = cin.NumElements();
  if (cin.type != DataType::kInt8 || window_values % k->features_ != 0) {
    *error = "classifier '" + c.path() + "' input '" + cin.name +
             "' must be int8 with a multiple of " +
             std::to_string(k->features_) +
             " values (frames of the front end's features)";
    return false;
  }
  k->window_frames_ = static_cast<int>(window_values / k->features_);
  const Shape& cs = c.output(0).shape;
  k->classes_ = cs.rank > 0 ? cs.dim(cs.rank - 1) : 1;
  k->labels_ = c.OutputLabels(0);
  if (k->labels_.empty()) k->labels_ = options.labels;
  if (!k->labels_.empty() &&
      static_cast<int>(k->labels_.size()) != k->classes_) {
    *error = "classifier '" + c.path() + "' scores " +
             std::to_string(k->classes_) + " classes but " +
             std::to_string(k->labels_.size()) + " labels were given";
    return false;
  }
  *out = std::move(k);
  return true;
}

bool KeywordSpotter::Features(const std::vector<int16_t>& samples,
                              std::vector<std::vector<int8_t>>* frames,
                              std::string* error) {
  TaskModel& f = *frontend_;
  // The front end keeps state across frames (noise estimate, gain
  // control): each clip starts from a fresh state.
  if (!f.interpreter().ResetVariables().ok()) {
    *error = "cannot reset the front end's state";
    return false;
  }
  const size_t stride = static_cast<size_t>(options_.sample_rate) *
                        options_.frame_stride_ms / 1000;
  frames->clear();
  for (size_t at = 0; at + frame_samples_ <= samples.size(); at += stride) {
    Tensor& in = f.input(0);
    std::memcpy(in.data, samples.data() + at,
                static_cast<size_t>(frame_samples_) * sizeof(int16_t));
    if (!f.Invoke(error)) return false;
    const int8_t* out = f.output(0).data_as<int8_t>();
    frames->emplace_back(out, out + features_);
  }
  return true;
}

bool KeywordSpotter::Classify(const processing::AudioClip& clip,
                              KeywordSpotterResult* result,
                              std::string* error) {
  if (clip.samples.empty()) {
    *error = "the audio clip has no samples";
    return false;
  }
  const processing::AudioClip audio =
      processing::Resample(clip, options_.sample_rate);
  std::vector<int16_t> samples = processing::ToInt16(audio.samples);
  const size_t frame_stride = static_cast<size_t>(options_.sample_rate) *
                              options_.frame_stride_ms / 1000;
  const size_t window_samples =
      (window_frames_ - 1) * frame_stride + frame_samples_;
  if (samples.size() < window_samples) samples.resize(window_samples, 0);
  std::vector<std::vector<int8_t>> frames;
  if (!Features(samples, &frames, error)) return false;
  const int window_stride =
      std::max(1, options_.window_stride_ms / options_.frame_stride_ms);
  TaskModel& c = *classifier_;
  result->windows.clear();
  for (size_t start = 0; start + window_frames_ <= frames.size();
       start += window_stride) {
    int8_t* in = c.input(0).data_as<int8_t>();
    for (int i = 0; i < window_frames_; ++i)
      std::memcpy(in + static_cast<size_t>(i) * features_,
                  frames[start + i].data(), features_);
    if (!c.Invoke(error)) return false;
    std::vector<float> scores;
    if (!c.OutputAsFloat(0, &scores, error)) return false;
    scores.resize(static_cast<size_t>(classes_));
    TimedClassification w;
    w.timestamp_ms = static_cast<int>(start) * options_.frame_stride_ms;
    w.classifications.categories =
        SelectCategories(scores, labels_, options_.classifier_options);
    result->windows.push_back(std::move(w));
  }
  return true;
}

}  // namespace ember::tasks
