// What every task shares: the options naming the model and how to run it
// (MediaPipe Tasks' BaseOptions), and a loaded model with its interpreter
// and TFLite Metadata (labels, normalization) when it has any.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "model/model.h"
#include "processing/image.h"
#include "processing/transform.h"
#include "runtime/interpreter.h"

namespace ember::tasks {

struct BaseOptions {
  std::string model_asset_path;
  int num_threads = 1;
  // "cpu": Ember's optimized CPU kernels (chosen from the CPU's features);
  // "reference": every op on its reference kernel (the numerical oracle);
  // "gpu": the built-in Vulkan delegate (what it does not support stays on
  // the CPU); anything else: the path of an external delegate library.
  std::string delegate = "cpu";
};

// One class and its score (MediaPipe's Category).
struct Category {
  int index = 0;
  float score = 0;
  std::string category_name;  // from the model's labels, or ""
  std::string display_name;
};

// A detection's box in pixels of the input image (MediaPipe's
// BoundingBox): origin and size, each rounded.
struct BoundingBox {
  int origin_x = 0, origin_y = 0, width = 0, height = 0;
};

struct ScoreCalibration;  // classifier_options.h

class TaskModel {
 public:
  // Loads the model, reads its metadata (none is fine), creates and
  // allocates the interpreter. False with `error` naming the file or what
  // is wrong.
  static bool Create(const BaseOptions& options,
                     std::unique_ptr<TaskModel>* out, std::string* error);

  Interpreter& interpreter() { return *interpreter_; }
  Subgraph& graph() { return interpreter_->primary(); }
  const std::string& path() const { return path_; }
  bool has_metadata() const { return has_metadata_; }
  const metadata::ModelMetadataBundle& metadata() const { return bundle_; }

  int num_inputs() { return static_cast<int>(graph().inputs().size()); }
  int num_outputs() { return static_cast<int>(graph().outputs().size()); }
  Tensor& input(int i) { return graph().tensors()[graph().inputs()[i]]; }
  Tensor& output(int i) { return graph().tensors()[graph().outputs()[i]]; }

  // The output's values as floats (dequantized when quantized).
  bool OutputAsFloat(int i, std::vector<float>* values, std::string* error);

  // The labels packed for output `i` (its TENSOR_AXIS_LABELS file), empty
  // when the model has none.
  std::vector<std::string> OutputLabels(int i) const;
  // The output's score calibration from the metadata (false: none, or
  // `error` set when it is malformed), and its global score threshold
  // (false: none).
  bool OutputScoreCalibration(int i, ScoreCalibration* calibration,
                              std::string* error) const;
  bool OutputScoreThreshold(int i, float* threshold) const;
  // The input's normalization from the metadata; false when none is given.
  bool InputNormalization(int i, processing::InputNormalization* norm) const;

  bool Invoke(std::string* error);

 private:
  TaskModel() = default;
  std::string path_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Interpreter> interpreter_;
  std::shared_ptr<const void> delegates_;  // kept alive with the interpreter
  bool has_metadata_ = false;
  metadata::ModelMetadataBundle bundle_;
};

// An image input [1, H, W, C] with C 1 or 3 and type float32/uint8/int8.
struct ImageInputShape {
  int height = 0, width = 0, channels = 0;
};
bool GetImageInputShape(TaskModel& model, int input, ImageInputShape* shape,
                        std::string* error);

// How a picture is fitted to the input size.
enum class FitMode { kStretch, kLetterbox };

// Converts, resizes (stretching or letterboxing; bilinear, sampled as
// MediaPipe's ImageToTensor does) and normalizes `image` into input
// `input`. The normalization comes from the model's metadata,
// else `fallback` (each task knows what its models expect).
bool SetImageInput(TaskModel& model, int input, const processing::Image& image,
                   FitMode fit, const processing::InputNormalization& fallback,
                   processing::LetterboxPlacement* placement,
                   std::string* error);

// Normalizes `image`, already the input's size, into input `input` (the
// metadata's normalization, else `fallback`); errors name the model and
// input. SetImageInput's last step, and the landmarkers' for their crops.
bool WriteImageInput(TaskModel& model, int input,
                     const processing::Image& image,
                     const processing::InputNormalization& fallback,
                     std::string* error);

// The hint appended to errors about missing metadata.
std::string MetadataHint(const std::string& model_path,
                         const std::string& task);

}  // namespace ember::tasks
