// The C functions that the JavaScript API (web/ember.mjs) calls, over the
// C++ runtime. Every function reports failure with a zero/NULL result and a
// message read back with ember_wasm_last_error(); JavaScript turns it into
// an EmberError. JSON crosses the boundary for everything descriptive
// (src/describe: the same code paths as `ember inspect --json`, `ember
// report` and `ember bench --profile`); tensor bytes cross as pointers into
// the wasm heap, copied by the JavaScript side.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "describe/model_json.h"
#include "describe/run_json.h"
#include "describe/tensor_json.h"
#include "runtime/interpreter.h"

namespace ember::web {
namespace {

using nlohmann::json;

std::string& LastError() {
  static std::string error;
  return error;
}

// Sets the last error; returns `result` so that failures read as one line.
template <typename T>
T Fail(T result, const std::string& message) {
  LastError() = message;
  return result;
}

constexpr size_t kMaxTensorBytes = size_t{1} << 30;

// Why `num_threads` (> 1) threads cannot be had now, or "" if they can. An
// interpreter's thread pool makes num_threads - 1 threads at once, and in a
// threads build each must take a Web Worker that is already loaded (see
// web/CMakeLists.txt): a pthread_create beyond the pool would fail inside
// std::thread, which aborts a module built without exceptions.
std::string ThreadRefusal(int num_threads) {
  const std::string asked = "numThreads " + std::to_string(num_threads);
#if defined(EMBER_WASM_THREAD_POOL)
  const int free_workers = EM_ASM_INT({ return PThread.unusedWorkers.length; });
  const int pool = EM_ASM_INT(
      { return PThread.unusedWorkers.length + PThread.runningWorkers.length; });
  if (num_threads - 1 <= free_workers) return "";
  return asked + " needs " + std::to_string(num_threads - 1) +
         " Web Workers besides the caller, but " +
         std::to_string(free_workers) + " of the module's " +
         std::to_string(pool) +
         " are free (other interpreters hold the rest until deleted); "
         "createEmber({emberWorkers: N}) sizes the pool";
#else
  return asked +
         ": this WebAssembly build runs on one thread (build it with "
         "scripts/build_wasm.sh --threads for numThreads > 1)";
#endif
}

struct Session {
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  std::string text;  // the last string returned to JavaScript
};

const char* Text(Session* s, const json& value) {
  s->text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return s->text.c_str();
}

Tensor* FindTensor(Session* s, int32_t subgraph, int32_t tensor) {
  Subgraph* sg = s->interp->subgraph(subgraph);
  if (sg == nullptr) {
    return Fail<Tensor*>(nullptr,
                         "no subgraph " + std::to_string(subgraph) +
                             " (the model has " +
                             std::to_string(s->interp->num_subgraphs()) + ")");
  }
  if (tensor < 0 || tensor >= static_cast<int32_t>(sg->tensors().size())) {
    return Fail<Tensor*>(
        nullptr, "no tensor " + std::to_string(tensor) + " in subgraph " +
                     std::to_string(subgraph) + " (it has " +
                     std::to_string(sg->tensors().size()) + ")");
  }
  return &sg->tensors()[tensor];
}

std::string ShapeToString(const Shape& shape) {
  std::string out = "[";
  for (int32_t i = 0; i < shape.rank; ++i)
    out += (i ? ", " : "") + std::to_string(shape.dims[i]);
  return out + "]";
}

// As the Python API's get_input_details(): full quantization arrays.
json TensorDetails(const Subgraph& sg, int32_t t) {
  const Tensor& tensor = sg.tensors()[t];
  json scales = json::array(), zero_points = json::array();
  for (int32_t i = 0; i < tensor.quant.count && tensor.quant.scale; ++i) {
    scales.push_back(tensor.quant.scale[i]);
    zero_points.push_back(tensor.quant.zero_point ? tensor.quant.zero_point[i]
                                                  : 0);
  }
  return {{"index", t},
          {"name", tensor.name ? tensor.name : ""},
          {"shape", describe::ShapeVector(tensor.shape)},
          {"shape_signature", describe::ShapeVector(sg.ShapeSignature(t))},
          {"dtype", DataTypeName(tensor.type)},
          {"bytes", tensor.bytes},
          {"quantization",
           {tensor.quant.quantized() ? tensor.quant.scale0() : 0.0f,
            tensor.quant.zero_point0()}},
          {"quantization_parameters",
           {{"scales", scales},
            {"zero_points", zero_points},
            {"quantized_dimension", tensor.quant.quantized_dimension}}}};
}

json DetailsList(const Subgraph& sg, const std::vector<int32_t>& tensors) {
  json out = json::array();
  for (int32_t t : tensors) out.push_back(TensorDetails(sg, t));
  return out;
}

json SignatureList(Session* s) {
  json out = json::array();
  for (const Signature& sig : s->interp->signatures()) {
    const Subgraph* sg = s->interp->subgraph(sig.subgraph_index);
    if (sg == nullptr) continue;
    auto side = [&](const std::vector<std::pair<std::string, int32_t>>& io) {
      json arr = json::array();
      for (const auto& [name, tensor] : io) {
        json d = TensorDetails(*sg, tensor);
        d["signature_name"] = name;
        arr.push_back(std::move(d));
      }
      return arr;
    };
    out.push_back({{"key", sig.key},
                   {"subgraph", sig.subgraph_index},
                   {"inputs", side(sig.inputs)},
                   {"outputs", side(sig.outputs)}});
  }
  return out;
}

}  // namespace
}  // namespace ember::web

using namespace ember;       // NOLINT: C entry points below
using namespace ember::web;  // NOLINT

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* ember_wasm_last_error() {
  return LastError().c_str();
}

EMSCRIPTEN_KEEPALIVE const char* ember_wasm_version() {
  return EMBER_WASM_VERSION;
}

// The most numThreads one interpreter can have: 1 + the module's Web
// Worker pool in a threads build, 1 otherwise.
EMSCRIPTEN_KEEPALIVE int ember_wasm_max_threads() {
#if defined(EMBER_WASM_THREAD_POOL)
  return 1 + EM_ASM_INT({
           return PThread.unusedWorkers.length + PThread.runningWorkers.length;
         });
#else
  return 1;
#endif
}

// Whether this build has WebAssembly SIMD128 kernels compiled in.
EMSCRIPTEN_KEEPALIVE int ember_wasm_simd() {
#if defined(__wasm_simd128__)
  return 1;
#else
  return 0;
#endif
}

// `ember inspect --json` of model bytes, without building an interpreter
// for the caller (so a model with an op Ember lacks is still described).
// Owned by the module until the next call.
EMSCRIPTEN_KEEPALIVE const char* ember_wasm_inspect(const uint8_t* data,
                                                    size_t size) {
  static std::string text;
  std::unique_ptr<Model> model;
  ErrorReporter errors;
  if (!Model::FromBuffer(data, size, /*copy=*/true, errors, &model).ok()) {
    return Fail<const char*>(
        nullptr, std::string("not a valid model: ") + errors.message());
  }
  text = describe::DescribeModel(*model, "")
             .dump(-1, ' ', false, json::error_handler_t::replace);
  return text.c_str();
}

// Copies and verifies the model, creates an interpreter and plans memory.
// `isa` as InterpreterOptions::isa ("" for no cap, "ref" for reference
// kernels everywhere); `split_small_work` as its split_small_work (threads
// split even small ops: for tests of the threaded paths on small models).
EMSCRIPTEN_KEEPALIVE Session* ember_wasm_create(const uint8_t* data,
                                                size_t size, int num_threads,
                                                const char* isa,
                                                int split_small_work) {
  if (num_threads < 1) {
    return Fail<Session*>(
        nullptr, "numThreads must be >= 1, got " + std::to_string(num_threads));
  }
  if (num_threads > 1) {
    const std::string refusal = ThreadRefusal(num_threads);
    if (!refusal.empty()) return Fail<Session*>(nullptr, refusal);
  }
  auto s = std::make_unique<Session>();
  ErrorReporter errors;
  if (!Model::FromBuffer(data, size, /*copy=*/true, errors, &s->model).ok()) {
    return Fail<Session*>(
        nullptr, std::string("not a valid model: ") + errors.message());
  }
  InterpreterOptions options;
  options.num_threads = num_threads;
  // A failed allocation aborts a wasm module built without exceptions:
  // cap what one subgraph may hold so that a model asking for more gets
  // kOutOfMemory (an EmberError) while the 4 GiB address space has room.
  options.max_tensor_bytes = kMaxTensorBytes;
  options.isa = isa != nullptr ? isa : "";
  options.split_small_work = split_small_work != 0;
  if (!Interpreter::Create(*s->model, OpResolver::Builtins(), options, errors,
                           &s->interp)
           .ok()) {
    return Fail<Session*>(nullptr, errors.message());
  }
  if (!s->interp->AllocateTensors().ok()) {
    return Fail<Session*>(nullptr, s->interp->errors().message());
  }
  return s.release();
}

EMSCRIPTEN_KEEPALIVE void ember_wasm_destroy(Session* s) { delete s; }

// {inputs, outputs (details of the primary subgraph), signatures}.
EMSCRIPTEN_KEEPALIVE const char* ember_wasm_io(Session* s) {
  Subgraph& sg = s->interp->primary();
  return Text(s, {{"inputs", DetailsList(sg, sg.inputs())},
                  {"outputs", DetailsList(sg, sg.outputs())},
                  {"signatures", SignatureList(s)}});
}

// The model as `ember inspect --json` sees it, plus every subgraph's graph
// and arena plan as this interpreter built them.
EMSCRIPTEN_KEEPALIVE const char* ember_wasm_describe(Session* s) {
  json report = describe::DescribeModel(*s->model, "");
  json graphs = json::array();
  for (int i = 0; i < s->interp->num_subgraphs(); ++i)
    graphs.push_back(describe::DescribeGraph(*s->interp->subgraph(i)));
  report["graphs"] = std::move(graphs);
  report["simd128"] = ember_wasm_simd() != 0;
  report["allowed_isas"] = s->interp->allowed_isas().ToString();
  return Text(s, report);
}

EMSCRIPTEN_KEEPALIVE const char* ember_wasm_tensor(Session* s, int32_t subgraph,
                                                   int32_t tensor) {
  if (FindTensor(s, subgraph, tensor) == nullptr) return nullptr;
  return Text(s, TensorDetails(*s->interp->subgraph(subgraph), tensor));
}

// The tensor's bytes (valid until the next resize or invoke); NULL for a
// tensor without data.
EMSCRIPTEN_KEEPALIVE void* ember_wasm_tensor_data(Session* s, int32_t subgraph,
                                                  int32_t tensor) {
  Tensor* t = FindTensor(s, subgraph, tensor);
  if (t == nullptr) return nullptr;
  if (t->data == nullptr && t->bytes > 0) {
    return Fail<void*>(nullptr, "tensor " + std::to_string(tensor) + " '" +
                                    t->name + "' has no data yet");
  }
  return t->data;
}

EMSCRIPTEN_KEEPALIVE int ember_wasm_set_tensor(Session* s, int32_t subgraph,
                                               int32_t tensor, const void* src,
                                               size_t bytes) {
  Tensor* t = FindTensor(s, subgraph, tensor);
  if (t == nullptr) return 0;
  if (t->is_constant()) {
    return Fail(0, "tensor " + std::to_string(tensor) + " '" + t->name +
                       "' is a constant of the model and cannot be set");
  }
  if (bytes != t->bytes) {
    return Fail(0, "tensor " + std::to_string(tensor) + " '" + t->name + "' (" +
                       DataTypeName(t->type) + " " + ShapeToString(t->shape) +
                       ") takes " + std::to_string(t->bytes) + " bytes, got " +
                       std::to_string(bytes));
  }
  if (bytes > 0) std::memcpy(t->data, src, bytes);
  return 1;
}

// Gives input `position` of `subgraph` a new shape and plans again.
EMSCRIPTEN_KEEPALIVE int ember_wasm_resize_input(Session* s, int32_t subgraph,
                                                 int32_t position,
                                                 const int32_t* dims,
                                                 int32_t rank) {
  Subgraph* sg = s->interp->subgraph(subgraph);
  if (sg == nullptr) return Fail(0, "no subgraph " + std::to_string(subgraph));
  if (rank < 0 || rank > kMaxRank) {
    return Fail(0, "rank " + std::to_string(rank) + " is not in [0, " +
                       std::to_string(kMaxRank) + "]");
  }
  if (position < 0 || position >= static_cast<int32_t>(sg->inputs().size())) {
    return Fail(0, "no input " + std::to_string(position) + ": subgraph " +
                       std::to_string(subgraph) + " has " +
                       std::to_string(sg->inputs().size()) + " inputs");
  }
  Shape shape;
  shape.rank = rank;
  for (int32_t i = 0; i < rank; ++i) shape.dims[i] = dims[i];
  const Shape previous = sg->tensors()[sg->inputs()[position]].shape;
  if (!sg->ResizeInput(position, shape).ok() ||
      !s->interp->AllocateTensors().ok()) {
    // Leave the interpreter as it was: the old shape, planned again.
    const std::string message = s->interp->errors().message();
    if (!sg->ResizeInput(position, previous).ok() ||
        !s->interp->AllocateTensors().ok()) {
      return Fail(0, message + " (and restoring the previous shape failed: " +
                         s->interp->errors().message() + ")");
    }
    return Fail(0, message);
  }
  return 1;
}

EMSCRIPTEN_KEEPALIVE int ember_wasm_invoke(Session* s, int32_t subgraph) {
  const Status status =
      subgraph == 0 ? s->interp->Invoke() : s->interp->InvokeSubgraph(subgraph);
  if (!status.ok()) return Fail(0, s->interp->errors().message());
  return 1;
}

// Runs the primary subgraph `runs` times with per-node timing on (after
// one untimed run) on the inputs already set: {min_ms, median_ms, runs,
// profile (describe::DescribeProfile)}.
EMSCRIPTEN_KEEPALIVE const char* ember_wasm_profile(Session* s, int32_t runs) {
  using Clock = std::chrono::steady_clock;
  runs = std::max(runs, 1);
  Subgraph& sg = s->interp->primary();
  if (!s->interp->Invoke().ok()) {
    return Fail<const char*>(nullptr, s->interp->errors().message());
  }
  sg.EnableProfiling(true);  // (also clears earlier counts)
  std::vector<double> times;
  for (int32_t i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (!s->interp->Invoke().ok()) {
      sg.EnableProfiling(false);
      return Fail<const char*>(nullptr, s->interp->errors().message());
    }
    times.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start)
            .count());
  }
  json profile = describe::DescribeProfile(sg, runs);
  sg.EnableProfiling(false);
  std::sort(times.begin(), times.end());
  return Text(s, {{"runs", runs},
                  {"min_ms", times.front()},
                  {"median_ms", times[times.size() / 2]},
                  {"profile", std::move(profile)}});
}

}  // extern "C"
