// Custom options of the audio front-end ("Signal") ops and of
// TFLite_Detection_PostProcess: a FlexBuffers map of named scalars. Every
// lookup checks that the key exists, has the expected kind and lies in the
// accepted range, so malformed options fail Prepare with a message instead
// of reading garbage. Heap-free: only the read-only FlexBuffers accessors
// are used (the verifier runs without a reuse tracker).
#pragma once

// flexbuffers.h's string-to-number helpers reference a locale object that
// lives in libflatbuffers when FLATBUFFERS_LOCALE_INDEPENDENT is on (the
// default on Linux). Ember never parses numbers from strings and stays
// header-only, so select the plain C path. flatbuffers/util.h is only
// reached through flexbuffers.h, and every Ember file that includes it goes
// through this header first, so all translation units agree.
#ifdef FLATBUFFERS_LOCALE_INDEPENDENT
#undef FLATBUFFERS_LOCALE_INDEPENDENT
#endif
#define FLATBUFFERS_LOCALE_INDEPENDENT 0
#include <flatbuffers/flexbuffers.h>

#include <cstdint>

#include "runtime/op_context.h"

namespace ember::ops {

class SignalOptions {
 public:
  // Verifies the custom options bytes and opens the root map.
  Status Open(OpContext& ctx) {
    size_t size = 0;
    const uint8_t* data = ctx.custom_options(&size);
    if (data == nullptr || size < 3) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "missing custom options (expected a FlexBuffers map)");
    }
    flexbuffers::Verifier verifier(data, size, /*reuse_tracker=*/nullptr,
                                   /*check_alignment=*/false);
    if (!verifier.VerifyBuffer()) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom options are not a valid FlexBuffer");
    }
    const flexbuffers::Reference root = flexbuffers::GetRoot(data, size);
    if (!root.IsMap()) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom options are not a FlexBuffers map");
    }
    map_ = root.AsMap();
    return Status::Ok();
  }

  // An integer option in [lo, hi].
  Status Int(OpContext& ctx, const char* key, int64_t lo, int64_t hi,
             int64_t* out) const {
    const flexbuffers::Reference r = map_[key];
    if (r.IsNull()) {
      return ctx.Error(StatusCode::kInvalidModel, "custom option '%s' missing",
                       key);
    }
    int64_t v = 0;
    if (r.IsInt()) {
      v = r.AsInt64();
    } else if (r.IsUInt()) {
      const uint64_t u = r.AsUInt64();
      if (u > static_cast<uint64_t>(INT64_MAX)) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "custom option '%s' out of range", key);
      }
      v = static_cast<int64_t>(u);
    } else {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option '%s' must be an integer", key);
    }
    if (v < lo || v > hi) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option '%s' = %lld outside [%lld, %lld]", key,
                       static_cast<long long>(v), static_cast<long long>(lo),
                       static_cast<long long>(hi));
    }
    *out = v;
    return Status::Ok();
  }
  Status Int32(OpContext& ctx, const char* key, int64_t lo, int64_t hi,
               int32_t* out) const {
    int64_t v = 0;
    EMBER_RETURN_IF_ERROR(Int(ctx, key, lo, hi, &v));
    *out = static_cast<int32_t>(v);
    return Status::Ok();
  }

  // A boolean option (an integer 0/1 is accepted too).
  Status Bool(OpContext& ctx, const char* key, bool* out) const {
    const flexbuffers::Reference r = map_[key];
    if (r.IsNull()) {
      return ctx.Error(StatusCode::kInvalidModel, "custom option '%s' missing",
                       key);
    }
    if (r.IsBool()) {
      *out = r.AsBool();
      return Status::Ok();
    }
    if ((r.IsInt() || r.IsUInt()) && r.AsUInt64() <= 1) {
      *out = r.AsUInt64() == 1;
      return Status::Ok();
    }
    return ctx.Error(StatusCode::kInvalidModel,
                     "custom option '%s' must be a boolean", key);
  }

  // A finite number option in [lo, hi] (an integer is accepted too).
  Status Float(OpContext& ctx, const char* key, double lo, double hi,
               float* out) const {
    const flexbuffers::Reference r = map_[key];
    if (r.IsNull()) {
      return ctx.Error(StatusCode::kInvalidModel, "custom option '%s' missing",
                       key);
    }
    if (!r.IsFloat() && !r.IsInt() && !r.IsUInt()) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option '%s' must be a number", key);
    }
    const double v = r.IsFloat() ? r.AsDouble()
                     : r.IsInt() ? static_cast<double>(r.AsInt64())
                                 : static_cast<double>(r.AsUInt64());
    if (!(v >= lo && v <= hi)) {  // also rejects NaN
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option '%s' = %g outside [%g, %g]", key, v, lo,
                       hi);
    }
    *out = static_cast<float>(v);
    return Status::Ok();
  }

  // Whether the map has `key` (for options with a documented default).
  bool Has(const char* key) const { return !map_[key].IsNull(); }
  // The opened map, for options of other shapes (vectors, strings).
  const flexbuffers::Map& map() const { return map_; }

 private:
  flexbuffers::Map map_ = flexbuffers::Map::EmptyMap();
};

// Checks a Signal op tensor's type and (when rank >= 0) its rank.
inline Status CheckSignalTensor(OpContext& ctx, const Tensor* t,
                                const char* what, DataType type, int rank) {
  if (t == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "%s tensor is missing", what);
  }
  if (t->type != type) {
    return ctx.Error(StatusCode::kInvalidModel, "%s must be %s, got %s", what,
                     DataTypeName(type), DataTypeName(t->type));
  }
  if (rank >= 0 && t->shape.rank != rank) {
    return ctx.Error(StatusCode::kInvalidModel, "%s must have rank %d, got %d",
                     what, rank, static_cast<int>(t->shape.rank));
  }
  return Status::Ok();
}

// Largest channel count of the stateful filter-bank ops (their state lives
// in fixed-size op data).
constexpr int kMaxSignalChannels = 512;

}  // namespace ember::ops
