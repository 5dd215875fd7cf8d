#include "kernels/drivers/conv_f32.h"

#include <cstring>

#include "kernels/drivers/arm_kernels.h"

namespace ember::x86 {

void RunGemmF32(ThreadPool* pool, const GemmF32Kernel& kernel,
                const GemmF32Args& args) {
  const int threads = pool ? pool->num_threads() : 1;
  const int64_t row_tiles = (args.m + kernel.mr - 1) / kernel.mr;
  const int32_t panels = GemmPanels(args.n, kernel.nr);
  if (threads <= 1) {
    kernel.fn(args, 0, args.m, 0, panels);
    return;
  }
  if (row_tiles >= 4 * threads || row_tiles >= panels) {
    ParallelTasks(pool, row_tiles, threads, [&](int64_t t0, int64_t t1, int) {
      kernel.fn(args, t0 * kernel.mr, std::min(args.m, t1 * kernel.mr), 0,
                panels);
    });
  } else {
    ParallelTasks(pool, panels, threads, [&](int64_t p0, int64_t p1, int) {
      kernel.fn(args, 0, args.m, static_cast<int32_t>(p0),
                static_cast<int32_t>(p1));
    });
  }
}

namespace {

// Writes rows [m0, m1) of the im2col matrix (row = output pixel over all
// batches, columns = (ky, kx, ic) for the filter_in_c input channels from
// `channel0` on) to dst; padding taps are zeros.
void Im2col(const ref::ConvShape& s, const float* input, int32_t channel0,
            int64_t m0, int64_t m1, float* dst) {
  const int32_t ch = s.filter_in_c;
  const int64_t k = static_cast<int64_t>(s.filter_h) * s.filter_w * ch;
  const size_t px_bytes = sizeof(float) * static_cast<size_t>(ch);
  input += channel0;
  for (int64_t m = m0; m < m1; ++m) {
    const int32_t ox = static_cast<int32_t>(m % s.out_w);
    const int64_t rest = m / s.out_w;
    const int32_t oy = static_cast<int32_t>(rest % s.out_h);
    const int32_t b = static_cast<int32_t>(rest / s.out_h);
    float* row = dst + (m - m0) * k;
    const int32_t ix0 = ox * s.stride_w - s.pad_left;
    // With no dilation and no groups, a row's taps are contiguous pixels of
    // the input.
    const bool row_inside = ch == s.in_c && s.dilation_w == 1 && ix0 >= 0 &&
                            ix0 + s.filter_w <= s.in_w;
    for (int32_t ky = 0; ky < s.filter_h; ++ky) {
      const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
      if (row_inside && iy >= 0 && iy < s.in_h) {
        std::memcpy(
            row + static_cast<int64_t>(ky) * s.filter_w * ch,
            input + ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix0) *
                        s.in_c,
            px_bytes * s.filter_w);
        continue;
      }
      for (int32_t kx = 0; kx < s.filter_w; ++kx) {
        const int32_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
        float* d = row + (static_cast<int64_t>(ky) * s.filter_w + kx) * ch;
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
  const int32_t groups = s.in_c / s.filter_in_c;
  const int32_t group_n = s.out_c / groups;
  const int64_t k =
      static_cast<int64_t>(s.filter_h) * s.filter_w * s.filter_in_c;
  const int64_t m = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  const int64_t blocks = (m + kIm2colRows - 1) / kIm2colRows;
  const int32_t panels = GemmPanels(group_n, kernel.nr);
  const int64_t group_floats = static_cast<int64_t>(
      PackedGemmWeightsBytes(group_n, static_cast<int32_t>(k), kernel.nr) /
      sizeof(float));
  // Tasks are (row block, group), block-major: a worker's consecutive
  // groups read the same input pixels.
  ParallelTasks(
      pool, blocks * groups, max_slots, [&](int64_t t0, int64_t t1, int slot) {
        float* buf = scratch + static_cast<int64_t>(slot) * kIm2colRows * k;
        for (int64_t task = t0; task < t1; ++task) {
          const int64_t blk = task / groups;
          const int32_t g = static_cast<int32_t>(task % groups);
          const int64_t m0 = blk * kIm2colRows;
          const int64_t m1 = std::min(m, m0 + kIm2colRows);
          Im2col(s, input, g * s.filter_in_c, m0, m1, buf);
          GemmF32Args a;
          a.m = m1 - m0;
          a.n = group_n;
          a.k = static_cast<int32_t>(k);
          a.a = buf;
          a.lda = k;
          a.packed = packed + g * group_floats;
          a.c = output + m0 * s.out_c + static_cast<int64_t>(g) * group_n;
          a.ldc = s.out_c;
          a.lo = lo;
          a.hi = hi;
          kernel.fn(a, 0, a.m, 0, panels);
        }
      });
}

void RunDwConvF32(ThreadPool* pool, DwConvF32Fn fn, const DwConvF32Args& args) {
  const int64_t rows = static_cast<int64_t>(args.batches) * args.out_h;
  const int threads = pool ? pool->num_threads() : 1;
  ParallelTasks(pool, rows, threads,
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
