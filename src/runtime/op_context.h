// OpContext: everything an op's Prepare/Eval may touch. The host behind it
// is the interpreter (or the micro runtime); ops never see either directly.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "kernels/dispatch/isa.h"
#include "runtime/registration.h"
#include "runtime/tensor.h"
#include "schema/schema_generated.h"

namespace ember {

// Scratch memory a node asked for in Prepare; `data` is placed before Eval
// (in the arena, or in the node's own buffer when the node is prepared
// outside the plan).
struct ScratchBuffer {
  size_t bytes = 0;
  void* data = nullptr;
};

// One op instance in a subgraph.
struct Node {
  const OpRegistration* reg = nullptr;
  const fb::Operator* op = nullptr;  // options live in the flatbuffer
  int32_t builtin_code = -1;
  int32_t version = 1;
  const int32_t* inputs = nullptr;
  int32_t num_inputs = 0;
  const int32_t* outputs = nullptr;
  int32_t num_outputs = 0;
  const int32_t* intermediates = nullptr;
  int32_t num_intermediates = 0;
  void* op_data = nullptr;
  // As many as Prepare requests (the vector keeps its capacity when a node
  // is prepared again, so re-preparing at run time does not allocate).
  std::vector<ScratchBuffer> scratch;
  // Set by Prepare when an output's shape depends on input values that are
  // only known during Eval (the op then calls ResizeOutput in Eval).
  bool has_dynamic_output = false;
  // Which kernel Prepare picked ("ref", or an optimized variant such as
  // "x86_avx512_gemm"); reported by `ember bench`. Static string.
  const char* kernel_variant = "ref";
  // Set by the graph passes (src/graph/) before Prepare: zero padding of a
  // PAD folded into this VALID convolution (top, bottom, left, right), and
  // a standalone RELU-family activation folded into this op's fused
  // activation (an fb::ActivationFunctionType value, -1 when none). Reset
  // whenever the subgraph is planned again.
  int32_t folded_pad[4] = {0, 0, 0, 0};
  int8_t folded_activation = -1;
};

// Services the host provides to ops.
class ThreadPool;

class OpHost {
 public:
  virtual ~OpHost() = default;
  virtual ErrorReporter& error_reporter() = 0;
  // Reallocates a dynamic tensor to the given shape (Eval time).
  virtual Status ResizeDynamicTensor(int32_t tensor_index,
                                     const Shape& shape) = 0;
  // Control flow: run subgraph `index` (its inputs already set by the op).
  virtual Status InvokeSubgraph(int32_t index) = 0;
  // Control flow: the tensors of another subgraph, for copying in and out.
  virtual Status SubgraphIo(int32_t index, Tensor** tensors,
                            const int32_t** inputs, int32_t* num_inputs,
                            const int32_t** outputs, int32_t* num_outputs) = 0;
  // Control flow: a subgraph input was resized; re-plan it before invoking.
  virtual Status ResizeSubgraphInput(int32_t subgraph, int32_t input_pos,
                                     const Shape& shape) = 0;
  // Control flow: prepares and plans subgraph `index` if it needs it (after
  // ResizeSubgraphInput), so its inputs can be written before InvokeSubgraph.
  virtual Status AllocateSubgraph(int32_t index) = 0;
  virtual int num_threads() const = 0;
  // The interpreter's thread pool (num_threads workers, caller included);
  // nullptr when the host has none (ops then run single-threaded).
  virtual ThreadPool* thread_pool() { return nullptr; }
  // The ISAs ops may pick optimized kernels for (kernels/dispatch/isa.h);
  // empty when reference kernels are forced (options, EMBER_FORCE_REF,
  // EMBER_ISA=ref).
  virtual kernels::IsaSet allowed_isas() const {
    return kernels::IsaSet::None();
  }
  // Prepare only: memory owned by node `node_index` that lives until the
  // node is prepared again (or the host is destroyed), 64-byte aligned.
  // For data derived from constants once (e.g. packed weights).
  virtual Status AllocatePersistent(int node_index, size_t bytes, void** out) {
    (void)node_index;
    (void)bytes;
    *out = nullptr;
    return Status(StatusCode::kUnsupported);
  }
  // Prepare only: like AllocatePersistent, for bytes that depend on the
  // model's constants alone (packed weights with their headers), which the
  // host may keep in a weight cache across starts. *filled: the memory
  // already holds what this node's Prepare wrote at an earlier start (same
  // model, ISAs, Ember version), so the op skips writing it. Called in the
  // same order at every start (the n-th call of a node is matched to the
  // n-th of the earlier start).
  virtual Status AllocatePersistentCached(int node_index, size_t bytes,
                                          void** out, bool* filled) {
    *filled = false;
    return AllocatePersistent(node_index, bytes, out);
  }
};

class OpContext {
 public:
  OpContext(OpHost* host, Tensor* tensors, Node* node, int node_index,
            bool preparing)
      : host_(host),
        tensors_(tensors),
        node_(node),
        node_index_(node_index),
        preparing_(preparing) {}

  int num_inputs() const { return node_->num_inputs; }
  int num_outputs() const { return node_->num_outputs; }
  int num_intermediates() const { return node_->num_intermediates; }
  // nullptr for an absent optional input (index -1) or i out of range.
  Tensor* input(int i) const {
    if (i < 0 || i >= node_->num_inputs || node_->inputs[i] < 0) return nullptr;
    return &tensors_[node_->inputs[i]];
  }
  Tensor* output(int i) const {
    if (i < 0 || i >= node_->num_outputs || node_->outputs[i] < 0)
      return nullptr;
    return &tensors_[node_->outputs[i]];
  }
  Tensor* intermediate(int i) const {
    if (i < 0 || i >= node_->num_intermediates || node_->intermediates[i] < 0)
      return nullptr;
    return &tensors_[node_->intermediates[i]];
  }
  int32_t input_index(int i) const { return node_->inputs[i]; }
  int32_t output_index(int i) const { return node_->outputs[i]; }

  const fb::Operator* op() const { return node_->op; }
  int32_t version() const { return node_->version; }
  int32_t builtin_code() const { return node_->builtin_code; }
  const char* op_name() const { return node_->reg ? node_->reg->name : "?"; }
  int node_index() const { return node_index_; }
  bool preparing() const { return preparing_; }
  // Raw custom_options bytes (may be empty).
  const uint8_t* custom_options(size_t* size) const;

  template <typename T>
  T* op_data() const {
    return static_cast<T*>(node_->op_data);
  }

  // Prepare only: reserve `bytes` of scratch for Eval; *index names it.
  Status RequestScratch(size_t bytes, int* index);
  // Eval only: the scratch reserved under `index` (64-byte aligned);
  // nullptr for an index nothing was reserved under (e.g. -1, "none").
  void* scratch(int index) const {
    return index >= 0 && static_cast<size_t>(index) < node_->scratch.size()
               ? node_->scratch[index].data
               : nullptr;
  }

  // Prepare: sets output i's shape (memory is planned afterwards).
  // Eval: only for outputs marked dynamic; allocates to fit.
  Status ResizeOutput(int i, const Shape& shape);
  // Prepare: declares that output i's shape is only known in Eval.
  void SetOutputDynamic(int i);

  // Formats an error prefixed with the op's name and position.
  Status Error(StatusCode code, const char* format, ...) const
      __attribute__((format(printf, 3, 4)));
  OpHost* host() const { return host_; }
  int num_threads() const { return host_->num_threads(); }
  ThreadPool* thread_pool() const { return host_->thread_pool(); }
  // Prepare: the ISAs this op may pick optimized kernels for.
  kernels::IsaSet allowed_isas() const { return host_->allowed_isas(); }
  // False when reference kernels are forced (then ops must not pick an
  // optimized variant, not even a portable one).
  bool optimized_kernels_allowed() const {
    return host_->allowed_isas().contains(kernels::Isa::kPortable);
  }
  // Prepare: records the kernel variant chosen (a static string).
  void SetKernelVariant(const char* variant) {
    node_->kernel_variant = variant;
  }
  // Prepare only: persistent per-node memory (see OpHost); the memory of
  // this node's earlier Prepare calls has been released.
  Status AllocatePersistent(size_t bytes, void** out) {
    return host_->AllocatePersistent(node_index_, bytes, out);
  }
  // Prepare only: see OpHost::AllocatePersistentCached.
  Status AllocatePersistentCached(size_t bytes, void** out, bool* filled) {
    return host_->AllocatePersistentCached(node_index_, bytes, out, filled);
  }
  Node* node() const { return node_; }

 private:
  OpHost* host_;
  Tensor* tensors_;
  Node* node_;
  int node_index_;
  bool preparing_;
};

}  // namespace ember
