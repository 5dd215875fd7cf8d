// Helpers of the micro signal ops (op_signal_*.cc): option lookups and
// tensor checks that report a fixed message naming what is wrong.
#pragma once

#include <cstdint>

#include "micro/micro_flex.h"
#include "micro/micro_op_util.h"

namespace ember::micro {

inline MicroStatus OpenSignalOptions(MicroContext& ctx, MicroFlexMap* map) {
  size_t size = 0;
  const uint8_t* data = ctx.custom_options(&size);
  if (!map->Open(data, size)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("custom options are missing or not a "
                                     "FlexBuffers map"));
  }
  return MicroStatus::kOk;
}

// `t` has element type `type` and, when rank >= 0, that rank.
inline MicroStatus CheckSignalTensor(MicroContext& ctx, const MicroTensor& t,
                                     fb::TensorType type, int32_t rank) {
  if (t.index < 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("signal op tensor missing"));
  }
  if (t.type != type || (rank >= 0 && t.rank != rank)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("signal op tensor has the wrong type or "
                                     "rank"),
                     t.index);
  }
  return MicroStatus::kOk;
}

inline MicroStatus CheckArity(MicroContext& ctx, int32_t inputs,
                              int32_t outputs) {
  if (ctx.num_inputs() != inputs || ctx.num_outputs() != outputs) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("signal op has the wrong number of "
                                     "inputs or outputs"));
  }
  for (int32_t i = 0; i < inputs; ++i) {
    if (!ctx.has_input(i)) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("signal op input missing"));
    }
  }
  return MicroStatus::kOk;
}

}  // namespace ember::micro

// Reads integer option `key` in [lo, hi] into `out`, or returns an error
// naming the key.
#define EMBER_MICRO_SIGNAL_INT(ctx, map, key, lo, hi, out)                     \
  do {                                                                         \
    if (!(map).Int(key, lo, hi, out)) {                                        \
      return (ctx).Error(                                                      \
          ::ember::micro::MicroStatus::kInvalidModel,                          \
          EMBER_MICRO_MSG("custom option '" key "' missing or out of range")); \
    }                                                                          \
  } while (0)
