#include "kernels/drivers/softmax_s8.h"

namespace ember::x86 {

// Declares every function of the list.
#define EMBER_SOFTMAX8(isa, fn, label) \
  std::remove_pointer_t<Softmax8OutRowFn> fn;
#include "kernels/drivers/softmax_s8_kernels.def"
#undef EMBER_SOFTMAX8

void Softmax8OutRowPortable(const int32_t* exp, const int8_t* x, int8_t* y,
                            int32_t depth, int32_t max, int32_t reciprocal,
                            int32_t exponent) {
  for (int32_t c = 0; c < depth; ++c) {
    const int32_t prob = ref::SaturatingRoundingDoublingHighMul(
        reciprocal, exp[max - static_cast<int32_t>(x[c])]);
    const int32_t v = ref::RoundingDivideByPOT(prob, exponent) - 128;
    y[c] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
  }
}

std::span<const Softmax8Kernel> Softmax8Kernels() {
  static const Softmax8Kernel kList[] = {
#define EMBER_SOFTMAX8(isa, fn, label) {kernels::Isa::isa, #fn, label, fn},
#include "kernels/drivers/softmax_s8_kernels.def"
#undef EMBER_SOFTMAX8
      {}};
  return kernels::ListWithoutEnd(kList);
}

}  // namespace ember::x86
