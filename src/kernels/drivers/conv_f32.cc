#include "kernels/drivers/conv_f32.h"

#include <cstring>

#include "kernels/drivers/arm_kernels.h"

namespace ember::x86 {

void RunGemmF32(ThreadPool* pool, const GemmF32Kernel& kernel,
                const GemmF32Args& args) {
  const int64_t row_tiles = (args.m + kernel.mr - 1) / kernel.mr;
  const int32_t panels = GemmPanels(args.n, kernel.nr);
  const int64_t macs = args.m * args.n * static_cast<int64_t>(args.k);
  const int tasks = MacTasks(pool, macs, std::max<int64_t>(row_tiles, panels));
  if (tasks <= 1) {
    kernel.fn(args, 0, args.m, 0, panels);
    return;
  }
  if (ChooseSplitAxis(row_tiles, panels, tasks) == SplitAxis::kRows) {
    ParallelTasks(pool, row_tiles, tasks, [&](int64_t t0, int64_t t1, int) {
      kernel.fn(args, t0 * kernel.mr, std::min(args.m, t1 * kernel.mr), 0,
                panels);
    });
  } else {
    ParallelTasks(pool, panels, tasks, [&](int64_t p0, int64_t p1, int) {
      kernel.fn(args, 0, args.m, static_cast<int32_t>(p0),
                static_cast<int32_t>(p1));
    });
  }
}

namespace {

// Writes rows [m0, m1) of the im2col matrix (row = output pixel over all
// batches, columns = (ky, kx, ic)) to dst; padding taps are zeros.
void Im2col(const ref::ConvShape& s, const float* input, int64_t m0, int64_t m1,
            float* dst) {
  const int64_t k = static_cast<int64_t>(s.filter_h) * s.filter_w * s.in_c;
  const size_t px_bytes = sizeof(float) * static_cast<size_t>(s.in_c);
  for (int64_t m = m0; m < m1; ++m) {
    const int32_t ox = static_cast<int32_t>(m % s.out_w);
    const int64_t rest = m / s.out_w;
    const int32_t oy = static_cast<int32_t>(rest % s.out_h);
    const int32_t b = static_cast<int32_t>(rest / s.out_h);
    float* row = dst + (m - m0) * k;
    const int32_t ix0 = ox * s.stride_w - s.pad_left;
    // With no dilation, a row's taps are contiguous pixels of the input.
    const bool row_inside =
        s.dilation_w == 1 && ix0 >= 0 && ix0 + s.filter_w <= s.in_w;
    for (int32_t ky = 0; ky < s.filter_h; ++ky) {
      const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
      if (row_inside && iy >= 0 && iy < s.in_h) {
        std::memcpy(
            row + static_cast<int64_t>(ky) * s.filter_w * s.in_c,
            input + ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix0) *
                        s.in_c,
            px_bytes * s.filter_w);
        continue;
      }
      for (int32_t kx = 0; kx < s.filter_w; ++kx) {
        const int32_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
        float* d = row + (static_cast<int64_t>(ky) * s.filter_w + kx) * s.in_c;
        if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) {
          std::memset(d, 0, px_bytes);
        } else {
          std::memcpy(
              d,
              input + ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) *
                          s.in_c,
              px_bytes);
        }
      }
    }
  }
}

}  // namespace

void RunConvIm2colF32(ThreadPool* pool, int max_slots,
                      const GemmF32Kernel& kernel, const ref::ConvShape& s,
                      const float* input, const float* packed, float lo,
                      float hi, float* scratch, float* output) {
  const int64_t k = static_cast<int64_t>(s.filter_h) * s.filter_w * s.in_c;
  const int64_t m = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  const int64_t blocks = (m + kIm2colRows - 1) / kIm2colRows;
  const int32_t panels = GemmPanels(s.out_c, kernel.nr);
  const int tasks = MacTasks(pool, m * k * s.out_c,
                             std::min<int64_t>(blocks, std::max(max_slots, 1)));
  ParallelTasks(pool, blocks, tasks, [&](int64_t b0, int64_t b1, int slot) {
    float* buf = scratch + static_cast<int64_t>(slot) * kIm2colRows * k;
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t m0 = blk * kIm2colRows;
      const int64_t m1 = std::min(m, m0 + kIm2colRows);
      Im2col(s, input, m0, m1, buf);
      GemmF32Args g;
      g.m = m1 - m0;
      g.n = s.out_c;
      g.k = static_cast<int32_t>(k);
      g.a = buf;
      g.lda = k;
      g.packed = packed;
      g.c = output + m0 * s.out_c;
      g.ldc = s.out_c;
      g.lo = lo;
      g.hi = hi;
      kernel.fn(g, 0, g.m, 0, panels);
    }
  });
}

void RunDwConvF32(ThreadPool* pool, DwConvF32Fn fn, const DwConvF32Args& args) {
  const int64_t rows = static_cast<int64_t>(args.batches) * args.out_h;
  const int64_t macs = rows * args.out_w * args.channels * args.filter_h *
                       static_cast<int64_t>(args.filter_w);
  ParallelTasks(pool, rows, MacTasks(pool, macs, rows, kMinDwMacsPerTask),
                [&](int64_t r0, int64_t r1, int) { fn(args, r0, r1); });
}

std::span<const DwConvF32Kernel> DwConvF32Kernels() {
  static const DwConvF32Kernel kList[] = {
#define EMBER_DWCONV_F32(isa, fn, label, hybrid_label) \
  {kernels::Isa::isa, #fn, label, hybrid_label, fn},
#include "kernels/drivers/dwconv_f32_kernels.def"
#undef EMBER_DWCONV_F32
      {}};
  return kernels::ListWithoutEnd(kList);
}

}  // namespace ember::x86
