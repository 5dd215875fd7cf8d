#include "tasks/task_model.h"

#include <sstream>

#include "delegate/delegate.h"
#include "runtime/op_resolver.h"
#include "tasks/classifier_options.h"

namespace ember::tasks {
namespace {

std::vector<std::string> SplitLines(const std::vector<uint8_t>& text) {
  std::vector<std::string> lines;
  std::string line;
  for (uint8_t c : text) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else if (c != '\r') {
      line.push_back(static_cast<char>(c));
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

const metadata::fb::SubGraphMetadataT* FirstSubgraph(
    const metadata::ModelMetadataBundle& b) {
  if (b.metadata.subgraph_metadata.empty()) return nullptr;
  return b.metadata.subgraph_metadata[0].get();
}

}  // namespace

std::string MetadataHint(const std::string& model_path,
                         const std::string& task) {
  return "add it with `ember metadata " + model_path +
         " -o OUT.tflite --task " + task +
         " --labels labels.txt --mean M --std S`";
}

bool TaskModel::Create(const BaseOptions& options,
                       std::unique_ptr<TaskModel>* out, std::string* error) {
  if (options.model_asset_path.empty()) {
    *error = "no model given (base_options.model_asset_path)";
    return false;
  }
  if (options.num_threads < 1) {
    *error = "num_threads must be at least 1, got " +
             std::to_string(options.num_threads);
    return false;
  }
  InterpreterOptions interp_options;
  interp_options.num_threads = options.num_threads;
  // A delegate is created before the model is read, so that one that
  // cannot run here (no Vulkan device, a missing library) is the error.
  std::shared_ptr<delegate::Delegate> accelerator;
  if (options.delegate == "reference") {
    interp_options.force_reference_kernels = true;
  } else if (options.delegate != "cpu" && !options.delegate.empty()) {
    std::string why;
    if (!delegate::CreateDelegate(options.delegate, {}, &accelerator, &why)
             .ok()) {
      *error = "delegate '" + options.delegate + "' cannot run: " + why +
               " (the tasks also run on 'cpu' or 'reference')";
      return false;
    }
  }
  std::unique_ptr<TaskModel> m(new TaskModel());
  m->path_ = options.model_asset_path;
  ErrorReporter errors;
  if (!Model::Load(m->path_.c_str(), errors, &m->model_).ok()) {
    *error = "cannot load model '" + m->path_ + "': " + errors.message();
    return false;
  }
  std::string md_error;
  switch (metadata::ReadModelMetadata(
      std::span<const uint8_t>(m->model_->bytes(), m->model_->size()),
      &m->bundle_, &md_error)) {
    case metadata::ReadResult::kOk:
      m->has_metadata_ = true;
      break;
    case metadata::ReadResult::kNoMetadata:
      break;
    case metadata::ReadResult::kError:
      *error = "model '" + m->path_ + "' has damaged metadata: " + md_error;
      return false;
  }
  std::shared_ptr<delegate::AppliedDelegates> applied;
  if (!Interpreter::Create(*m->model_, OpResolver::Builtins(), interp_options,
                           errors, &m->interpreter_)
           .ok() ||
      (accelerator &&
       !delegate::ApplyDelegates(*m->interpreter_, {accelerator}, &applied)
            .ok()) ||
      !m->interpreter_->AllocateTensors().ok()) {
    *error = "cannot prepare model '" + m->path_ + "': " + errors.message() +
             (m->interpreter_ ? m->interpreter_->errors().message() : "");
    return false;
  }
  m->delegates_ = applied;
  *out = std::move(m);
  return true;
}

bool TaskModel::Invoke(std::string* error) {
  if (!interpreter_->Invoke().ok()) {
    *error =
        std::string("inference failed: ") + interpreter_->errors().message();
    return false;
  }
  return true;
}

bool TaskModel::OutputAsFloat(int i, std::vector<float>* values,
                              std::string* error) {
  const Tensor& t = output(i);
  const int64_t n = t.NumElements();
  values->resize(static_cast<size_t>(n));
  const float scale = t.quant.quantized() ? t.quant.scale0() : 1.0f;
  const int32_t zp = t.quant.quantized() ? t.quant.zero_point0() : 0;
  for (int64_t k = 0; k < n; ++k) {
    switch (t.type) {
      case DataType::kFloat32:
        (*values)[k] = t.data_as<float>()[k];
        break;
      case DataType::kUInt8:
        (*values)[k] = scale * (t.data_as<uint8_t>()[k] - zp);
        break;
      case DataType::kInt8:
        (*values)[k] = scale * (t.data_as<int8_t>()[k] - zp);
        break;
      case DataType::kInt16:
        (*values)[k] = scale * (t.data_as<int16_t>()[k] - zp);
        break;
      default:
        *error = std::string("output '") + t.name + "' has type " +
                 DataTypeName(t.type) +
                 "; float32, uint8, int8 and int16 "
                 "outputs are supported";
        return false;
    }
  }
  return true;
}

std::vector<std::string> TaskModel::OutputLabels(int i) const {
  const auto* sg = FirstSubgraph(bundle_);
  if (!sg || i >= static_cast<int>(sg->output_tensor_metadata.size()))
    return {};
  for (const auto& f : sg->output_tensor_metadata[i]->associated_files) {
    if (f->type != metadata::fb::AssociatedFileType::TENSOR_AXIS_LABELS &&
        f->type != metadata::fb::AssociatedFileType::TENSOR_VALUE_LABELS)
      continue;
    for (const auto& packed : bundle_.files)
      if (packed.name == f->name) return SplitLines(packed.data);
  }
  return {};
}

bool TaskModel::OutputScoreCalibration(int i, ScoreCalibration* calibration,
                                       std::string* error) const {
  error->clear();
  const auto* sg = FirstSubgraph(bundle_);
  if (!sg || i >= static_cast<int>(sg->output_tensor_metadata.size()))
    return false;
  const auto& tensor = *sg->output_tensor_metadata[i];
  const metadata::fb::ScoreCalibrationOptionsT* options = nullptr;
  for (const auto& unit : tensor.process_units)
    if (const auto* o = unit->options.AsScoreCalibrationOptions()) options = o;
  if (!options) return false;
  const metadata::PackedFile* file = nullptr;
  for (const auto& f : tensor.associated_files) {
    if (f->type !=
        metadata::fb::AssociatedFileType::TENSOR_AXIS_SCORE_CALIBRATION)
      continue;
    for (const auto& packed : bundle_.files)
      if (packed.name == f->name) file = &packed;
  }
  if (!file) {
    *error = "model '" + path_ +
             "' asks for score calibration but packs no calibration file";
    return false;
  }
  using T = ScoreCalibration::Transform;
  switch (options->score_transformation) {
    case metadata::fb::ScoreTransformationType::LOG:
      calibration->transform = T::kLog;
      break;
    case metadata::fb::ScoreTransformationType::INVERSE_LOGISTIC:
      calibration->transform = T::kInverseLogistic;
      break;
    default:
      calibration->transform = T::kIdentity;
  }
  calibration->default_score = options->default_score;
  if (!calibration->Parse(file->data, error)) {
    *error = "model '" + path_ + "': " + *error;
    return false;
  }
  return true;
}

bool TaskModel::OutputScoreThreshold(int i, float* threshold) const {
  const auto* sg = FirstSubgraph(bundle_);
  if (!sg || i >= static_cast<int>(sg->output_tensor_metadata.size()))
    return false;
  for (const auto& unit : sg->output_tensor_metadata[i]->process_units) {
    if (const auto* o = unit->options.AsScoreThresholdingOptions()) {
      *threshold = o->global_score_threshold;
      return true;
    }
  }
  return false;
}

bool TaskModel::InputNormalization(int i,
                                   processing::InputNormalization* norm) const {
  const auto* sg = FirstSubgraph(bundle_);
  if (!sg || i >= static_cast<int>(sg->input_tensor_metadata.size()))
    return false;
  for (const auto& unit : sg->input_tensor_metadata[i]->process_units) {
    if (const auto* n = unit->options.AsNormalizationOptions()) {
      if (n->mean.empty() || n->std.empty()) return false;
      norm->mean = n->mean;
      norm->std = n->std;
      return true;
    }
  }
  return false;
}

bool GetImageInputShape(TaskModel& model, int input, ImageInputShape* shape,
                        std::string* error) {
  if (input >= model.num_inputs()) {
    *error =
        "model '" + model.path() + "' has no input " + std::to_string(input);
    return false;
  }
  const Tensor& t = model.input(input);
  const Shape& s = t.shape;
  if (s.rank != 4 || s.dim(0) != 1 || (s.dim(3) != 1 && s.dim(3) != 3)) {
    std::ostringstream dims;
    for (int k = 0; k < s.rank; ++k) dims << (k ? "," : "") << s.dim(k);
    *error = std::string("model '") + model.path() + "' input '" + t.name +
             "' has shape [" + dims.str() +
             "]; an image task needs [1,height,width,1 or 3]";
    return false;
  }
  shape->height = static_cast<int>(s.dim(1));
  shape->width = static_cast<int>(s.dim(2));
  shape->channels = static_cast<int>(s.dim(3));
  return true;
}

bool SetImageInput(TaskModel& model, int input, const processing::Image& image,
                   FitMode fit, const processing::InputNormalization& fallback,
                   processing::LetterboxPlacement* placement,
                   std::string* error) {
  ImageInputShape in;
  if (!GetImageInputShape(model, input, &in, error)) return false;
  if (image.empty()) {
    *error = "empty image";
    return false;
  }
  const processing::Image converted =
      processing::ConvertChannels(image, in.channels);
  processing::LetterboxPlacement local;
  processing::LetterboxPlacement* place = placement ? placement : &local;
  processing::Image fitted;
  if (fit == FitMode::kLetterbox) {
    fitted = processing::Letterbox(converted, in.width, in.height, 0, place,
                                   processing::Sampling::kCorner);
  } else {
    fitted = processing::ResizeBilinear(converted, in.width, in.height,
                                        processing::Sampling::kCorner);
    place->scale = 1;
    place->pad_x = place->pad_y = 0;
    place->width = in.width;
    place->height = in.height;
  }
  return WriteImageInput(model, input, fitted, fallback, error);
}

bool WriteImageInput(TaskModel& model, int input,
                     const processing::Image& image,
                     const processing::InputNormalization& fallback,
                     std::string* error) {
  processing::InputNormalization norm = fallback;
  model.InputNormalization(input, &norm);
  Tensor& t = model.input(input);
  processing::TensorDestination dst{t.type, t.data, t.bytes};
  if (!processing::WriteImageTensor(image, norm, dst, error)) {
    *error = "model '" + model.path() + "' input '" + t.name + "': " + *error;
    return false;
  }
  return true;
}

}  // namespace ember::tasks
