#include "metadata/task_metadata.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "schema/schema_generated.h"
#include "schema/schema_unpack.h"

namespace ember::metadata {
namespace {

using TensorMd = std::unique_ptr<fb::TensorMetadataT>;

size_t CountLines(const std::vector<uint8_t>& text) {
  size_t lines = 0;
  bool in_line = false;
  for (uint8_t c : text) {
    if (c == '\n') {
      if (in_line) ++lines;
      in_line = false;
    } else if (c != '\r') {
      in_line = true;
    }
  }
  return lines + (in_line ? 1 : 0);
}

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
  s << "]";
  return s.str();
}

fb::ContentT* NewContent(fb::TensorMetadataT* t) {
  t->content = std::make_unique<fb::ContentT>();
  return t->content.get();
}

TensorMd FeatureTensor(const std::string& name, const std::string& text) {
  auto t = std::make_unique<fb::TensorMetadataT>();
  t->name = name;
  t->description = text;
  NewContent(t.get())->content_properties.Set(fb::FeaturePropertiesT());
  return t;
}

std::unique_ptr<fb::AssociatedFileT> LabelFile(const std::string& name,
                                               fb::AssociatedFileType type) {
  auto f = std::make_unique<fb::AssociatedFileT>();
  f->name = name;
  f->description = "Labels for the categories the model can recognize.";
  f->type = type;
  return f;
}

// The image input: color space, normalization and, for float inputs, the
// value range normalization produces from 0..255 pixels.
bool ImageInput(const ember::fb::TensorT& tensor, const TaskMetadataOptions& o,
                TensorMd* out, std::string* error) {
  const auto& shape = tensor.shape;
  if (shape.size() != 4 || shape[0] != 1 || (shape[3] != 1 && shape[3] != 3)) {
    *error = "input '" + tensor.name + "' has shape " + ShapeText(shape) +
             "; an image input must be [1,height,width,1 or 3]";
    return false;
  }
  const size_t channels = static_cast<size_t>(shape[3]);
  for (const auto* v : {&o.mean, &o.std}) {
    if (v->size() != 1 && v->size() != channels) {
      *error = "--mean/--std need 1 or " + std::to_string(channels) +
               " values (one per channel), got " + std::to_string(v->size());
      return false;
    }
  }
  for (float s : o.std) {
    if (!(s > 0) || !std::isfinite(s)) {
      *error = "--std values must be positive";
      return false;
    }
  }
  auto t = std::make_unique<fb::TensorMetadataT>();
  t->name = "image";
  t->description = "Input image.";
  fb::ImagePropertiesT image;
  image.color_space =
      channels == 3 ? fb::ColorSpaceType::RGB : fb::ColorSpaceType::GRAYSCALE;
  NewContent(t.get())->content_properties.Set(std::move(image));
  fb::NormalizationOptionsT norm;
  norm.mean = o.mean;
  norm.std = o.std;
  auto unit = std::make_unique<fb::ProcessUnitT>();
  unit->options.Set(std::move(norm));
  t->process_units.push_back(std::move(unit));
  if (tensor.type == ember::fb::TensorType::FLOAT32) {
    t->stats = std::make_unique<fb::StatsT>();
    for (size_t c = 0; c < o.mean.size(); ++c) {
      const float s = o.std[o.std.size() == 1 ? 0 : c];
      t->stats->min.push_back((0.0f - o.mean[c]) / s);
      t->stats->max.push_back((255.0f - o.mean[c]) / s);
    }
  }
  *out = std::move(t);
  return true;
}

// The text input: word ids from a regex tokenizer and its vocabulary.
bool TextInput(const ember::fb::TensorT& tensor, const TaskMetadataOptions& o,
               TensorMd* out, std::string* error) {
  const auto& shape = tensor.shape;
  if (tensor.type != ember::fb::TensorType::INT32 || shape.size() != 2 ||
      shape[0] != 1 || shape[1] < 1) {
    *error = "input '" + tensor.name + "' has shape " + ShapeText(shape) +
             "; a text classifier's input must be int32 [1,length] word ids";
    return false;
  }
  if (o.vocab_name == o.labels_name) {
    *error = "the vocabulary and the label file are both named '" +
             o.vocab_name + "'; rename one";
    return false;
  }
  if (o.vocab.empty()) {
    *error = o.sentencepiece ? "the SentencePiece model file is empty"
                             : "the vocabulary file is empty (--vocab: "
                               "\"word id\" per line)";
    return false;
  }
  if (o.sentencepiece) {
    auto t = std::make_unique<fb::TensorMetadataT>();
    t->name = "input_text";
    t->description = "Piece ids of the text, from its SentencePiece model.";
    NewContent(t.get())->content_properties.Set(fb::FeaturePropertiesT());
    fb::SentencePieceTokenizerOptionsT tokenizer;
    // As the TFLite metadata writers pack it: the model, as a file of
    // type DESCRIPTIONS.
    auto model = std::make_unique<fb::AssociatedFileT>();
    model->name = o.vocab_name;
    model->description = "The SentencePiece model file.";
    model->type = fb::AssociatedFileType::DESCRIPTIONS;
    tokenizer.sentencePiece_model.push_back(std::move(model));
    auto unit = std::make_unique<fb::ProcessUnitT>();
    unit->options.Set(std::move(tokenizer));
    t->process_units.push_back(std::move(unit));
    *out = std::move(t);
    return true;
  }
  auto t = std::make_unique<fb::TensorMetadataT>();
  t->name = "input_text";
  t->description = "Word ids of the text, from its regex tokenizer.";
  NewContent(t.get())->content_properties.Set(fb::FeaturePropertiesT());
  fb::RegexTokenizerOptionsT tokenizer;
  tokenizer.delim_regex_pattern = o.delim_regex;
  auto vocab = std::make_unique<fb::AssociatedFileT>();
  vocab->name = o.vocab_name;
  vocab->description = "The words the tokenizer knows and their ids.";
  vocab->type = fb::AssociatedFileType::VOCABULARY;
  tokenizer.vocab_file.push_back(std::move(vocab));
  auto unit = std::make_unique<fb::ProcessUnitT>();
  unit->options.Set(std::move(tokenizer));
  t->process_units.push_back(std::move(unit));
  *out = std::move(t);
  return true;
}

// BERT's three inputs, named as MediaPipe looks them up (ids, mask,
// segment_ids: by the tensors' names where they say which is which, else
// in the model's order), and the WordPiece tokenizer with its vocabulary
// among the subgraph's input process units.
template <typename TensorOf>
bool BertInputs(const ember::fb::SubGraphT& sg, TensorOf tensor,
                const TaskMetadataOptions& o, fb::SubGraphMetadataT* sub,
                std::string* error) {
  std::string roles[3] = {"ids", "mask", "segment_ids"};
  int32_t length = -1;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(c));
    return s;
  };
  for (int i = 0; i < 3; ++i) {
    const ember::fb::TensorT& t = *tensor(sg.inputs[i]);
    if (t.type != ember::fb::TensorType::INT32 || t.shape.size() != 2 ||
        t.shape[0] != 1 || t.shape[1] < 2 ||
        (length >= 0 && t.shape[1] != length)) {
      *error = "input '" + t.name + "' has shape " + ShapeText(t.shape) +
               "; BERT's three inputs must be int32 [1,length] of one length";
      return false;
    }
    length = t.shape[1];
  }
  std::string by_name[3];
  int named = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string n = lower(tensor(sg.inputs[i])->name);
    const bool mask = n.find("mask") != std::string::npos;
    const bool segment = n.find("segment") != std::string::npos ||
                         n.find("type") != std::string::npos;
    by_name[i] = mask ? "mask" : segment ? "segment_ids" : "ids";
    named += mask || segment;
  }
  if (named == 2 && by_name[0] != by_name[1] && by_name[1] != by_name[2] &&
      by_name[0] != by_name[2])
    std::copy(by_name, by_name + 3, roles);
  if (o.vocab.empty()) {
    *error = o.sentencepiece ? "the SentencePiece model file is empty"
                             : "the vocabulary file is empty (--vocab: one "
                               "WordPiece per line)";
    return false;
  }
  for (const std::string& role : roles) {
    TensorMd t = FeatureTensor(role, "BERT input: " + role + ".");
    sub->input_tensor_metadata.push_back(std::move(t));
  }
  if (o.sentencepiece) {
    // As MediaPipe's BERT models with SentencePiece (ALBERT-like) carry it:
    // among the subgraph's input process units; the model's vocabulary
    // must have the [CLS] and [SEP] pieces.
    fb::SentencePieceTokenizerOptionsT sp;
    auto model = std::make_unique<fb::AssociatedFileT>();
    model->name = o.vocab_name;
    model->description = "The SentencePiece model file.";
    model->type = fb::AssociatedFileType::DESCRIPTIONS;
    sp.sentencePiece_model.push_back(std::move(model));
    auto unit = std::make_unique<fb::ProcessUnitT>();
    unit->options.Set(std::move(sp));
    sub->input_process_units.push_back(std::move(unit));
    return true;
  }
  fb::BertTokenizerOptionsT tokenizer;
  auto vocab = std::make_unique<fb::AssociatedFileT>();
  vocab->name = o.vocab_name;
  vocab->description = "WordPiece vocabulary, one piece per line.";
  vocab->type = fb::AssociatedFileType::VOCABULARY;
  tokenizer.vocab_file.push_back(std::move(vocab));
  auto unit = std::make_unique<fb::ProcessUnitT>();
  unit->options.Set(std::move(tokenizer));
  sub->input_process_units.push_back(std::move(unit));
  return true;
}

// The waveform input: float samples at the options' rate, one channel.
bool AudioInput(const ember::fb::TensorT& tensor, const TaskMetadataOptions& o,
                TensorMd* out, std::string* error) {
  const auto& shape = tensor.shape;
  const bool waveform = tensor.type == ember::fb::TensorType::FLOAT32 &&
                        ((shape.size() == 2 && shape[0] == 1 && shape[1] > 0) ||
                         (shape.size() == 1 && shape[0] > 0));
  if (!waveform) {
    *error = "input '" + tensor.name + "' has shape " + ShapeText(shape) +
             "; an audio classifier's input must be float32 [1,samples]";
    return false;
  }
  if (o.sample_rate < 1000 || o.sample_rate > 384000) {
    *error = "--sample-rate must be between 1000 and 384000 Hz";
    return false;
  }
  auto t = std::make_unique<fb::TensorMetadataT>();
  t->name = "audio_clip";
  t->description = "Mono waveform samples in [-1, 1].";
  fb::AudioPropertiesT audio;
  audio.sample_rate = static_cast<uint32_t>(o.sample_rate);
  audio.channels = 1;
  NewContent(t.get())->content_properties.Set(std::move(audio));
  *out = std::move(t);
  return true;
}

void AddThreshold(fb::TensorMetadataT* t, float threshold) {
  if (threshold < 0) return;
  fb::ScoreThresholdingOptionsT options;
  options.global_score_threshold = threshold;
  auto unit = std::make_unique<fb::ProcessUnitT>();
  unit->options.Set(std::move(options));
  t->process_units.push_back(std::move(unit));
}

}  // namespace

bool ParseTaskKind(const std::string& name, TaskKind* kind) {
  if (name == "image_classifier") {
    *kind = TaskKind::kImageClassifier;
  } else if (name == "object_detector") {
    *kind = TaskKind::kObjectDetector;
  } else if (name == "face_detector") {
    *kind = TaskKind::kFaceDetector;
  } else if (name == "image_segmenter") {
    *kind = TaskKind::kImageSegmenter;
  } else if (name == "image_embedder") {
    *kind = TaskKind::kImageEmbedder;
  } else if (name == "text_classifier") {
    *kind = TaskKind::kTextClassifier;
  } else if (name == "text_embedder") {
    *kind = TaskKind::kTextEmbedder;
  } else if (name == "audio_classifier") {
    *kind = TaskKind::kAudioClassifier;
  } else {
    return false;
  }
  return true;
}

bool BuildTaskMetadata(std::span<const uint8_t> model_file,
                       const TaskMetadataOptions& o,
                       ModelMetadataBundle* bundle, std::string* error) {
  flatbuffers::Verifier verifier(model_file.data(), model_file.size());
  if (model_file.size() < 8 ||
      !ember::fb::ModelBufferHasIdentifier(model_file.data()) ||
      !ember::fb::VerifyModelBuffer(verifier)) {
    *error = "not a valid .tflite model";
    return false;
  }
  ember::fb::ModelT model;
  UnpackModel(*ember::fb::GetModel(model_file.data()), &model);
  if (model.subgraphs.empty()) {
    *error = "the model has no subgraph";
    return false;
  }
  const ember::fb::SubGraphT& sg = *model.subgraphs[0];
  auto tensor = [&sg](int32_t index) -> const ember::fb::TensorT* {
    return index >= 0 && static_cast<size_t>(index) < sg.tensors.size()
               ? sg.tensors[index].get()
               : nullptr;
  };
  const bool text =
      o.task == TaskKind::kTextClassifier || o.task == TaskKind::kTextEmbedder;
  const bool audio = o.task == TaskKind::kAudioClassifier;
  // BERT-style text models: ids, mask and segment ids.
  const bool bert = text && sg.inputs.size() == 3;
  bool inputs_exist = !sg.inputs.empty();
  for (int32_t i : sg.inputs) inputs_exist = inputs_exist && tensor(i);
  if ((sg.inputs.size() != 1 && !bert) || !inputs_exist) {
    *error = "the model has " + std::to_string(sg.inputs.size()) + " inputs; " +
             (text    ? "a text task needs one (the word ids) or three "
                        "(BERT's ids, mask, segment ids)"
              : audio ? "an audio classifier needs exactly one (the samples)"
                      : "an image task needs exactly one image input");
    return false;
  }
  const bool classifier = o.task == TaskKind::kImageClassifier ||
                          o.task == TaskKind::kTextClassifier || audio;
  const bool needs_labels = classifier || o.task == TaskKind::kObjectDetector;
  if (o.labels.empty() && needs_labels) {
    *error = "the label file is empty (--labels: one label per line)";
    return false;
  }
  const size_t labels = CountLines(o.labels);

  auto sub = std::make_unique<fb::SubGraphMetadataT>();
  if (bert) {
    if (!BertInputs(sg, tensor, o, sub.get(), error)) return false;
  } else {
    TensorMd input;
    const ember::fb::TensorT& in = *tensor(sg.inputs[0]);
    if (text    ? !TextInput(in, o, &input, error)
        : audio ? !AudioInput(in, o, &input, error)
                : !ImageInput(in, o, &input, error))
      return false;
    sub->input_tensor_metadata.push_back(std::move(input));
  }

  fb::ModelMetadataT& md = bundle->metadata;
  md = fb::ModelMetadataT();
  if (classifier) {
    md.name = text    ? "TextClassifier"
              : audio ? "AudioClassifier"
                      : "ImageClassifier";
    md.description = text ? "Sorts a text into the categories of its labels."
                     : audio
                         ? "Identifies the sounds in each chunk of a clip."
                         : "Identifies the most prominent object in the image.";
    const ember::fb::TensorT* out =
        sg.outputs.size() == 1 ? tensor(sg.outputs[0]) : nullptr;
    if (out == nullptr) {
      *error = "the model has " + std::to_string(sg.outputs.size()) +
               " outputs; a classifier needs exactly one (the scores)";
      return false;
    }
    if (out->shape.empty() ||
        static_cast<size_t>(out->shape.back()) != labels) {
      *error = "output '" + out->name + "' has shape " + ShapeText(out->shape) +
               " but the label file has " + std::to_string(labels) +
               " labels; there must be one label per class";
      return false;
    }
    TensorMd scores =
        FeatureTensor("probability", "Probabilities of the labels.");
    scores->associated_files.push_back(
        LabelFile(o.labels_name, fb::AssociatedFileType::TENSOR_AXIS_LABELS));
    AddThreshold(scores.get(), o.score_threshold);
    sub->output_tensor_metadata.push_back(std::move(scores));
  } else if (o.task == TaskKind::kFaceDetector ||
             o.task == TaskKind::kImageSegmenter ||
             o.task == TaskKind::kImageEmbedder ||
             o.task == TaskKind::kTextEmbedder) {
    const bool faces = o.task == TaskKind::kFaceDetector;
    const bool segmenter = o.task == TaskKind::kImageSegmenter;
    md.name = faces       ? "FaceDetector"
              : segmenter ? "ImageSegmenter"
              : text      ? "TextEmbedder"
                          : "ImageEmbedder";
    md.description = faces ? "Finds faces: boxes and keypoints per anchor."
                     : segmenter ? "Gives each pixel a class confidence."
                     : text      ? "Turns a text into a feature vector."
                                 : "Turns an image into a feature vector.";
    for (size_t i = 0; i < sg.outputs.size(); ++i) {
      const ember::fb::TensorT* out = tensor(sg.outputs[i]);
      TensorMd t = FeatureTensor(out ? out->name : "output",
                                 faces       ? "Raw anchor predictions."
                                 : segmenter ? "Per-pixel confidences."
                                             : "Embedding feature vector.");
      if (i == 0 && !o.labels.empty() && segmenter)
        t->associated_files.push_back(LabelFile(
            o.labels_name, fb::AssociatedFileType::TENSOR_AXIS_LABELS));
      sub->output_tensor_metadata.push_back(std::move(t));
    }
  } else {
    md.name = "ObjectDetector";
    md.description = "Finds objects in the image and their bounding boxes.";
    if (sg.outputs.size() != 4) {
      *error = "the model has " + std::to_string(sg.outputs.size()) +
               " outputs; an SSD object detector needs the 4 outputs of "
               "TFLite_Detection_PostProcess (boxes, classes, scores, count)";
      return false;
    }
    auto boxes = std::make_unique<fb::TensorMetadataT>();
    boxes->name = "location";
    boxes->description = "The locations of the detected boxes.";
    fb::BoundingBoxPropertiesT box;
    box.index = {1, 0, 3, 2};  // the op writes ymin, xmin, ymax, xmax
    box.type = fb::BoundingBoxType::BOUNDARIES;
    box.coordinate_type = fb::CoordinateType::RATIO;
    fb::ContentT* content = NewContent(boxes.get());
    content->content_properties.Set(std::move(box));
    content->range = std::make_unique<fb::ValueRangeT>();
    content->range->min = content->range->max = 2;
    TensorMd classes =
        FeatureTensor("category", "The categories of the detected boxes.");
    classes->content->range = std::make_unique<fb::ValueRangeT>();
    classes->content->range->min = classes->content->range->max = 2;
    classes->associated_files.push_back(
        LabelFile(o.labels_name, fb::AssociatedFileType::TENSOR_VALUE_LABELS));
    TensorMd scores =
        FeatureTensor("score", "The scores of the detected boxes.");
    scores->content->range = std::make_unique<fb::ValueRangeT>();
    scores->content->range->min = scores->content->range->max = 2;
    AddThreshold(scores.get(), o.score_threshold);
    TensorMd count =
        FeatureTensor("number of detections", "The number of detected boxes.");
    auto group = std::make_unique<fb::TensorGroupT>();
    group->name = "detection_result";
    group->tensor_names = {"location", "category", "score"};
    sub->output_tensor_groups.push_back(std::move(group));
    sub->output_tensor_metadata.push_back(std::move(boxes));
    sub->output_tensor_metadata.push_back(std::move(classes));
    sub->output_tensor_metadata.push_back(std::move(scores));
    sub->output_tensor_metadata.push_back(std::move(count));
  }
  if (!o.name.empty()) md.name = o.name;
  if (!o.description.empty()) md.description = o.description;
  md.version = o.version;
  md.author = o.author;
  md.license = o.license;
  md.subgraph_metadata.push_back(std::move(sub));
  md.min_parser_version = MinParserVersion(md);
  bundle->files.clear();
  // Each file the metadata names, and only those (labels given to a task
  // that has no use for them are left out).
  const std::vector<std::string> named = AssociatedFileNames(md);
  auto named_file = [&named](const std::string& name) {
    return std::find(named.begin(), named.end(), name) != named.end();
  };
  if (!o.labels.empty() && named_file(o.labels_name))
    bundle->files.push_back(PackedFile{o.labels_name, o.labels});
  if (text) bundle->files.push_back(PackedFile{o.vocab_name, o.vocab});
  return true;
}

}  // namespace ember::metadata
