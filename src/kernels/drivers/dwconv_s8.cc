#include "kernels/drivers/dwconv_s8.h"

#include "kernels/drivers/conv_f32.h"  // ParallelTasks

namespace ember::x86 {

void PackDwConvS8(const int8_t* filter, const int32_t* bias,
                  const int32_t* multiplier, const int32_t* shift, int32_t taps,
                  int32_t channels, int32_t input_zero_point, int32_t* packed) {
  const int32_t cp = DwS8PaddedChannels(channels);
  int32_t* weights = packed;
  int32_t* bias_out = weights + static_cast<int64_t>(taps) * cp;
  int32_t* mult_out = bias_out + cp;
  int32_t* left_out = mult_out + cp;
  int32_t* right_out = left_out + cp;
  for (int32_t c = 0; c < cp; ++c) {
    const bool real = c < channels;
    // Unsigned arithmetic: the reference's int32 sums wrap the same way.
    uint32_t sum = 0;
    for (int32_t t = 0; t < taps; ++t) {
      const int32_t w =
          real ? filter[static_cast<int64_t>(t) * channels + c] : 0;
      weights[static_cast<int64_t>(t) * cp + c] =
          static_cast<int32_t>(static_cast<uint16_t>(static_cast<int16_t>(w)));
      sum += static_cast<uint32_t>(w);
    }
    const uint32_t b = real && bias ? static_cast<uint32_t>(bias[c]) : 0u;
    bias_out[c] =
        static_cast<int32_t>(b - static_cast<uint32_t>(input_zero_point) * sum);
    mult_out[c] = real ? multiplier[c] : 0;
    const int32_t s = real ? shift[c] : 0;
    left_out[c] = s > 0 ? s : 0;
    right_out[c] = s > 0 ? 0 : -s;
  }
}

void RunDwConvS8(ThreadPool* pool, DwConvS8Fn fn, const DwConvS8Args& args) {
  const int64_t rows = static_cast<int64_t>(args.batches) * args.out_h;
  const int64_t macs = rows * args.out_w * args.channels * args.filter_h *
                       static_cast<int64_t>(args.filter_w);
  ParallelTasks(pool, rows, MacTasks(pool, macs, rows, kMinDwMacsPerTask),
                [&](int64_t r0, int64_t r1, int) { fn(args, r0, r1); });
}

std::span<const DwConvS8Kernel> DwConvS8Kernels() {
  static const DwConvS8Kernel kList[] = {
#define EMBER_DWCONV_S8(isa, fn, label) {kernels::Isa::isa, #fn, label, fn},
#include "kernels/drivers/dwconv_s8_kernels.def"
#undef EMBER_DWCONV_S8
      {}};
  return kernels::ListWithoutEnd(kList);
}

}  // namespace ember::x86
