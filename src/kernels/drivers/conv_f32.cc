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
// Ungrouped convolutions only.
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

// Copies one pixel's `n` channels of one group. Groups have few channels
// (8..48 floats per tap): fixed-size pieces compile to vector moves, where
// a memcpy call per tap would cost more than the copy.
inline void CopyChannels(float* dst, const float* src, int32_t n) {
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) std::memcpy(dst + i, src + i, 8 * sizeof(float));
  for (; i < n; ++i) dst[i] = src[i];
}

// Grouped: the im2col matrices of groups [g0, g1) for rows [m0, m1) in one
// pass over the input (each tap's pixel is read once, its channels dealt
// to the groups): group g's matrix (columns (ky, kx, its filter_in_c
// channels)) starts (g - g0) * group_floats into dst.
void Im2colGroups(const ref::ConvShape& s, const float* input, int32_t g0,
                  int32_t g1, int64_t m0, int64_t m1, int64_t group_floats,
                  float* dst) {
  const int32_t ch = s.filter_in_c;
  const int64_t k = static_cast<int64_t>(s.filter_h) * s.filter_w * ch;
  input += static_cast<int64_t>(g0) * ch;
  for (int64_t m = m0; m < m1; ++m) {
    const int32_t ox = static_cast<int32_t>(m % s.out_w);
    const int64_t rest = m / s.out_w;
    const int32_t oy = static_cast<int32_t>(rest % s.out_h);
    const int32_t b = static_cast<int32_t>(rest / s.out_h);
    float* row = dst + (m - m0) * k;
    for (int32_t ky = 0; ky < s.filter_h; ++ky) {
      const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
      for (int32_t kx = 0; kx < s.filter_w; ++kx) {
        const int32_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
        float* d = row + (static_cast<int64_t>(ky) * s.filter_w + kx) * ch;
        if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) {
          for (int32_t g = g0; g < g1; ++g)
            std::memset(d + (g - g0) * group_floats, 0, sizeof(float) * ch);
          continue;
        }
        const float* src =
            input +
            ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) * s.in_c;
        for (int32_t g = g0; g < g1; ++g)
          CopyChannels(d + (g - g0) * group_floats, src + (g - g0) * ch, ch);
      }
    }
  }
}

void RunConvIm2colGroupedF32(ThreadPool* pool, int max_slots,
                             const GemmF32Kernel& kernel,
                             const ref::ConvShape& s, const float* input,
                             const float* packed, float lo, float hi,
                             float* scratch, float* output) {
  const int32_t groups = s.in_c / s.filter_in_c;
  const int32_t group_n = s.out_c / groups;
  const int64_t k =
      static_cast<int64_t>(s.filter_h) * s.filter_w * s.filter_in_c;
  const int64_t m = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  // Smaller row blocks than ungrouped: every group's matrix of a block
  // stays in L1/L2 between its im2col and its GEMM.
  const int64_t rows = kIm2colGroupedRows;
  const int64_t blocks = (m + rows - 1) / rows;
  const int32_t panels = GemmPanels(group_n, kernel.nr);
  const int64_t packed_floats = static_cast<int64_t>(
      PackedGemmWeightsBytes(group_n, static_cast<int32_t>(k), kernel.nr) /
      sizeof(float));
  const int64_t group_floats = rows * k;
  // A task is a row block and a range of groups: all groups when there are
  // enough blocks to go round, else the groups split so that small layers
  // still use every worker.
  const int64_t chunks =
      blocks >= 2 * max_slots
          ? 1
          : std::min<int64_t>(groups, (2 * max_slots + blocks - 1) / blocks);
  ParallelTasks(
      pool, blocks * chunks, max_slots, [&](int64_t t0, int64_t t1, int slot) {
        float* buf =
            scratch + static_cast<int64_t>(slot) * groups * group_floats;
        for (int64_t task = t0; task < t1; ++task) {
          const int64_t blk = task / chunks;
          const int64_t chunk = task % chunks;
          const int32_t g0 = static_cast<int32_t>(groups * chunk / chunks);
          const int32_t g1 =
              static_cast<int32_t>(groups * (chunk + 1) / chunks);
          const int64_t m0 = blk * rows;
          const int64_t m1 = std::min(m, m0 + rows);
          Im2colGroups(s, input, g0, g1, m0, m1, group_floats, buf);
          for (int32_t g = g0; g < g1; ++g) {
            GemmF32Args a;
            a.m = m1 - m0;
            a.n = group_n;
            a.k = static_cast<int32_t>(k);
            a.a = buf + (g - g0) * group_floats;
            a.lda = k;
            a.packed = packed + g * packed_floats;
            a.c = output + m0 * s.out_c + static_cast<int64_t>(g) * group_n;
            a.ldc = s.out_c;
            a.lo = lo;
            a.hi = hi;
            kernel.fn(a, 0, a.m, 0, panels);
          }
        }
      });
}

}  // namespace

void RunConvIm2colF32(ThreadPool* pool, int max_slots,
                      const GemmF32Kernel& kernel, const ref::ConvShape& s,
                      const float* input, const float* packed, float lo,
                      float hi, float* scratch, float* output) {
  if (s.filter_in_c != s.in_c) {
    RunConvIm2colGroupedF32(pool, max_slots, kernel, s, input, packed, lo, hi,
                            scratch, output);
    return;
  }
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
