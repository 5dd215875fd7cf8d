// C ABI: interpreter options, interpreters and signature runners.
#include <cstring>

#include "capi/capi_internal.h"

namespace ember::capi {
namespace {

// Index of `tensor` among subgraph `sg`'s inputs, or -1.
int InputPosition(const Subgraph& sg, int32_t tensor) {
  const auto& inputs = sg.inputs();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i] == tensor) return static_cast<int>(i);
  return -1;
}

// The signature entry called `name`, or nullptr.
const std::pair<std::string, int32_t>* FindEntry(
    const std::vector<std::pair<std::string, int32_t>>& entries,
    const char* name) {
  if (name == nullptr) return nullptr;
  for (const auto& entry : entries)
    if (entry.first == name) return &entry;
  return nullptr;
}

// "'a', 'b'" for error messages.
std::string JoinNames(
    const std::vector<std::pair<std::string, int32_t>>& entries) {
  std::string names;
  for (const auto& entry : entries) {
    if (!names.empty()) names += ", ";
    names += "'" + entry.first + "'";
  }
  return names.empty() ? "none" : names;
}

// A runner call failed inside the interpreter: keep its message.
EmberStatus RunnerFailed(const EmberSignatureRunner* runner, Status status) {
  runner->errors
      .Report(status.code(), "signature '%s': %s",
              runner->signature->key.c_str(),
              runner->state->interpreter->errors().message())
      .IgnoreError();
  return ToC(status);
}

Subgraph* RunnerSubgraph(const EmberSignatureRunner* runner) {
  return runner->state->interpreter->subgraph(
      runner->signature->subgraph_index);
}

// Tensor `name` of the runner's signature (inputs or outputs), or nullptr
// with a NOT_FOUND message.
EmberTensor* RunnerTensor(
    const EmberSignatureRunner* runner,
    const std::vector<std::pair<std::string, int32_t>>& entries,
    const char* name, const char* kind) {
  const auto* entry = FindEntry(entries, name);
  Subgraph* sg = RunnerSubgraph(runner);
  if (entry == nullptr || sg == nullptr || entry->second < 0 ||
      entry->second >= static_cast<int32_t>(sg->tensors().size())) {
    runner->errors
        .Report(StatusCode::kNotFound,
                "signature '%s' has no %s '%s' (%ss: %s)",
                runner->signature->key.c_str(), kind, name ? name : "(NULL)",
                kind, JoinNames(entries).c_str())
        .IgnoreError();
    return nullptr;
  }
  return ToC(&sg->tensors()[entry->second]);
}

}  // namespace
}  // namespace ember::capi

using namespace ember;        // NOLINT: C entry points below
using namespace ember::capi;  // NOLINT

extern "C" {

// ---- options ---------------------------------------------------------------

EmberStatus EmberInterpreterOptionsCreate(EmberInterpreterOptions** out,
                                          char* error, size_t error_size) {
  if (out == nullptr) {
    WriteError(error, error_size, "out (EmberInterpreterOptions**) is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = new (std::nothrow) EmberInterpreterOptions();
  if (*out == nullptr) {
    WriteError(error, error_size, "out of memory");
    return EMBER_STATUS_OUT_OF_MEMORY;
  }
  return EMBER_STATUS_OK;
}

void EmberInterpreterOptionsDestroy(EmberInterpreterOptions* options) {
  delete options;
}

EmberStatus EmberInterpreterOptionsSetNumThreads(
    EmberInterpreterOptions* options, int32_t num_threads) {
  if (options == nullptr || num_threads < 1)
    return EMBER_STATUS_INVALID_ARGUMENT;
  options->options.num_threads = num_threads;
  return EMBER_STATUS_OK;
}

// ---- interpreter -----------------------------------------------------------

EmberStatus EmberInterpreterCreate(const EmberModel* model,
                                   const EmberInterpreterOptions* options,
                                   const EmberOpResolver* resolver,
                                   EmberInterpreter** out, char* error,
                                   size_t error_size) {
  if (out == nullptr) {
    WriteError(error, error_size, "out (EmberInterpreter**) is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = nullptr;
  if (model == nullptr) {
    WriteError(error, error_size, "model is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  ErrorReporter errors;
  const EmberStatus status = Guard(&errors, [&] {
    auto state = std::make_shared<InterpreterState>();
    state->model = model->model;
    if (resolver != nullptr) state->resolver = resolver->state;
    const OpResolver& ops = resolver != nullptr ? resolver->state->resolver
                                                : OpResolver::Builtins();
    const InterpreterOptions opts =
        options != nullptr ? options->options : InterpreterOptions();
    Status s = Interpreter::Create(*state->model, ops, opts, errors,
                                   &state->interpreter);
    if (!s.ok()) return ToC(s);
    auto handle = std::make_unique<EmberInterpreter>();
    handle->state = std::move(state);
    *out = handle.release();
    return EMBER_STATUS_OK;
  });
  if (status != EMBER_STATUS_OK)
    WriteError(error, error_size, errors.message());
  return status;
}

void EmberInterpreterDestroy(EmberInterpreter* interpreter) {
  delete interpreter;
}

const char* EmberInterpreterGetLastError(const EmberInterpreter* interpreter) {
  return interpreter ? interpreter->errors().message() : kNullHandleMessage;
}

int32_t EmberInterpreterGetInputCount(const EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return 0;
  return static_cast<int32_t>(interpreter->interp().primary().inputs().size());
}

int32_t EmberInterpreterGetOutputCount(const EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return 0;
  return static_cast<int32_t>(interpreter->interp().primary().outputs().size());
}

EmberTensor* EmberInterpreterGetInputTensor(const EmberInterpreter* interpreter,
                                            int32_t index) {
  if (interpreter == nullptr) return nullptr;
  Subgraph& sg = interpreter->interp().primary();
  const int32_t n = static_cast<int32_t>(sg.inputs().size());
  if (index < 0 || index >= n) {
    interpreter->errors()
        .Report(StatusCode::kInvalidArgument,
                "input %d out of range (model has %d inputs)", index, n)
        .IgnoreError();
    return nullptr;
  }
  return ToC(&sg.tensors()[sg.inputs()[index]]);
}

EmberTensor* EmberInterpreterGetOutputTensor(
    const EmberInterpreter* interpreter, int32_t index) {
  if (interpreter == nullptr) return nullptr;
  Subgraph& sg = interpreter->interp().primary();
  const int32_t n = static_cast<int32_t>(sg.outputs().size());
  if (index < 0 || index >= n) {
    interpreter->errors()
        .Report(StatusCode::kInvalidArgument,
                "output %d out of range (model has %d outputs)", index, n)
        .IgnoreError();
    return nullptr;
  }
  return ToC(&sg.tensors()[sg.outputs()[index]]);
}

int32_t EmberInterpreterGetTensorCount(const EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return 0;
  return static_cast<int32_t>(interpreter->interp().primary().tensors().size());
}

EmberTensor* EmberInterpreterGetTensor(const EmberInterpreter* interpreter,
                                       int32_t tensor_index) {
  if (interpreter == nullptr) return nullptr;
  auto& tensors = interpreter->interp().primary().tensors();
  const int32_t n = static_cast<int32_t>(tensors.size());
  if (tensor_index < 0 || tensor_index >= n) {
    interpreter->errors()
        .Report(StatusCode::kInvalidArgument,
                "tensor %d out of range (subgraph has %d tensors)",
                tensor_index, n)
        .IgnoreError();
    return nullptr;
  }
  return ToC(&tensors[tensor_index]);
}

EmberTensor* EmberInterpreterGetTensorByName(
    const EmberInterpreter* interpreter, const char* name) {
  if (interpreter == nullptr) return nullptr;
  if (name == nullptr) {
    interpreter->errors()
        .Report(StatusCode::kInvalidArgument, "tensor name is NULL")
        .IgnoreError();
    return nullptr;
  }
  for (Tensor& t : interpreter->interp().primary().tensors()) {
    if (strcmp(t.name, name) == 0) return ToC(&t);
  }
  interpreter->errors()
      .Report(StatusCode::kNotFound, "no tensor named '%s'", name)
      .IgnoreError();
  return nullptr;
}

EmberStatus EmberInterpreterResizeInputTensor(EmberInterpreter* interpreter,
                                              int32_t index,
                                              const int32_t* dims,
                                              int32_t rank) {
  if (interpreter == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  Shape shape;
  Status s = ShapeFromC(dims, rank, interpreter->errors(), &shape);
  if (!s.ok()) return ToC(s);
  return Guard(&interpreter->errors(), [&] {
    return ToC(interpreter->interp().ResizeInput(index, shape));
  });
}

EmberStatus EmberInterpreterAllocateTensors(EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&interpreter->errors(),
               [&] { return ToC(interpreter->interp().AllocateTensors()); });
}

EmberStatus EmberInterpreterInvoke(EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&interpreter->errors(),
               [&] { return ToC(interpreter->interp().Invoke()); });
}

EmberStatus EmberInterpreterResetVariables(EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&interpreter->errors(),
               [&] { return ToC(interpreter->interp().ResetVariables()); });
}

EmberStatus EmberInterpreterSetNumThreads(EmberInterpreter* interpreter,
                                          int32_t num_threads) {
  if (interpreter == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return ToC(interpreter->interp().SetNumThreads(num_threads));
}

int32_t EmberInterpreterGetSignatureCount(const EmberInterpreter* interpreter) {
  if (interpreter == nullptr) return 0;
  return static_cast<int32_t>(interpreter->interp().signatures().size());
}

const char* EmberInterpreterGetSignatureKey(const EmberInterpreter* interpreter,
                                            int32_t index) {
  if (interpreter == nullptr) return nullptr;
  const auto& sigs = interpreter->interp().signatures();
  if (index < 0 || index >= static_cast<int32_t>(sigs.size())) return nullptr;
  return sigs[index].key.c_str();
}

// ---- signature runner ------------------------------------------------------

EmberStatus EmberSignatureRunnerCreate(EmberInterpreter* interpreter,
                                       const char* key,
                                       EmberSignatureRunner** out) {
  if (out != nullptr) *out = nullptr;
  if (interpreter == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  ErrorReporter& errors = interpreter->errors();
  if (out == nullptr) {
    return ToC(errors.Report(StatusCode::kInvalidArgument,
                             "out (EmberSignatureRunner**) is NULL"));
  }
  return Guard(&errors, [&] {
    const Signature* sig = interpreter->interp().FindSignature(key);
    if (sig == nullptr) return EMBER_STATUS_NOT_FOUND;
    if (interpreter->interp().subgraph(sig->subgraph_index) == nullptr) {
      return ToC(errors.Report(StatusCode::kInvalidModel,
                               "signature '%s' names subgraph %d, which does "
                               "not exist",
                               sig->key.c_str(), sig->subgraph_index));
    }
    auto runner = std::make_unique<EmberSignatureRunner>();
    runner->state = interpreter->state;
    runner->signature = sig;
    *out = runner.release();
    return EMBER_STATUS_OK;
  });
}

void EmberSignatureRunnerDestroy(EmberSignatureRunner* runner) {
  delete runner;
}

const char* EmberSignatureRunnerGetLastError(
    const EmberSignatureRunner* runner) {
  return runner ? runner->errors.message() : kNullHandleMessage;
}

const char* EmberSignatureRunnerGetKey(const EmberSignatureRunner* runner) {
  return runner ? runner->signature->key.c_str() : nullptr;
}

int32_t EmberSignatureRunnerGetInputCount(const EmberSignatureRunner* runner) {
  return runner ? static_cast<int32_t>(runner->signature->inputs.size()) : 0;
}

int32_t EmberSignatureRunnerGetOutputCount(const EmberSignatureRunner* runner) {
  return runner ? static_cast<int32_t>(runner->signature->outputs.size()) : 0;
}

const char* EmberSignatureRunnerGetInputName(const EmberSignatureRunner* runner,
                                             int32_t index) {
  if (runner == nullptr) return nullptr;
  const auto& entries = runner->signature->inputs;
  if (index < 0 || index >= static_cast<int32_t>(entries.size()))
    return nullptr;
  return entries[index].first.c_str();
}

const char* EmberSignatureRunnerGetOutputName(
    const EmberSignatureRunner* runner, int32_t index) {
  if (runner == nullptr) return nullptr;
  const auto& entries = runner->signature->outputs;
  if (index < 0 || index >= static_cast<int32_t>(entries.size()))
    return nullptr;
  return entries[index].first.c_str();
}

EmberTensor* EmberSignatureRunnerGetInputTensor(
    const EmberSignatureRunner* runner, const char* name) {
  if (runner == nullptr) return nullptr;
  return RunnerTensor(runner, runner->signature->inputs, name, "input");
}

EmberTensor* EmberSignatureRunnerGetOutputTensor(
    const EmberSignatureRunner* runner, const char* name) {
  if (runner == nullptr) return nullptr;
  return RunnerTensor(runner, runner->signature->outputs, name, "output");
}

EmberStatus EmberSignatureRunnerResizeInputTensor(EmberSignatureRunner* runner,
                                                  const char* name,
                                                  const int32_t* dims,
                                                  int32_t rank) {
  if (runner == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  const auto* entry = FindEntry(runner->signature->inputs, name);
  if (entry == nullptr) {
    return ToC(runner->errors.Report(
        StatusCode::kNotFound, "signature '%s' has no input '%s' (inputs: %s)",
        runner->signature->key.c_str(), name ? name : "(NULL)",
        JoinNames(runner->signature->inputs).c_str()));
  }
  Shape shape;
  Status s = ShapeFromC(dims, rank, runner->errors, &shape);
  if (!s.ok()) return ToC(s);
  Subgraph* sg = RunnerSubgraph(runner);
  const int position = InputPosition(*sg, entry->second);
  if (position < 0) {
    return ToC(runner->errors.Report(
        StatusCode::kInvalidModel,
        "signature '%s': input '%s' (tensor %d) is not an input of subgraph "
        "%d",
        runner->signature->key.c_str(), name, entry->second, sg->index()));
  }
  return Guard(&runner->errors, [&] {
    s = sg->ResizeInput(position, shape);
    return s.ok() ? EMBER_STATUS_OK : RunnerFailed(runner, s);
  });
}

EmberStatus EmberSignatureRunnerAllocateTensors(EmberSignatureRunner* runner) {
  if (runner == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&runner->errors, [&] {
    Status s = runner->state->interpreter->AllocateTensors();
    return s.ok() ? EMBER_STATUS_OK : RunnerFailed(runner, s);
  });
}

EmberStatus EmberSignatureRunnerInvoke(EmberSignatureRunner* runner) {
  if (runner == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&runner->errors, [&] {
    Status s = runner->state->interpreter->InvokeSubgraph(
        runner->signature->subgraph_index);
    return s.ok() ? EMBER_STATUS_OK : RunnerFailed(runner, s);
  });
}

}  // extern "C"
