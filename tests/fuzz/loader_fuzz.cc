// libFuzzer target: arbitrary bytes -> Model::FromBuffer; models that pass
// verification are run end to end (create, allocate, zero inputs, invoke,
// resize input 0 and run again). Any crash, sanitizer report or hang is a
// bug in the loader, verifier, planner, interpreter or an op's Prepare.
//
// Build and run: tests/fuzz/run_fuzz.sh [seconds]
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "model/model.h"
#include "runtime/interpreter.h"

namespace {

using namespace ember;

// Tensor memory the fuzzer lets a model ask for. Bigger models are valid,
// but they only measure the machine: RAM (libFuzzer's malloc limit) and,
// under ASan and coverage instrumentation, seconds per element-wise op,
// which would read as hangs. 4 MiB keeps every run well under a second.
constexpr size_t kMaxTensorBytes = size_t{4} << 20;

// Bytes declared by the model's tensor shapes (verified: no overflow).
size_t DeclaredTensorBytes(const Model& model) {
  size_t total = 0;
  for (const fb::SubGraph* sg : *model.fb()->subgraphs()) {
    if (sg->tensors() == nullptr) continue;
    for (const fb::Tensor* t : *sg->tensors()) {
      int64_t n = 1;
      if (t->shape() != nullptr)
        for (int32_t d : *t->shape()) n *= d;
      total += BytesFor(static_cast<DataType>(t->type()), n);
      if (total > kMaxTensorBytes) return total;
    }
  }
  return total;
}

void ZeroInputs(Subgraph& sg) {
  for (int32_t in : sg.inputs()) {
    Tensor& t = sg.tensors()[in];
    if (t.data != nullptr && !t.is_constant()) memset(t.data, 0, t.bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  if (!Model::FromBuffer(data, size, /*copy=*/true, errors, &model).ok())
    return 0;
  if (DeclaredTensorBytes(*model) > kMaxTensorBytes) return 0;
  InterpreterOptions options;
  options.max_tensor_bytes = kMaxTensorBytes;
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok())
    return 0;
  for (const Signature& sig : interp->signatures())
    (void)interp->FindSignature(sig.key.c_str());
  (void)interp->FindSignature("no such signature");
  if (!interp->AllocateTensors().ok()) return 0;
  Subgraph& primary = interp->primary();
  ZeroInputs(primary);
  if (!interp->Invoke().ok()) return 0;
  (void)interp->ResetVariables();
  // Other subgraphs on their own (control-flow bodies, unused ones).
  for (int i = 1; i < interp->num_subgraphs(); ++i) {
    ZeroInputs(*interp->subgraph(i));
    (void)interp->InvokeSubgraph(i);
  }
  // Grow the first input's leading dim and run again (re-plan path).
  if (!primary.inputs().empty()) {
    Shape shape = primary.tensors()[primary.inputs()[0]].shape;
    if (shape.rank > 0 && shape.dims[0] < 4) {
      shape.dims[0] += 1;
      if (interp->ResizeInput(0, shape).ok() &&
          interp->AllocateTensors().ok()) {
        ZeroInputs(primary);
        (void)interp->Invoke();
      }
    }
  }
  return 0;
}
