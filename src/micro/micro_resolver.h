// The op resolver of the micro runtime: a fixed number of slots chosen by
// the application (MicroOpResolver<N>), filled by Add*() calls. Only the ops
// added are linked. No heap, no virtual functions, constant-initializable.
#pragma once

#include <cstdint>
#include <cstring>

#include "micro/micro_error.h"
#include "micro/micro_op.h"
#include "micro/micro_ops.h"
#include "micro/micro_schema.h"

namespace ember::micro {

class MicroOpResolverBase {
 public:
  static constexpr int32_t kCustomCode =
      static_cast<int32_t>(fb::BuiltinOperator::CUSTOM);

  // The registration for `builtin_code` (for CUSTOM, the one named
  // `custom_code`), or nullptr.
  const MicroOpRegistration* Find(int32_t builtin_code,
                                  const char* custom_code = nullptr) const {
    for (int32_t i = 0; i < count_; ++i) {
      if (slots_[i]->builtin_code != builtin_code) continue;
      if (builtin_code != kCustomCode) return slots_[i];
      if (custom_code != nullptr &&
          std::strcmp(slots_[i]->name, custom_code) == 0)
        return slots_[i];
    }
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
  MicroStatus AddCast() { return Add(&kMicroCast); }
  MicroStatus AddConcatenation() { return Add(&kMicroConcatenation); }
  MicroStatus AddDiv() { return Add(&kMicroDiv); }
  MicroStatus AddMaximum() { return Add(&kMicroMaximum); }
  MicroStatus AddMinimum() { return Add(&kMicroMinimum); }
  MicroStatus AddStridedSlice() { return Add(&kMicroStridedSlice); }
  // The TFLM signal library's audio front-end custom ops.
  MicroStatus AddSignalWindow() { return Add(&kMicroSignalWindow); }
  MicroStatus AddSignalFftAutoScale() { return Add(&kMicroSignalFftAutoScale); }
  MicroStatus AddSignalRfft() { return Add(&kMicroSignalRfft); }
  MicroStatus AddSignalEnergy() { return Add(&kMicroSignalEnergy); }
  MicroStatus AddSignalFilterBank() { return Add(&kMicroSignalFilterBank); }
  MicroStatus AddSignalFilterBankSquareRoot() {
    return Add(&kMicroSignalFilterBankSquareRoot);
  }
  MicroStatus AddSignalFilterBankSpectralSubtraction() {
    return Add(&kMicroSignalFilterBankSpectralSubtraction);
  }
  MicroStatus AddSignalFilterBankLog() {
    return Add(&kMicroSignalFilterBankLog);
  }
  MicroStatus AddSignalPCAN() { return Add(&kMicroSignalPCAN); }

  // Any registration (an application's own op). Adding an op twice is a
  // no-op; a full resolver answers kInvalidArgument.
  MicroStatus Add(const MicroOpRegistration* reg) {
    if (Find(reg->builtin_code, reg->name) != nullptr) return MicroStatus::kOk;
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
