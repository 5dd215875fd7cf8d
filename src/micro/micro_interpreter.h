// The micro interpreter: runs a .tflite model read in place from a const
// array, with every byte of tensor memory inside the caller's arena
// (`alignas(16) uint8_t arena[N]`). No heap, no exceptions, no RTTI, no
// static constructors, no OS.
//
// Arena layout: the head (from the start) holds the non-persistent
// buffers (activations, op scratch), placed greedily by size at
// AllocateTensors, or by the model's OfflineMemoryAllocation metadata when
// it carries one; the tail (from the end) holds what lives as long as the
// interpreter: the per-tensor data pointers, the per-node records and the
// variable tensors (RNN / SVDF state). RESHAPE outputs share their input's
// memory, and element-wise ops (SOFTMAX, QUANTIZE, DEQUANTIZE) run in place
// when their input dies with them.
//
// Inputs are written, and outputs read, through input(i) / output(i)
// after AllocateTensors; an input's memory may be reused once the ops
// that read it have run, so write the inputs before every Invoke.
#pragma once

#include <cstddef>
#include <cstdint>

#include "micro/micro_context.h"
#include "micro/micro_error.h"
#include "micro/micro_resolver.h"
#include "micro/micro_signature.h"
#include "micro/micro_tensor.h"

namespace ember::micro {

struct MicroArenaReport {
  size_t head_bytes = 0;      // non-persistent plan (activations, scratch)
  size_t tail_bytes = 0;      // persistent (pointers, nodes, variables)
  size_t total_bytes = 0;     // head + tail: what arena_used_bytes() says
  size_t planning_bytes = 0;  // peak of the tail while planning (temporary)
  bool offline_plan = false;  // the model's OfflineMemoryAllocation was used
};

class MicroInterpreter {
 public:
  // Nothing is read until AllocateTensors. `model` and `arena` must outlive
  // the interpreter.
  MicroInterpreter(const uint8_t* model, size_t model_size,
                   const MicroOpResolverBase& resolver, uint8_t* arena,
                   size_t arena_size, MicroErrorCallback on_error = nullptr,
                   void* user = nullptr);
  MicroInterpreter(const MicroInterpreter&) = delete;
  MicroInterpreter& operator=(const MicroInterpreter&) = delete;

  // Under a trust policy AllocateTensors first checks that the model ends
  // in a valid signature trailer by one of `keys` (docs/trust.md) and
  // refuses it (kUntrustedModel, naming why) before parsing any of it;
  // the interpreter then reads only the signed bytes. `keys` must outlive
  // the interpreter; count 0 refuses every model.
  void RequireSignature(const MicroPublicKey* keys, size_t count) {
    // Through a pointer taken only here, so that firmware that never calls
    // this does not link the verifier (about 7 KB of code).
    check_signature_ = &MicroVerifySignedModel;
    trusted_keys_ = keys;
    trusted_count_ = count;
  }

  // Verifies the model, prepares every op and plans the arena.
  MicroStatus AllocateTensors();
  MicroStatus Invoke();
  // Variable tensors back to their initial values, and the state of ops
  // that keep one (spectral subtraction's noise estimate) back to zero.
  MicroStatus Reset();

  int32_t inputs_size() const;
  int32_t outputs_size() const;
  // Views of the subgraph's inputs / outputs (data nullptr for a bad index
  // or before AllocateTensors).
  MicroTensor input(int32_t i) const;
  MicroTensor output(int32_t i) const;
  MicroTensor tensor(int32_t index) const;
  // Name of input / output i in the model ("" if none).
  const char* input_name(int32_t i) const;
  const char* output_name(int32_t i) const;

  size_t arena_used_bytes() const { return report_.total_bytes; }
  const MicroArenaReport& arena_report() const { return report_; }
  const MicroError& last_error() const { return last_error_; }
  const fb::Model* model() const { return model_; }
  int32_t operators_size() const;

 private:
  friend class MicroContext;

  struct Node {
    const MicroOpRegistration* reg;
    // While preparing: the scratch bytes requested; then its address.
    void* scratch;
    size_t scratch_bytes;
    void* persistent;  // AllocatePersistent's buffer, or nullptr
    size_t persistent_bytes;
  };

  MicroStatus Report(MicroStatus status, const char* message,
                     int32_t op_index = -1, int32_t tensor_index = -1);
  MicroStatus ReportError(const MicroError& error);
  void* AllocateTail(size_t bytes, size_t alignment);
  MicroStatus InitVariables();
  MicroStatus PlanMemory();
  bool IsGraphInput(int32_t t) const;
  bool IsGraphOutput(int32_t t) const;
  int32_t TensorIndex(const flatbuffers::Vector<int32_t>* list,
                      int32_t i) const;

  const uint8_t* model_data_;
  size_t model_size_;
  const MicroOpResolverBase& resolver_;
  uint8_t* arena_;
  size_t arena_size_;
  MicroErrorCallback on_error_;
  void* user_;
  MicroStatus (*check_signature_)(const uint8_t*, size_t, const MicroPublicKey*,
                                  size_t, size_t*, MicroError*) = nullptr;
  const MicroPublicKey* trusted_keys_ = nullptr;
  size_t trusted_count_ = 0;

  const fb::Model* model_ = nullptr;
  const fb::SubGraph* subgraph_ = nullptr;
  uint8_t* head_ = nullptr;  // first 16-byte aligned byte of the arena
  uint8_t* end_ = nullptr;   // one past the arena
  uint8_t* tail_ = nullptr;  // lowest byte of the tail
  void** data_ = nullptr;    // per tensor
  Node* nodes_ = nullptr;
  int32_t num_tensors_ = 0;
  int32_t num_nodes_ = 0;
  int32_t preparing_ = -1;  // node in Prepare, else -1
  bool allocated_ = false;
  MicroArenaReport report_;
  MicroError last_error_;
};

}  // namespace ember::micro
