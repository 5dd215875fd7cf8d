#include "kernels/drivers/dwconv_s16.h"

#include <algorithm>

#include "kernels/drivers/conv_f32.h"

namespace ember::x86 {
namespace {

// sum[c] += x[c] * w[c] over n channels (depth multiplier 1).
inline void MulAdd(const int16_t* __restrict x, const int8_t* __restrict w,
                   int32_t n, int32_t* __restrict sum) {
  for (int32_t c = 0; c < n; ++c)
    sum[c] += static_cast<int32_t>(x[c]) * static_cast<int32_t>(w[c]);
}

}  // namespace

void RunDwConvS16(ThreadPool* pool, int slots, const ref::DepthwiseShape& s,
                  const int16_t* input, const int8_t* filter,
                  const int64_t* bias, const ref::QuantizedOutput& q,
                  int16_t* output, uint8_t* scratch) {
  const int32_t dm = s.depth_multiplier;
  const int32_t out_c = s.in_c * dm;
  const int64_t rows = static_cast<int64_t>(s.batches) * s.out_h;
  const int64_t macs =
      rows * s.out_w * out_c * static_cast<int64_t>(s.filter_h) * s.filter_w;
  const int tasks =
      MacTasks(pool, macs, std::min<int64_t>(rows, slots), kMinMacsPerTask / 4);
  const size_t stride = DwConvS16SlotBytes(s);
  ParallelTasks(pool, rows, tasks, [&](int64_t r0, int64_t r1, int slot) {
    auto* sum = reinterpret_cast<int32_t*>(scratch + slot * stride);
    for (int64_t row = r0; row < r1; ++row) {
      const int32_t b = static_cast<int32_t>(row / s.out_h);
      const int32_t oy = static_cast<int32_t>(row % s.out_h);
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        std::fill(sum, sum + out_c, 0);
        for (int32_t ky = 0; ky < s.filter_h; ++ky) {
          const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (int32_t kx = 0; kx < s.filter_w; ++kx) {
            const int32_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const int16_t* x =
                input +
                ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) *
                    s.in_c;
            const int8_t* w =
                filter + (static_cast<int64_t>(ky) * s.filter_w + kx) * out_c;
            if (dm == 1) {
              MulAdd(x, w, out_c, sum);
            } else {
              for (int32_t ic = 0; ic < s.in_c; ++ic)
                for (int32_t m = 0; m < dm; ++m)
                  sum[ic * dm + m] += static_cast<int32_t>(x[ic]) *
                                      static_cast<int32_t>(w[ic * dm + m]);
            }
          }
        }
        int16_t* out = output + (row * s.out_w + ox) * out_c;
        for (int32_t oc = 0; oc < out_c; ++oc) {
          int64_t acc = sum[oc];
          if (bias) acc += bias[oc];
          out[oc] = static_cast<int16_t>(
              ref::Requantize(acc, q.multiplier[oc], q.shift[oc],
                              q.output_offset, q.act_lo, q.act_hi));
        }
      }
    }
  });
}

}  // namespace ember::x86
