// What a micro op sees of the interpreter while it prepares or runs one
// node: its tensors (views built in place from the model), its options and
// at most one scratch buffer, planned in the arena with the node's
// lifetime.
#pragma once

#include <cstddef>
#include <cstdint>

#include "micro/micro_error.h"
#include "micro/micro_tensor.h"

namespace ember::micro {

class MicroInterpreter;

class MicroContext {
 public:
  MicroContext(MicroInterpreter* interp, int32_t node_index,
               const fb::Operator* op)
      : interp_(interp), node_(node_index), op_(op) {}

  const fb::Operator* op() const { return op_; }
  int32_t node_index() const { return node_; }
  int32_t num_inputs() const {
    return op_->inputs() ? static_cast<int32_t>(op_->inputs()->size()) : 0;
  }
  int32_t num_outputs() const {
    return op_->outputs() ? static_cast<int32_t>(op_->outputs()->size()) : 0;
  }
  // False for an absent optional input (index -1) or i past the end.
  bool has_input(int32_t i) const {
    return i < num_inputs() && op_->inputs()->Get(i) >= 0;
  }
  MicroTensor input(int32_t i) const;
  MicroTensor output(int32_t i) const;

  // Prepare only: asks for `bytes` of scratch memory live during this node.
  MicroStatus RequestScratch(size_t bytes);
  // Eval only: the scratch buffer requested in Prepare (16-byte aligned).
  void* scratch() const;
  // Prepare only: `bytes` in the arena's persistent tail, kept for the
  // interpreter's life (op state: FFT tables, noise estimates), 16-byte
  // aligned and zeroed; nullptr (an error reported) when it does not fit.
  void* AllocatePersistent(size_t bytes);
  // Eval: the node's persistent buffer (nullptr if none).
  void* persistent() const;
  // The node's custom options bytes (nullptr and 0 if none).
  const uint8_t* custom_options(size_t* size) const;

  // Reports an error about this node and returns `status`.
  MicroStatus Error(MicroStatus status, const char* message,
                    int32_t tensor_index = -1) const;

 private:
  MicroInterpreter* interp_;
  int32_t node_;
  const fb::Operator* op_;
};

}  // namespace ember::micro
