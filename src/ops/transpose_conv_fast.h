// Optimized TRANSPOSE_CONV (x86 AVX2/AVX-512, ARM NEON via the GEMM tiles
// of ops/fast_path.h): int8 and hybrid below, fp32 at the end.
//
// A transposed convolution with stride (sh, sw) splits its output into
// sh x sw phases: output pixel (oy, ox) with oy % sh == py, ox % sw == px
// only ever receives filter taps ky, kx with (py + pad_top - ky) % sh == 0
// (likewise for kx), each from input pixel ((oy + pad_top - ky) / sh, ...).
// So each phase is an ordinary stride-1 convolution of the input with its
// own subset of the taps: an indirection GEMM (-1 entries for taps that
// fall outside the input read the zero-point row, which adds nothing), with
// the bias and requantization (or the hybrid float epilogue) in the
// GEMM's epilogue. The work equals the reference's (every tap once), the
// accumulators are the same integers, so int8 outputs are bit-exact.
// Each phase writes its pixels contiguously into scratch; a copy then puts
// them in place (stride 1 has one phase and writes the output directly).
#pragma once

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/drivers/conv_f32.h"
#include "kernels/ref/transpose_conv.h"
#include "ops/fast_path.h"

namespace ember::ops {

// One phase: output pixels (py + sh * qy, px + sw * qx) for qy < rows,
// qx < cols; `taps` filter taps, packed weights and indirection table
// (rows * cols * taps input offsets, -1 outside the input).
struct TconvPhase {
  int32_t py = 0, px = 0, rows = 0, cols = 0, taps = 0;
  FastS8 s8;
  const int32_t* indirection = nullptr;
  int64_t out_at = 0;  // first output element of the phase in the scratch
};

struct TconvFast {
  TconvPhase* phases = nullptr;  // nullptr: the op runs its reference kernel
  int32_t count = 0;
  bool direct_output = false;        // one phase covering the output in order
  const int8_t* zero_row = nullptr;  // int8: tap_k4 bytes of the input zp
  x86::S8Output mode = x86::S8Output::kInt8DoubleRounding;
  // One scratch buffer: the per-worker pointer arrays, then (unless
  // direct_output) the phase-major output, then for hybrid the -zero point
  // per batch and a zero-point row per batch, at these byte offsets.
  int scratch = -1;
  size_t phase_out_at = 0, offsets_at = 0, zero_rows_at = 0;
};

// Whether filter tap `t` lands on phase `p` along one axis.
inline bool TconvTapLands(int32_t p, int32_t pad, int32_t stride, int32_t t) {
  const int32_t diff = p + pad - t;
  return ((diff % stride) + stride) % stride == 0;
}

// Taps of filter size `k` that land on phase `p` along one axis.
inline int32_t TconvTapCount(int32_t p, int32_t pad, int32_t stride,
                             int32_t k) {
  int32_t n = 0;
  for (int32_t t = 0; t < k; ++t) n += TconvTapLands(p, pad, stride, t);
  return n;
}

// Prepares the fast path when a tile is allowed and the shape is static.
// `requant` is nullptr for hybrid (float epilogue). f->phases stays nullptr
// (reference kernel) when the case is not covered. Heap-free: everything
// lives in the node's persistent memory.
inline Status PrepareTconvFast(OpContext& ctx, const ref::TransposeConvShape& s,
                               const Tensor* input, const Tensor* weights,
                               const Tensor* bias,
                               const ref::QuantizedOutput* requant,
                               TconvFast* f) {
  *f = TconvFast{};
  const x86::S8Kernel* kern = FastS8Kernel(ctx);
  if (kern == nullptr || !weights->is_constant() ||
      (bias != nullptr && !bias->is_constant()))
    return Status::Ok();
  const bool hybrid = requant == nullptr;
  if (!hybrid &&
      (input->quant.zero_point0() < -128 || input->quant.zero_point0() > 127))
    return Status::Ok();
  const int64_t batch_elems = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
  const int64_t out_elems =
      static_cast<int64_t>(s.batches) * s.out_h * s.out_w * s.out_c;
  if (out_elems == 0 || batch_elems >= (int64_t{1} << 31) ||
      static_cast<int64_t>(s.filter_h) * s.filter_w * s.in_c > (1 << 24))
    return Status::Ok();
  if (s.stride_h * s.stride_w > 64) return Status::Ok();
  f->mode = hybrid ? x86::S8Output::kFloat : x86::S8Output::kInt8DoubleRounding;
  // Phases with outputs; one without taps (filter smaller than the stride)
  // would be bias only: left to the reference.
  int32_t count = 0, max_taps = 0;
  for (int32_t py = 0; py < s.stride_h && py < s.out_h; ++py) {
    for (int32_t px = 0; px < s.stride_w && px < s.out_w; ++px) {
      const int32_t taps =
          TconvTapCount(py, s.pad_top, s.stride_h, s.filter_h) *
          TconvTapCount(px, s.pad_left, s.stride_w, s.filter_w);
      if (taps == 0) return Status::Ok();
      max_taps = std::max(max_taps, taps);
      ++count;
    }
  }
  if (count == 0) return Status::Ok();
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistent(sizeof(TconvPhase) * count, &mem));
  auto* out_phases = static_cast<TconvPhase*>(mem);
  // One phase's weights at a time, [out_c][taps * in_c] in (ky, kx) tap
  // order, before packing.
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(
      static_cast<size_t>(s.out_c) * max_taps * s.in_c, &mem));
  auto* phase_w = static_cast<int8_t*>(mem);
  const int8_t* w = weights->data_as<int8_t>();
  size_t max_ptr_bytes = 0;
  int64_t out_at = 0;
  int32_t i = 0;
  for (int32_t py = 0; py < s.stride_h && py < s.out_h; ++py) {
    for (int32_t px = 0; px < s.stride_w && px < s.out_w; ++px, ++i) {
      TconvPhase ph;
      ph.py = py;
      ph.px = px;
      ph.rows = (s.out_h - py + s.stride_h - 1) / s.stride_h;
      ph.cols = (s.out_w - px + s.stride_w - 1) / s.stride_w;
      ph.taps = TconvTapCount(py, s.pad_top, s.stride_h, s.filter_h) *
                TconvTapCount(px, s.pad_left, s.stride_w, s.filter_w);
      int8_t* dst = phase_w;
      for (int32_t oc = 0; oc < s.out_c; ++oc)
        for (int32_t ky = 0; ky < s.filter_h; ++ky) {
          if (!TconvTapLands(py, s.pad_top, s.stride_h, ky)) continue;
          for (int32_t kx = 0; kx < s.filter_w; ++kx) {
            if (!TconvTapLands(px, s.pad_left, s.stride_w, kx)) continue;
            const int8_t* src =
                w + ((static_cast<int64_t>(oc) * s.filter_h + ky) * s.filter_w +
                     kx) *
                        s.in_c;
            std::memcpy(dst, src, static_cast<size_t>(s.in_c));
            dst += s.in_c;
          }
        }
      Tensor phase_weights = *weights;
      phase_weights.data = phase_w;
      EMBER_RETURN_IF_ERROR(PrepareFastS8(ctx, kern, input, &phase_weights,
                                          bias, requant, s.out_c, ph.taps,
                                          s.in_c, f->mode, &ph.s8));
      if (ph.s8.packed == nullptr) return Status::Ok();
      // Indirection: for phase pixel (qy, qx) and tap (ky, kx), the input
      // pixel that tap reads, as a byte offset in its batch.
      const int64_t entries = static_cast<int64_t>(ph.rows) * ph.cols * ph.taps;
      EMBER_RETURN_IF_ERROR(
          ctx.AllocatePersistent(sizeof(int32_t) * entries, &mem));
      auto* table = static_cast<int32_t*>(mem);
      for (int32_t qy = 0; qy < ph.rows; ++qy) {
        const int32_t oy = ph.py + qy * s.stride_h;
        for (int32_t qx = 0; qx < ph.cols; ++qx) {
          const int32_t ox = ph.px + qx * s.stride_w;
          for (int32_t ky = 0; ky < s.filter_h; ++ky) {
            if (!TconvTapLands(py, s.pad_top, s.stride_h, ky)) continue;
            const int32_t iy = (oy + s.pad_top - ky) / s.stride_h;
            const bool y_in = oy + s.pad_top - ky >= 0 && iy < s.in_h;
            for (int32_t kx = 0; kx < s.filter_w; ++kx) {
              if (!TconvTapLands(px, s.pad_left, s.stride_w, kx)) continue;
              const int32_t ix = (ox + s.pad_left - kx) / s.stride_w;
              const bool inside =
                  y_in && ox + s.pad_left - kx >= 0 && ix < s.in_w;
              *table++ = inside ? (iy * s.in_w + ix) * s.in_c : -1;
            }
          }
        }
      }
      ph.indirection = static_cast<const int32_t*>(mem);
      ph.out_at = out_at;
      out_at += static_cast<int64_t>(s.batches) * ph.rows * ph.cols * s.out_c;
      max_ptr_bytes = std::max(
          max_ptr_bytes,
          x86::S8PointerScratchBytes(ph.s8.kernel, ph.taps, ph.s8.max_slots));
      out_phases[i] = ph;
    }
  }
  const int32_t tap_k4 = out_phases[0].s8.layout.tap_k4;
  if (!hybrid) {
    EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(tap_k4, &mem));
    std::memset(mem, input->quant.zero_point0(), tap_k4);
    f->zero_row = static_cast<const int8_t*>(mem);
  }
  f->direct_output = count == 1 && s.stride_h == 1 && s.stride_w == 1;
  auto round64 = [](size_t n) { return (n + 63) / 64 * 64; };
  const size_t elem = hybrid ? sizeof(float) : 1;
  f->phase_out_at = round64(max_ptr_bytes);
  f->offsets_at =
      f->phase_out_at +
      (f->direct_output ? 0 : round64(elem * static_cast<size_t>(out_at)));
  size_t total = f->offsets_at;
  if (hybrid) {
    f->zero_rows_at = round64(f->offsets_at + sizeof(int32_t) * s.batches);
    total = f->zero_rows_at + static_cast<size_t>(s.batches) * tap_k4;
  }
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(std::max<size_t>(total, 64), &f->scratch));
  f->phases = out_phases;
  f->count = count;
  ctx.SetKernelVariant(kern->igemm_label);
  return Status::Ok();
}

// Runs every phase. Hybrid: `batch_offset` (-zero point), `batch_scale`
// per batch and the quantized input; int8: `q` gives the output zero point
// and clamp.
inline void RunTconvFast(OpContext& ctx, const TconvFast& f,
                         const ref::TransposeConvShape& s, const int8_t* input,
                         void* output, const ref::QuantizedOutput& q, float flo,
                         float fhi, const int32_t* batch_offset,
                         const float* batch_scale, const int8_t* zero_rows) {
  auto* mem = static_cast<uint8_t*>(ctx.scratch(f.scratch));
  auto** ptrs = reinterpret_cast<const int8_t**>(mem);
  const bool hybrid = f.mode == x86::S8Output::kFloat;
  const size_t elem = hybrid ? sizeof(float) : 1;
  uint8_t* phase_out =
      f.direct_output ? static_cast<uint8_t*>(output) : mem + f.phase_out_at;
  for (int32_t i = 0; i < f.count; ++i) {
    const TconvPhase& ph = f.phases[i];
    x86::S8Problem p;
    p.rows_per_batch = static_cast<int64_t>(ph.rows) * ph.cols;
    p.m = s.batches * p.rows_per_batch;
    p.a = input;
    p.lda = s.in_c;
    p.indirection = ph.indirection;
    p.batch_stride = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
    p.zero_rows = hybrid ? zero_rows : f.zero_row;
    p.zero_row_stride = hybrid ? ph.s8.layout.tap_k4 : 0;
    p.taps = ph.taps;
    p.tap_k = s.in_c;
    p.packed = ph.s8.packed;
    p.layout = ph.s8.layout;
    p.c = phase_out + elem * static_cast<size_t>(ph.out_at);
    p.ldc = s.out_c;
    p.mode = ph.s8.mode;
    p.out_zp = q.output_offset;
    p.lo = q.act_lo;
    p.hi = q.act_hi;
    p.batch_offset = batch_offset;
    p.batch_scale = batch_scale;
    p.col_scale = ph.s8.col_scale;
    p.col_bias = ph.s8.col_bias;
    p.flo = flo;
    p.fhi = fhi;
    x86::RunS8Gemm(ctx.thread_pool(), ph.s8.max_slots, ph.s8.kernel, p, ptrs);
  }
  if (f.direct_output) return;
  // Each phase's pixels to their place in the output.
  const size_t pixel_bytes = elem * static_cast<size_t>(s.out_c);
  auto* out = static_cast<uint8_t*>(output);
  for (int32_t i = 0; i < f.count; ++i) {
    const TconvPhase& ph = f.phases[i];
    const uint8_t* src = phase_out + elem * static_cast<size_t>(ph.out_at);
    for (int32_t b = 0; b < s.batches; ++b) {
      for (int32_t qy = 0; qy < ph.rows; ++qy) {
        const int64_t oy = ph.py + static_cast<int64_t>(qy) * s.stride_h;
        uint8_t* row =
            out + ((b * static_cast<int64_t>(s.out_h) + oy) * s.out_w + ph.px) *
                      pixel_bytes;
        const size_t step = pixel_bytes * static_cast<size_t>(s.stride_w);
        for (int32_t qx = 0; qx < ph.cols; ++qx) {
          std::memcpy(row, src, pixel_bytes);
          row += step;
          src += pixel_bytes;
        }
      }
    }
  }
}

// ---- fp32 ----
// GEMM of the input pixels [M = batches * in_h * in_w, in_c] with the
// weights packed as [in_c, taps * out_c] (column (ky * KW + kx) * out_c +
// oc) into a column buffer, then a gather per output pixel of the taps that
// land on it (col2im), plus bias and clamp. Float sums in another order
// than the reference's: compared within a tolerance.
struct TconvF32Fast {
  const float* packed = nullptr;  // nullptr: the op runs its reference kernel
  x86::GemmF32Kernel gemm;
  int32_t n = 0;  // taps * out_c columns
  int scratch_col = -1;
};

inline Status PrepareTconvF32Fast(OpContext& ctx,
                                  const ref::TransposeConvShape& s,
                                  const Tensor* weights, TconvF32Fast* f) {
  *f = TconvF32Fast{};
  const x86::GemmF32Kernel* kern = FastGemmF32(ctx);
  if (kern == nullptr || !weights->is_constant()) return Status::Ok();
  const int64_t n = static_cast<int64_t>(s.filter_h) * s.filter_w * s.out_c;
  const int64_t m = static_cast<int64_t>(s.batches) * s.in_h * s.in_w;
  // The column buffer is m x n floats: keep it within 64 MiB. Fewer
  // columns than one panel (e.g. selfie_segmentation's 2x2 kernel with one
  // output channel: 4) waste most of the GEMM and measured no faster than
  // the reference scatter.
  if (m == 0 || n < kern->nr || n > (int64_t{1} << 24) ||
      m * n > (int64_t{1} << 24))
    return Status::Ok();
  // Packed straight from the [out_c][taps][in_c] weights into the GEMM's
  // panel layout (gemm_f32.h: per panel NR bias values, zero here, then
  // weight (k, j) at k * NR + j, zero past n); column j of the GEMM is
  // (tap, oc) = (j / out_c, j % out_c).
  const int32_t nr = kern->nr;
  const int32_t taps = s.filter_h * s.filter_w;
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(
      x86::PackedGemmWeightsBytes(static_cast<int32_t>(n), s.in_c, nr), &mem));
  const float* w = weights->data_as<float>();
  float* p = static_cast<float*>(mem);
  for (int64_t n0 = 0; n0 < n; n0 += nr) {
    std::fill(p, p + nr, 0.0f);
    p += nr;
    for (int32_t k = 0; k < s.in_c; ++k, p += nr) {
      for (int32_t j = 0; j < nr; ++j) {
        const int64_t col = n0 + j;
        p[j] = col < n
                   ? w[((col % s.out_c) * taps + col / s.out_c) * s.in_c + k]
                   : 0.0f;
      }
    }
  }
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(float) * static_cast<size_t>(m * n), &f->scratch_col));
  f->packed = static_cast<const float*>(mem);
  f->gemm = *kern;
  f->n = static_cast<int32_t>(n);
  ctx.SetKernelVariant(kern->label);
  return Status::Ok();
}

inline void RunTconvF32Fast(OpContext& ctx, const TconvF32Fast& f,
                            const ref::TransposeConvShape& s,
                            const float* input, const float* bias, float lo,
                            float hi, float* output) {
  auto* col = static_cast<float*>(ctx.scratch(f.scratch_col));
  x86::GemmF32Args g;
  g.m = static_cast<int64_t>(s.batches) * s.in_h * s.in_w;
  g.n = f.n;
  g.k = s.in_c;
  g.a = input;
  g.lda = s.in_c;
  g.packed = f.packed;
  g.c = col;
  g.ldc = f.n;
  g.lo = -std::numeric_limits<float>::infinity();
  g.hi = std::numeric_limits<float>::infinity();
  x86::RunGemmF32(ctx.thread_pool(), f.gemm, g);
  const int64_t rows = static_cast<int64_t>(s.batches) * s.out_h;
  const int32_t oc_n = s.out_c;
  // Small outputs stay on one worker: a wake-up costs more than the adds.
  const int64_t out_elems = rows * s.out_w * oc_n;
  const int slots = out_elems < (int64_t{1} << 15) ? 1 : ctx.num_threads();
  x86::ParallelTasks(
      ctx.thread_pool(), rows, slots, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t b = r / s.out_h;
          const int32_t oy = static_cast<int32_t>(r % s.out_h);
          float* out = output + r * s.out_w * oc_n;
          for (int32_t ox = 0; ox < s.out_w; ++ox, out += oc_n) {
            std::fill(out, out + oc_n, 0.0f);
            for (int32_t ky = 0; ky < s.filter_h; ++ky) {
              const int32_t ty = oy + s.pad_top - ky;
              if (ty < 0 || ty % s.stride_h != 0) continue;
              const int32_t iy = ty / s.stride_h;
              if (iy >= s.in_h) continue;
              for (int32_t kx = 0; kx < s.filter_w; ++kx) {
                const int32_t tx = ox + s.pad_left - kx;
                if (tx < 0 || tx % s.stride_w != 0) continue;
                const int32_t ix = tx / s.stride_w;
                if (ix >= s.in_w) continue;
                const float* c =
                    col + ((b * s.in_h + iy) * s.in_w + ix) * f.n +
                    (static_cast<int64_t>(ky) * s.filter_w + kx) * oc_n;
                for (int32_t oc = 0; oc < oc_n; ++oc) out[oc] += c[oc];
              }
            }
            for (int32_t oc = 0; oc < oc_n; ++oc) {
              float v = out[oc];
              if (bias) v += bias[oc];
              out[oc] = std::min(std::max(v, lo), hi);
            }
          }
        }
      });
}

}  // namespace ember::ops
