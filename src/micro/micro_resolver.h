// The op resolver of the micro runtime: a fixed number of slots chosen by
// the application (MicroOpResolver<N>), filled by Add*() calls. Only the ops
// added are linked. No heap, no virtual functions, constant-initializable.
#pragma once

#include <cstdint>

#include "micro/micro_error.h"
#include "micro/micro_op.h"
#include "micro/micro_ops.h"

namespace ember::micro {

class MicroOpResolverBase {
 public:
  // The registration for `builtin_code`, or nullptr.
  const MicroOpRegistration* Find(int32_t builtin_code) const {
    for (int32_t i = 0; i < count_; ++i)
      if (slots_[i]->builtin_code == builtin_code) return slots_[i];
    return nullptr;
  }
  int32_t size() const { return count_; }

  MicroStatus AddAdd() { return Add(&kMicroAdd); }
  MicroStatus AddAveragePool2D() { return Add(&kMicroAveragePool2D); }
  MicroStatus AddConv2D() { return Add(&kMicroConv2D); }
  MicroStatus AddDepthwiseConv2D() { return Add(&kMicroDepthwiseConv2D); }
  MicroStatus AddDequantize() { return Add(&kMicroDequantize); }
  MicroStatus AddFullyConnected() { return Add(&kMicroFullyConnected); }
  MicroStatus AddMaxPool2D() { return Add(&kMicroMaxPool2D); }
  MicroStatus AddMul() { return Add(&kMicroMul); }
  MicroStatus AddQuantize() { return Add(&kMicroQuantize); }
  MicroStatus AddReshape() { return Add(&kMicroReshape); }
  MicroStatus AddSoftmax() { return Add(&kMicroSoftmax); }
  MicroStatus AddSvdf() { return Add(&kMicroSvdf); }

  // Any registration (an application's own op). Adding an op twice is a
  // no-op; a full resolver answers kInvalidArgument.
  MicroStatus Add(const MicroOpRegistration* reg) {
    if (Find(reg->builtin_code) != nullptr) return MicroStatus::kOk;
    if (count_ >= capacity_) return MicroStatus::kInvalidArgument;
    slots_[count_++] = reg;
    return MicroStatus::kOk;
  }

 protected:
  constexpr MicroOpResolverBase(const MicroOpRegistration** slots,
                                int32_t capacity)
      : slots_(slots), capacity_(capacity) {}

 private:
  const MicroOpRegistration** slots_;
  int32_t capacity_;
  int32_t count_ = 0;
};

template <int32_t kCapacity>
class MicroOpResolver : public MicroOpResolverBase {
 public:
  constexpr MicroOpResolver() : MicroOpResolverBase(slots_, kCapacity) {}
  MicroOpResolver(const MicroOpResolver&) = delete;
  MicroOpResolver& operator=(const MicroOpResolver&) = delete;

 private:
  const MicroOpRegistration* slots_[kCapacity] = {};
};

}  // namespace ember::micro
