// How an op plugs into the runtime: a plain table of function pointers,
// built from src/ops/ops.def (no static constructors).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.h"

namespace ember {

class OpContext;

enum OpFlags : uint32_t {
  kOpFlagNone = 0,
  // Output 0 may share input 0's memory when input 0 dies at this op and
  // both have the same byte size (reshape-like ops: no copy at all).
  kOpFlagOutputAliasesInput0 = 1u << 0,
  // The kernel is correct when output 0 and input 0 are the same buffer
  // (element-wise ops); the planner may place them together.
  kOpFlagInPlaceInput0 = 1u << 1,
};

struct OpRegistration {
  int32_t builtin_code;  // fb::BuiltinOperator value, or -1 for custom ops
  const char* name;      // builtin name, or the custom code
  size_t op_data_size;   // bytes of per-node state, zero-initialised
  // Validates inputs, sets output shapes/types, precomputes into op data,
  // requests scratch. Runs at allocate time and after every resize.
  Status (*prepare)(OpContext& ctx);
  // Computes. No allocation, no validation beyond data-dependent indices.
  Status (*eval)(OpContext& ctx);
  uint32_t flags;
  // Optional: clears per-node state kept in op data (e.g. a running noise
  // estimate). Called by ResetVariables(); nullptr for stateless ops.
  void (*reset)(void* op_data) = nullptr;
};

}  // namespace ember
