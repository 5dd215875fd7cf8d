// Runs one model in the micro interpreter and in Ember's host interpreter
// (reference kernels, EMBER_FORCE_REF semantics) on the same inputs and
// reports whether every output is bit-identical, invocation after
// invocation (variable tensors carry state across them).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "micro/micro_interpreter.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"

namespace ember::testing {

// Every op the micro runtime has.
inline void AddAllMicroOps(micro::MicroOpResolverBase& r) {
  r.AddAdd();
  r.AddAveragePool2D();
  r.AddConv2D();
  r.AddDepthwiseConv2D();
  r.AddDequantize();
  r.AddFullyConnected();
  r.AddMaxPool2D();
  r.AddMul();
  r.AddQuantize();
  r.AddReshape();
  r.AddSoftmax();
  r.AddSvdf();
  r.AddCast();
  r.AddConcatenation();
  r.AddDiv();
  r.AddMaximum();
  r.AddMinimum();
  r.AddStridedSlice();
  r.AddSignalWindow();
  r.AddSignalFftAutoScale();
  r.AddSignalRfft();
  r.AddSignalEnergy();
  r.AddSignalFilterBank();
  r.AddSignalFilterBankSquareRoot();
  r.AddSignalFilterBankSpectralSubtraction();
  r.AddSignalFilterBankLog();
  r.AddSignalPCAN();
}

// Capacity of a resolver holding every op.
constexpr int32_t kAllMicroOps = 32;

struct MicroErrorLog {
  std::vector<micro::MicroError> errors;
  static void Callback(void* user, const micro::MicroError& e) {
    static_cast<MicroErrorLog*>(user)->errors.push_back(e);
  }
};

struct CompareResult {
  bool ok = false;
  std::string message;  // why not
  micro::MicroArenaReport arena;
  size_t host_arena_bytes = 0;
};

// `inputs[k][i]`: the bytes of input i at invocation k.
inline CompareResult CompareMicroWithHost(
    const std::vector<uint8_t>& model_bytes,
    const std::vector<std::vector<std::vector<uint8_t>>>& inputs,
    size_t arena_size = 512 * 1024) {
  CompareResult r;
  // Flatbuffer data must stay aligned: keep the model in 16-byte aligned
  // storage for both interpreters.
  std::vector<uint64_t> aligned((model_bytes.size() + 7) / 8 + 2);
  std::memcpy(aligned.data(), model_bytes.data(), model_bytes.size());
  const auto* data = reinterpret_cast<const uint8_t*>(aligned.data());
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  if (!Model::FromBuffer(data, model_bytes.size(), true, errors, &model).ok()) {
    r.message = std::string("host load: ") + errors.message();
    return r;
  }
  InterpreterOptions options;
  options.force_reference_kernels = true;
  std::unique_ptr<Interpreter> host;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &host)
           .ok() ||
      !host->AllocateTensors().ok()) {
    r.message = std::string("host: ") + errors.message() +
                (host ? host->errors().message() : "");
    return r;
  }
  micro::MicroOpResolver<kAllMicroOps> resolver;
  AddAllMicroOps(resolver);
  std::vector<uint8_t> arena(arena_size + 16);
  uint8_t* arena_start = reinterpret_cast<uint8_t*>(
      (reinterpret_cast<uintptr_t>(arena.data()) + 15) / 16 * 16);
  MicroErrorLog log;
  micro::MicroInterpreter interp(data, model_bytes.size(), resolver,
                                 arena_start, arena_size,
                                 MicroErrorLog::Callback, &log);
  if (interp.AllocateTensors() != micro::MicroStatus::kOk) {
    r.message = std::string("micro AllocateTensors: ") +
                micro::MicroStatusName(log.errors.back().status) + ": " +
                log.errors.back().message + " (op " +
                std::to_string(log.errors.back().op_index) + ")";
    return r;
  }
  r.arena = interp.arena_report();
  r.host_arena_bytes = host->primary().arena_bytes();
  Subgraph& sg = host->primary();
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (static_cast<int32_t>(inputs[k].size()) != interp.inputs_size()) {
      r.message = "wrong input count";
      return r;
    }
    for (int32_t i = 0; i < interp.inputs_size(); ++i) {
      const micro::MicroTensor t = interp.input(i);
      Tensor& h = sg.tensors()[sg.inputs()[i]];
      if (inputs[k][i].size() != t.bytes || h.bytes != t.bytes) {
        r.message = "input " + std::to_string(i) + " has the wrong size";
        return r;
      }
      std::memcpy(t.data, inputs[k][i].data(), t.bytes);
      std::memcpy(h.data, inputs[k][i].data(), t.bytes);
    }
    if (!host->Invoke().ok()) {
      r.message = std::string("host invoke: ") + host->errors().message();
      return r;
    }
    if (interp.Invoke() != micro::MicroStatus::kOk) {
      r.message = std::string("micro invoke: ") + log.errors.back().message;
      return r;
    }
    for (int32_t o = 0; o < interp.outputs_size(); ++o) {
      const micro::MicroTensor t = interp.output(o);
      const Tensor& h = sg.tensors()[sg.outputs()[o]];
      if (h.bytes != t.bytes || std::memcmp(h.data, t.data, t.bytes) != 0) {
        r.message = "invocation " + std::to_string(k) + ": output " +
                    std::to_string(o) + " differs";
        return r;
      }
    }
  }
  r.ok = true;
  return r;
}

}  // namespace ember::testing
