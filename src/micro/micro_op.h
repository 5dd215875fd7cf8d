// One micro op: a Prepare run once by AllocateTensors (checks the node and
// asks for scratch memory) and an Eval run by every Invoke. Registrations
// are constant-initialized aggregates (no static constructors); an op's
// code is linked only when its resolver Add*() is called.
#pragma once

#include <cstdint>

#include "micro/micro_error.h"

namespace ember::micro {

class MicroContext;

enum MicroOpFlags : uint32_t {
  kMicroOpNone = 0,
  // Output 0 may share input 0's memory (same bytes, no computation that
  // reads the input after writing the output): RESHAPE.
  kMicroOpAliasInput0 = 1u << 0,
  // Output 0 may be computed in place over input 0 when input 0 is not used
  // afterwards (each element read before it is written).
  kMicroOpInPlaceInput0 = 1u << 1,
  // The node's persistent buffer (MicroContext::AllocatePersistent) holds
  // running state that Reset() sets back to zero (noise estimates).
  kMicroOpZeroPersistentOnReset = 1u << 2,
};

// A custom op (builtin_code CUSTOM) is matched by `name`, which must equal
// the model's custom_code ("SignalWindow", ...).
struct MicroOpRegistration {
  int32_t builtin_code;
  const char* name;
  MicroStatus (*prepare)(MicroContext& ctx);
  MicroStatus (*eval)(MicroContext& ctx);
  uint32_t flags;
};

}  // namespace ember::micro
