// Keras frontend: walks a Sequential or Functional model config (nested
// models are inlined), lowers every layer call through keras_layers.cc and
// names the .tflite inputs/outputs after the Keras input/output layers.
#include "convert/keras/keras_frontend.h"

#include <map>
#include <new>
#include <set>

#include "convert/convert.h"
#include "convert/keras/keras_archive.h"
#include "convert/keras/keras_layers.h"
#include "convert/keras/tflite_builder.h"

namespace ember::convert {
namespace keras {
namespace {

bool IsModelClass(const std::string& cls) {
  return cls == "Sequential" || cls == "Functional" || cls == "Model";
}

class ModelConverter {
 public:
  ModelConverter(const WeightSource& weights, TfliteBuilder& b,
                 Diagnostics* diag)
      : weights_(weights), b_(b), diag_(diag) {}

  // Converts `model` ({"class_name", "config"}). With `inputs` empty it is
  // the top-level model and creates the graph inputs; otherwise it is a
  // nested model called on those tensors.
  bool Convert(const json& model, const std::vector<std::string>& scope,
               const std::vector<int>& inputs, std::vector<int>* outputs) {
    const std::string cls = model.value("class_name", std::string());
    if (!model.contains("config") || !model["config"].is_object()) {
      diag_->errors.push_back("model config has no 'config' object");
      return false;
    }
    const json& config = model["config"];
    if (cls == "Sequential") return Sequential(config, scope, inputs, outputs);
    if (cls == "Functional" || cls == "Model")
      return Functional(config, scope, inputs, outputs);
    diag_->errors.push_back(
        "model class '" + cls +
        "' is not supported (only Sequential and Functional models; "
        "subclassed models have no config to convert)");
    return false;
  }

  std::vector<std::string> input_names, output_names;

 private:
  std::string Where(const std::vector<std::string>& scope,
                    const std::string& name, const std::string& cls,
                    int position) {
    std::string path;
    for (const std::string& s : scope) path += s + "/";
    return "layer #" + std::to_string(position) + " '" + path + name + "' (" +
           cls + ")";
  }

  // Creates a graph input from an InputLayer-like config.
  bool MakeInput(const json& cfg, const std::string& name, int* tensor) {
    json shape =
        cfg.value("batch_shape", cfg.value("batch_input_shape", json()));
    if (!shape.is_array() || shape.empty()) {
      diag_->errors.push_back(
          "input '" + name +
          "' has no shape (build the model with keras.Input)");
      return false;
    }
    Dims dims;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i].is_null()) {
        if (i == 0) {
          dims.push_back(
              1);  // batch: converted for batch 1, resizable at run time
          continue;
        }
        diag_->errors.push_back("input '" + name +
                                "' has an unknown dimension " +
                                std::to_string(i) + " (give it a fixed size)");
        return false;
      }
      dims.push_back(shape[i].get<int32_t>());
    }
    std::string dtype = "float32";
    if (cfg.contains("dtype") && cfg["dtype"].is_string()) dtype = cfg["dtype"];
    fb::TensorType type = fb::TensorType::FLOAT32;
    if (dtype.rfind("int", 0) == 0 || dtype.rfind("uint", 0) == 0) {
      type = fb::TensorType::INT32;
    } else if (dtype != "float32") {
      diag_->errors.push_back("input '" + name + "' has dtype " + dtype +
                              " (float32 and integer inputs are supported)");
      return false;
    }
    *tensor = b_.Tensor(name, dims, type);
    b_.subgraph().inputs.push_back(*tensor);
    input_names.push_back(name);
    return true;
  }

  // Lowers one call of a layer (or a nested model) on `inputs`.
  bool CallLayer(const json& layer, const std::vector<std::string>& scope,
                 int position, const std::vector<int>& inputs,
                 const std::vector<std::pair<std::string, int>>& kwarg_inputs,
                 const json* kwargs, std::vector<int>* outputs) {
    const std::string cls = layer.value("class_name", std::string("?"));
    const json& cfg = layer.contains("config") ? layer["config"] : empty_;
    const std::string name = layer.value(
        "name", cfg.is_object() ? cfg.value("name", std::string("?")) : "?");
    const std::string where = Where(scope, name, cls, position);
    if (IsModelClass(cls)) {
      std::vector<std::string> inner = scope;
      inner.push_back(name);
      return Convert(layer, inner, inputs, outputs);
    }
    LayerCall call;
    call.class_name = cls;
    call.name = name;
    call.where = where;
    call.config = &cfg;
    call.inputs = inputs;
    call.kwarg_inputs = kwarg_inputs;
    call.kwargs = kwargs;
    std::string error;
    if (!weights_.LayerWeights(scope, name, &call.weights, &error)) {
      diag_->errors.push_back(where + ": " + error);
      return false;
    }
    std::string message;
    LayerResult r = ConvertLayer(b_, call, outputs, &message);
    if (r == LayerResult::kUnsupported) {
      diag_->errors.push_back(where + ": unsupported: " + message);
      return false;
    }
    if (r == LayerResult::kError) {
      diag_->errors.push_back(where + ": " + message);
      return false;
    }
    return true;
  }

  bool Sequential(const json& config, const std::vector<std::string>& scope,
                  const std::vector<int>& inputs, std::vector<int>* outputs) {
    const json layers = config.value("layers", json::array());
    std::vector<int> current = inputs;
    int position = 0;
    bool ok = true;
    for (const json& layer : layers) {
      ++position;
      const std::string cls = layer.value("class_name", std::string());
      const json cfg = layer.value("config", json::object());
      if (cls == "InputLayer") {
        if (current.empty()) {
          int t;
          if (!MakeInput(cfg, cfg.value("name", std::string("input")), &t))
            return false;
          current = {t};
        }
        continue;
      }
      if (current.empty()) {
        if (!cfg.contains("batch_input_shape") &&
            !cfg.contains("batch_shape")) {
          diag_->errors.push_back(
              "Sequential model has no input shape (start it with "
              "keras.Input)");
          return false;
        }
        int t;
        if (!MakeInput(cfg, cfg.value("name", std::string("input")) + "_input",
                       &t))
          return false;
        current = {t};
      }
      std::vector<int> next;
      // Keep going after an unsupported layer so every one is reported;
      // shapes past it are unknown, so later layers only get checked for
      // a converter.
      if (!ok ||
          !CallLayer(layer, scope, position, current, {}, nullptr, &next)) {
        if (ok)
          ok = false;
        else
          ReportIfUnknown(layer, scope, position);
        continue;
      }
      current = next;
    }
    if (!ok) return false;
    if (current.empty()) {
      diag_->errors.push_back("Sequential model has no layers");
      return false;
    }
    *outputs = current;
    return true;
  }

  // After the first failure only layers with no converter at all are
  // reported (their shapes are unknown, so nothing else can be checked).
  void ReportIfUnknown(const json& layer, const std::vector<std::string>& scope,
                       int position) {
    const std::string cls = layer.value("class_name", std::string("?"));
    if (IsModelClass(cls) || cls == "InputLayer") return;
    static const std::set<std::string> kKnown = {"Conv2D",
                                                 "Convolution2D",
                                                 "Conv1D",
                                                 "Convolution1D",
                                                 "DepthwiseConv2D",
                                                 "SeparableConv2D",
                                                 "Conv2DTranspose",
                                                 "Dense",
                                                 "BatchNormalization",
                                                 "LayerNormalization",
                                                 "MaxPooling2D",
                                                 "MaxPool2D",
                                                 "AveragePooling2D",
                                                 "AvgPool2D",
                                                 "MaxPooling1D",
                                                 "MaxPool1D",
                                                 "AveragePooling1D",
                                                 "AvgPool1D",
                                                 "GlobalAveragePooling2D",
                                                 "GlobalAvgPool2D",
                                                 "GlobalMaxPooling2D",
                                                 "GlobalMaxPool2D",
                                                 "GlobalAveragePooling1D",
                                                 "GlobalAvgPool1D",
                                                 "GlobalMaxPooling1D",
                                                 "GlobalMaxPool1D",
                                                 "Add",
                                                 "Multiply",
                                                 "Subtract",
                                                 "Concatenate",
                                                 "Average",
                                                 "Maximum",
                                                 "Minimum",
                                                 "Divide",
                                                 "TrueDivide",
                                                 "Reshape",
                                                 "Flatten",
                                                 "Permute",
                                                 "ZeroPadding2D",
                                                 "ZeroPadding1D",
                                                 "Cropping2D",
                                                 "UpSampling2D",
                                                 "Rescaling",
                                                 "Normalization",
                                                 "Embedding",
                                                 "Activation",
                                                 "ReLU",
                                                 "LeakyReLU",
                                                 "ELU",
                                                 "Softmax",
                                                 "PReLU",
                                                 "LSTM",
                                                 "GRU",
                                                 "MultiHeadAttention",
                                                 "Bidirectional",
                                                 "TimeDistributed",
                                                 "Dropout",
                                                 "SpatialDropout1D",
                                                 "SpatialDropout2D",
                                                 "SpatialDropout3D",
                                                 "GaussianNoise",
                                                 "GaussianDropout",
                                                 "AlphaDropout",
                                                 "ActivityRegularization",
                                                 "Relu",
                                                 "Relu6",
                                                 "Sigmoid",
                                                 "Tanh",
                                                 "Silu",
                                                 "Swish",
                                                 "HardSigmoid",
                                                 "HardSilu",
                                                 "HardSwish",
                                                 "Elu",
                                                 "Exp",
                                                 "Gelu"};
    if (kKnown.count(cls)) return;
    const json& cfg = layer.contains("config") ? layer["config"] : empty_;
    const std::string name = layer.value(
        "name", cfg.is_object() ? cfg.value("name", std::string("?")) : "?");
    diag_->errors.push_back(Where(scope, name, cls, position) +
                            ": unsupported: no converter for this layer class");
  }

  // Resolves the tensors a node argument refers to (Keras 3
  // __keras_tensor__ objects, possibly in lists; Keras 2 [name, node,
  // index, kwargs] entries).
  bool Resolve(const json& v, const std::map<std::string, int>& tensors,
               std::vector<int>* out, bool* pending) {
    if (v.is_object()) {
      if (v.value("class_name", std::string()) != "__keras_tensor__")
        return true;
      // operator[] of a const json on a missing key is undefined behaviour
      // (ember_keras_config_fuzz: a use after free).
      if (!v.contains("config") || !v["config"].is_object()) return false;
      const json h = v["config"].value("keras_history", json());
      if (!h.is_array() || h.size() < 3) return false;
      auto it = tensors.find(Key(h[0], h[1], h[2]));
      if (it == tensors.end())
        *pending = true;
      else
        out->push_back(it->second);
      return true;
    }
    if (v.is_array()) {
      if (v.size() >= 3 && v[0].is_string() && v[1].is_number()) {
        auto it = tensors.find(Key(v[0], v[1], v[2]));
        if (it == tensors.end())
          *pending = true;
        else
          out->push_back(it->second);
        return true;
      }
      for (const json& e : v)
        if (!Resolve(e, tensors, out, pending)) return false;
    }
    return true;
  }

  static std::string Key(const json& layer, const json& node,
                         const json& index) {
    return layer.get<std::string>() + ":" + std::to_string(node.get<int>()) +
           ":" + std::to_string(index.get<int>());
  }

  // [name, node, index] or a list of them.
  static std::vector<json> EndpointList(const json& v) {
    if (v.is_array() && !v.empty() && v[0].is_string()) return {v};
    std::vector<json> r;
    if (v.is_array())
      for (const json& e : v) r.push_back(e);
    return r;
  }

  bool Functional(const json& config, const std::vector<std::string>& scope,
                  const std::vector<int>& inputs, std::vector<int>* outputs) {
    const json layers = config.value("layers", json::array());
    std::map<std::string, int> tensors;
    const std::vector<json> in_layers =
        EndpointList(config.value("input_layers", json()));
    if (!inputs.empty() && in_layers.size() != inputs.size()) {
      diag_->errors.push_back(
          "nested model called with " + std::to_string(inputs.size()) +
          " inputs, it has " + std::to_string(in_layers.size()));
      return false;
    }
    for (size_t i = 0; i < in_layers.size(); ++i) {
      const std::string in_name = in_layers[i][0].get<std::string>();
      if (!inputs.empty()) {
        tensors[Key(in_layers[i][0], in_layers[i][1], in_layers[i][2])] =
            inputs[i];
        continue;
      }
      for (const json& layer : layers) {
        if (layer.value("name", std::string()) != in_name) continue;
        int t;
        if (!MakeInput(layer.value("config", json::object()), in_name, &t))
          return false;
        tensors[Key(in_layers[i][0], in_layers[i][1], in_layers[i][2])] = t;
      }
    }
    // Layers come in topological order in practice; the loop still waits
    // for missing inputs so that an odd order converts too.
    std::vector<size_t> next_node(layers.size(), 0);
    bool ok = true, progress = true;
    while (progress) {
      progress = false;
      for (size_t li = 0; li < layers.size(); ++li) {
        const json& layer = layers[li];
        if (layer.value("class_name", std::string()) == "InputLayer") continue;
        const json nodes = layer.value("inbound_nodes", json::array());
        while (next_node[li] < nodes.size()) {
          const json& node = nodes[next_node[li]];
          std::vector<int> args;
          std::vector<std::pair<std::string, int>> kw_tensors;
          bool pending = false;
          const json* kwargs = nullptr;
          auto malformed = [&] {
            diag_->errors.push_back("malformed inbound_nodes in layer '" +
                                    layer.value("name", std::string("?")) +
                                    "' (a tensor reference without a "
                                    "keras_history [layer, node, index])");
            return false;
          };
          if (node.is_object()) {
            // Operations on Keras tensors (`x + 3.0`, saved as layers of
            // module keras.src.ops.*; legacy .h5 configs omit the module)
            // take plain numbers: they become constants.
            for (const json& arg : node.value("args", json::array())) {
              if (arg.is_number()) {
                args.push_back(
                    b_.ConstF(layer.value("name", std::string("op")) + "/const",
                              {}, {arg.get<float>()}));
                continue;
              }
              if (!Resolve(arg, tensors, &args, &pending)) return malformed();
            }
            if (node.contains("kwargs") && node["kwargs"].is_object()) {
              kwargs = &node["kwargs"];
              for (auto it = kwargs->begin(); it != kwargs->end(); ++it) {
                std::vector<int> t;
                if (!Resolve(it.value(), tensors, &t, &pending))
                  return malformed();
                if (t.size() == 1) kw_tensors.emplace_back(it.key(), t[0]);
              }
            }
          } else if (!Resolve(node, tensors, &args, &pending)) {
            return malformed();
          }
          if (pending) break;
          std::vector<int> outs;
          const std::string lname = layer.value("name", std::string("?"));
          if (!CallLayer(layer, scope, static_cast<int>(li) + 1, args,
                         kw_tensors, kwargs, &outs)) {
            ok = false;
            next_node[li] = nodes.size();
            break;
          }
          for (size_t k = 0; k < outs.size(); ++k)
            tensors[lname + ":" + std::to_string(next_node[li]) + ":" +
                    std::to_string(k)] = outs[k];
          ++next_node[li];
          progress = true;
        }
      }
    }
    for (size_t li = 0; li < layers.size(); ++li) {
      const json nodes = layers[li].value("inbound_nodes", json::array());
      if (ok && next_node[li] < nodes.size() &&
          layers[li].value("class_name", std::string()) != "InputLayer") {
        diag_->errors.push_back("layer '" +
                                layers[li].value("name", std::string("?")) +
                                "' has inputs that are never computed (cyclic "
                                "or malformed config)");
        return false;
      }
      if (!ok && next_node[li] < nodes.size())
        ReportIfUnknown(layers[li], scope, li + 1);
    }
    if (!ok) return false;
    outputs->clear();
    for (const json& e : EndpointList(config.value("output_layers", json()))) {
      auto it = tensors.find(Key(e[0], e[1], e[2]));
      if (it == tensors.end()) {
        diag_->errors.push_back("output layer '" + e[0].get<std::string>() +
                                "' is not computed");
        return false;
      }
      outputs->push_back(it->second);
      if (scope.empty()) output_names.push_back(e[0].get<std::string>());
    }
    return !outputs->empty();
  }

  const WeightSource& weights_;
  TfliteBuilder& b_;
  Diagnostics* diag_;
  const json empty_ = json::object();
};

// Graph outputs get their own names (and a SignatureDef like TF's
// converter writes), so users find them by the Keras names.
void FinishSignature(fb::ModelT* model, const ModelConverter& conv,
                     const std::vector<int>& outputs) {
  fb::SubGraphT& sg = *model->subgraphs[0];
  sg.outputs.assign(outputs.begin(), outputs.end());
  auto sig = std::make_unique<fb::SignatureDefT>();
  sig->signature_key = "serving_default";
  sig->subgraph_index = 0;
  for (size_t i = 0; i < sg.inputs.size(); ++i) {
    auto m = std::make_unique<fb::TensorMapT>();
    m->name = conv.input_names[i];
    m->tensor_index = sg.inputs[i];
    sig->inputs.push_back(std::move(m));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    auto m = std::make_unique<fb::TensorMapT>();
    m->name = i < conv.output_names.size() ? conv.output_names[i]
                                           : "output_" + std::to_string(i);
    m->tensor_index = outputs[i];
    sg.tensors[outputs[i]]->name = m->name;
    sig->outputs.push_back(std::move(m));
  }
  model->signature_defs.push_back(std::move(sig));
}

}  // namespace

bool ConvertKerasConfig(const json& config, const WeightSource& weights,
                        const std::string& label, const ConvertOptions& options,
                        fb::ModelT* model, Diagnostics* diag) {
  *model = fb::ModelT();
  TfliteBuilder builder(model);
  model->description = "Converted from Keras by ember convert";
  ModelConverter conv(weights, builder, diag);
  std::vector<int> outputs;
  bool converted = false;
  try {
    converted = conv.Convert(config, {}, {}, &outputs);
  } catch (const nlohmann::json::exception& e) {
    // A config field of an unexpected JSON type.
    diag->errors.push_back(label + ": malformed model config: " + e.what());
    return false;
  } catch (const std::bad_alloc&) {
    diag->errors.push_back(label +
                           ": a layer's shapes or weights are too large");
    return false;
  }
  if (!converted || !diag->ok()) {
    if (diag->ok()) diag->errors.push_back(label + ": conversion failed");
    return false;
  }
  FinishSignature(model, conv, outputs);
  for (int in : model->subgraphs[0]->inputs)
    for (int out : outputs)
      if (in == out) {
        diag->errors.push_back(
            "output '" + model->subgraphs[0]->tensors[out]->name +
            "' is a graph input unchanged (model computes nothing)");
        return false;
      }
  if (options.optimize) OptimizeModel(model, diag);
  return diag->ok();
}

}  // namespace keras

bool ConvertKerasInProcess(const std::string& path,
                           const ConvertOptions& options, fb::ModelT* model,
                           Diagnostics* diag) {
  keras::KerasArchive archive;
  std::string error;
  bool opened = false;
  try {
    opened = archive.Open(path, &error);
  } catch (const std::bad_alloc&) {
    // Sizes in the zip directory are not trusted beyond what fits memory.
    error = path + ": archive entry too large to read";
  }
  if (!opened) {
    diag->errors.push_back(error);
    return false;
  }
  return keras::ConvertKerasConfig(archive.model_config(), archive, path,
                                   options, model, diag);
}

}  // namespace ember::convert
