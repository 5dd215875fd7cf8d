// Status codes and error reporting of the micro runtime. No heap, no
// formatting: an error is a code, a fixed message and the op / tensor it is
// about, handed to the caller's callback. Building with
// EMBER_MICRO_NO_MESSAGES replaces every message string with "" so that
// none of them lands in flash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::micro {

enum class MicroStatus : int32_t {
  kOk = 0,
  kInvalidModel,     // malformed, truncated or inconsistent model
  kUnsupported,      // valid model using something this runtime lacks
  kMissingOp,        // op not added to the resolver
  kArenaTooSmall,    // the plan does not fit the caller's arena
  kNotAllocated,     // Invoke / input / output before AllocateTensors
  kInvalidArgument,  // bad index or argument from the caller
  kUntrustedModel    // signature required but missing or wrong
};

// Short name of a status ("arena too small", ...).
const char* MicroStatusName(MicroStatus status);

struct MicroError {
  MicroStatus status = MicroStatus::kOk;
  const char* message = "";
  int32_t op_index = -1;      // node the error is about, or -1
  int32_t tensor_index = -1;  // tensor the error is about, or -1
  int32_t builtin_code = -1;  // op code (missing op), or -1
  size_t needed_bytes = 0;    // arena too small: bytes the plan needs
  size_t available_bytes = 0;
};

using MicroErrorCallback = void (*)(void* user, const MicroError& error);

}  // namespace ember::micro

#ifdef EMBER_MICRO_NO_MESSAGES
#define EMBER_MICRO_MSG(text) ""
#else
#define EMBER_MICRO_MSG(text) text
#endif

#define EMBER_MICRO_RETURN_IF_ERROR(expr)                     \
  do {                                                        \
    const ::ember::micro::MicroStatus micro_status_ = (expr); \
    if (micro_status_ != ::ember::micro::MicroStatus::kOk)    \
      return micro_status_;                                   \
  } while (0)
