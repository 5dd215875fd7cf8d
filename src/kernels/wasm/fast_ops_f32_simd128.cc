// WebAssembly SIMD128 fast-op kernels on fp32 data: element-wise binary
// ops, activations, pooling, spatial sums, bilinear resize and SOFTMAX, four
// lanes per v128. Comparisons and clamps use the pseudo-min/max
// (f32x4.pmin / pmax: b < a ? b : a and a < b ? b : a), which are exactly
// std::min / std::max, so clamps, max pooling, HARD_SWISH, the sums and
// the resize agree bit for bit with the reference kernels; LOGISTIC, TANH,
// GELU and SOFTMAX use the polynomial exp of the x86 tables (SIMD128 has no
// fused multiply-add, so each step rounds once more; the tests' tolerance
// covers it). Built only where the compiler targets SIMD128.
#if defined(__wasm_simd128__)
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/wasm/fast_ops_simd128.h"

namespace ember::x86 {
namespace {

inline v128_t Splat(float x) { return wasm_f32x4_splat(x); }
inline v128_t MulAdd(v128_t a, v128_t b, v128_t c) {
  return wasm_f32x4_add(wasm_f32x4_mul(a, b), c);
}
// std::min(std::max(x, lo), hi).
inline v128_t Clamp(v128_t x, v128_t lo, v128_t hi) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi);
}

template <BinaryOp kOp>
inline v128_t ApplyBinary(v128_t x, v128_t y) {
  if constexpr (kOp == BinaryOp::kAdd) return wasm_f32x4_add(x, y);
  if constexpr (kOp == BinaryOp::kSub) return wasm_f32x4_sub(x, y);
  if constexpr (kOp == BinaryOp::kMul) return wasm_f32x4_mul(x, y);
  // x > y ? x : y and x < y ? x : y, as the reference writes them.
  if constexpr (kOp == BinaryOp::kMax)
    return wasm_v128_bitselect(x, y, wasm_f32x4_gt(x, y));
  if constexpr (kOp == BinaryOp::kMin)
    return wasm_v128_bitselect(x, y, wasm_f32x4_lt(x, y));
  if constexpr (kOp == BinaryOp::kPrelu)  // x >= 0 ? x : x * alpha
    return wasm_v128_bitselect(x, wasm_f32x4_mul(x, y),
                               wasm_f32x4_ge(x, Splat(0.0f)));
  return x;
}

template <BinaryOp kOp, bool kAScalar, bool kBScalar>
inline void BinarySpan(const float* a, const float* b, float* o, int64_t n,
                       v128_t lo, v128_t hi) {
  const v128_t as = Splat(kAScalar ? *a : 0.0f);
  const v128_t bs = Splat(kBScalar ? *b : 0.0f);
  auto one = [&](v128_t x, v128_t y) {
    return Clamp(ApplyBinary<kOp>(x, y), lo, hi);
  };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t x0 = kAScalar ? as : wasm_v128_load(a + i);
    const v128_t x1 = kAScalar ? as : wasm_v128_load(a + i + 4);
    const v128_t y0 = kBScalar ? bs : wasm_v128_load(b + i);
    const v128_t y1 = kBScalar ? bs : wasm_v128_load(b + i + 4);
    wasm_v128_store(o + i, one(x0, y0));
    wasm_v128_store(o + i + 4, one(x1, y1));
  }
  for (; i < n; i += 4) {
    const int64_t r = n - i;
    const v128_t x = kAScalar ? as : LoadF32x4(a + i, r);
    const v128_t y = kBScalar ? bs : LoadF32x4(b + i, r);
    StoreF32x4(o + i, one(x, y), r);
  }
}

template <BinaryOp kOp>
void BinaryTyped(const BinaryArgs& g, int64_t begin, int64_t end) {
  const float* a = static_cast<const float*>(g.a);
  const float* b = static_cast<const float*>(g.b);
  float* out = static_cast<float*>(g.out);
  const v128_t lo = Splat(g.lo), hi = Splat(g.hi);
  const bool as = g.a_kind == Operand::kScalar,
             bs = g.b_kind == Operand::kScalar;
  const bool has_row = g.a_kind == Operand::kRow || g.b_kind == Operand::kRow;
  auto at = [](const float* p, Operand kind, int64_t i, int64_t j) {
    return kind == Operand::kFull ? p + i : kind == Operand::kRow ? p + j : p;
  };
  int64_t i = begin;
  int64_t j = has_row ? i % g.row : 0;  // only the first span starts mid-row
  while (i < end) {
    const int64_t len = has_row ? std::min(end - i, g.row - j) : end - i;
    const float* pa = at(a, g.a_kind, i, j);
    const float* pb = at(b, g.b_kind, i, j);
    if (as && bs) {
      BinarySpan<kOp, true, true>(pa, pb, out + i, len, lo, hi);
    } else if (as) {
      BinarySpan<kOp, true, false>(pa, pb, out + i, len, lo, hi);
    } else if (bs) {
      BinarySpan<kOp, false, true>(pa, pb, out + i, len, lo, hi);
    } else {
      BinarySpan<kOp, false, false>(pa, pb, out + i, len, lo, hi);
    }
    i += len;
    j = 0;
  }
}

// exp(x): x = n ln2 + r with |r| <= ln2 / 2, e^r from its degree-6 Taylor
// polynomial, 2^n built in the exponent field; x clamped to [-87, 88] (no
// denormals, no infinities). The x86 tables' formula without the fma.
inline v128_t ExpApprox(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, Splat(-87.0f)), Splat(88.0f));
  const v128_t n =
      wasm_f32x4_nearest(wasm_f32x4_mul(x, Splat(1.44269504088896341f)));
  // Cody-Waite split of ln 2: n * 0.693359375 is exact.
  v128_t r = MulAdd(n, Splat(-0.693359375f), x);
  r = MulAdd(n, Splat(2.12194440e-4f), r);
  v128_t p = Splat(1.0f / 720.0f);
  p = MulAdd(p, r, Splat(1.0f / 120.0f));
  p = MulAdd(p, r, Splat(1.0f / 24.0f));
  p = MulAdd(p, r, Splat(1.0f / 6.0f));
  p = MulAdd(p, r, Splat(0.5f));
  p = MulAdd(p, r, Splat(1.0f));
  p = MulAdd(p, r, Splat(1.0f));
  const v128_t pow2 = wasm_i32x4_shl(
      wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, pow2);
}

template <UnaryOp kOp>
inline v128_t ApplyUnary(v128_t x, const UnaryArgs& u) {
  const v128_t zero = Splat(0.0f), one = Splat(1.0f);
  if constexpr (kOp == UnaryOp::kClamp)
    return Clamp(x, Splat(u.lo), Splat(u.hi));
  if constexpr (kOp == UnaryOp::kLeakyRelu)  // x > 0 ? x : x * alpha
    return wasm_v128_bitselect(x, wasm_f32x4_mul(x, Splat(u.alpha)),
                               wasm_f32x4_gt(x, zero));
  if constexpr (kOp == UnaryOp::kHardSwish) {
    // x * min(6, max(0, x + 3)) / 6, the reference's operations in order.
    const v128_t r6 = wasm_f32x4_pmin(
        Splat(6.0f), wasm_f32x4_pmax(zero, wasm_f32x4_add(x, Splat(3.0f))));
    return wasm_f32x4_div(wasm_f32x4_mul(x, r6), Splat(6.0f));
  }
  if constexpr (kOp == UnaryOp::kLogistic)
    return wasm_f32x4_div(one,
                          wasm_f32x4_add(one, ExpApprox(wasm_f32x4_neg(x))));
  if constexpr (kOp == UnaryOp::kTanh) {
    // tanh x = 1 - 2 / (1 + e^(2x)); |x| > 9 is +-1 to float precision.
    const v128_t xc =
        wasm_f32x4_pmin(wasm_f32x4_pmax(x, Splat(-9.0f)), Splat(9.0f));
    const v128_t e = ExpApprox(wasm_f32x4_add(xc, xc));
    return wasm_f32x4_sub(one,
                          wasm_f32x4_div(Splat(2.0f), wasm_f32x4_add(one, e)));
  }
  if constexpr (kOp == UnaryOp::kGelu) {
    // With z = |x| / sqrt 2, q = erfc(z) = t P(t) e^(-z^2), t = 1/(1 + pz)
    // (Abramowitz & Stegun 7.1.26): GELU = x - x q / 2 for x >= 0 and
    // x q / 2 below (no cancellation).
    const v128_t z =
        wasm_f32x4_mul(wasm_f32x4_abs(x), Splat(0.70710678118654752440f));
    const v128_t t = wasm_f32x4_div(one, MulAdd(z, Splat(0.3275911f), one));
    v128_t p = Splat(1.061405429f);
    p = MulAdd(p, t, Splat(-1.453152027f));
    p = MulAdd(p, t, Splat(1.421413741f));
    p = MulAdd(p, t, Splat(-0.284496736f));
    p = MulAdd(p, t, Splat(0.254829592f));
    p = wasm_f32x4_mul(p, t);
    const v128_t q =
        wasm_f32x4_mul(p, ExpApprox(wasm_f32x4_neg(wasm_f32x4_mul(z, z))));
    const v128_t h = wasm_f32x4_mul(wasm_f32x4_mul(x, Splat(0.5f)), q);
    return wasm_v128_bitselect(wasm_f32x4_sub(x, h), h, wasm_f32x4_ge(x, zero));
  }
  if constexpr (kOp == UnaryOp::kGeluApprox) {
    // 0.5 x (1 + tanh u) = x / (1 + e^(-2u)), u = sqrt(2/pi) (x + 0.044715
    // x^3).
    const v128_t x2 = wasm_f32x4_mul(x, x);
    const v128_t u = wasm_f32x4_mul(
        wasm_f32x4_mul(x, Splat(-2.0f * 0.79788456080286535588f)),
        MulAdd(x2, Splat(0.044715f), one));
    return wasm_f32x4_div(x, wasm_f32x4_add(one, ExpApprox(u)));
  }
  return x;
}

template <UnaryOp kOp>
void UnaryTyped(const UnaryArgs& u, int64_t begin, int64_t end) {
  int64_t i = begin;
  for (; i + 4 <= end; i += 4)
    wasm_v128_store(u.out + i, ApplyUnary<kOp>(wasm_v128_load(u.in + i), u));
  if (i < end)
    StoreF32x4(u.out + i, ApplyUnary<kOp>(LoadF32x4(u.in + i, end - i), u),
               end - i);
}

struct Window {
  int32_t y0, y1, x0, x1;
};
inline Window PoolWindow(const ref::PoolParams& p, int32_t oy, int32_t ox) {
  const int32_t iy = oy * p.stride_h - p.pad_h;
  const int32_t ix = ox * p.stride_w - p.pad_w;
  return {std::max(iy, 0), std::min(iy + p.filter_h, p.in_h), std::max(ix, 0),
          std::min(ix + p.filter_w, p.in_w)};
}

// Bilinear source coordinate of output index i, as ref::ResizeBilinear.
inline void BilinearSource(int32_t i, float scale, bool half_pixel,
                           int32_t in_size, float* frac, int32_t* lo,
                           int32_t* hi) {
  const float pos = half_pixel ? (static_cast<float>(i) + 0.5f) * scale - 0.5f
                               : static_cast<float>(i) * scale;
  *lo = std::max(static_cast<int32_t>(std::floor(pos)), 0);
  *hi = std::min(static_cast<int32_t>(std::ceil(pos)), in_size - 1);
  *frac = pos - static_cast<float>(*lo);
}

inline float BilinearScale(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / (out - 1);
  return static_cast<float>(in) / out;
}

inline float HorizontalMax(v128_t v) {
  float m = wasm_f32x4_extract_lane(v, 0);
  m = std::max(m, wasm_f32x4_extract_lane(v, 1));
  m = std::max(m, wasm_f32x4_extract_lane(v, 2));
  return std::max(m, wasm_f32x4_extract_lane(v, 3));
}
inline float HorizontalSum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

}  // namespace

void BinaryF32WasmSimd128(BinaryOp op, const BinaryArgs& g, int64_t begin,
                          int64_t end) {
  switch (op) {
    case BinaryOp::kAdd:
      return BinaryTyped<BinaryOp::kAdd>(g, begin, end);
    case BinaryOp::kSub:
      return BinaryTyped<BinaryOp::kSub>(g, begin, end);
    case BinaryOp::kMul:
      return BinaryTyped<BinaryOp::kMul>(g, begin, end);
    case BinaryOp::kMax:
      return BinaryTyped<BinaryOp::kMax>(g, begin, end);
    case BinaryOp::kMin:
      return BinaryTyped<BinaryOp::kMin>(g, begin, end);
    case BinaryOp::kPrelu:
      return BinaryTyped<BinaryOp::kPrelu>(g, begin, end);
  }
}

void UnaryF32WasmSimd128(UnaryOp op, const UnaryArgs& u, int64_t begin,
                         int64_t end) {
  switch (op) {
    case UnaryOp::kClamp:
      return UnaryTyped<UnaryOp::kClamp>(u, begin, end);
    case UnaryOp::kLeakyRelu:
      return UnaryTyped<UnaryOp::kLeakyRelu>(u, begin, end);
    case UnaryOp::kHardSwish:
      return UnaryTyped<UnaryOp::kHardSwish>(u, begin, end);
    case UnaryOp::kLogistic:
      return UnaryTyped<UnaryOp::kLogistic>(u, begin, end);
    case UnaryOp::kTanh:
      return UnaryTyped<UnaryOp::kTanh>(u, begin, end);
    case UnaryOp::kGelu:
      return UnaryTyped<UnaryOp::kGelu>(u, begin, end);
    case UnaryOp::kGeluApprox:
      return UnaryTyped<UnaryOp::kGeluApprox>(u, begin, end);
  }
}

// Channels vectorized; taps summed in the reference's order (rows, then
// columns), so the averages are the reference's bit for bit.
void PoolF32WasmSimd128(bool max, const ref::PoolParams& p, const float* in,
                        float* out, int64_t row_begin, int64_t row_end) {
  const int64_t c_total = p.channels;
  const v128_t lo = Splat(p.float_lo), hi = Splat(p.float_hi);
  const v128_t lowest = Splat(std::numeric_limits<float>::lowest());
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / p.out_h);
    const int32_t oy = static_cast<int32_t>(row % p.out_h);
    const float* image =
        in + static_cast<int64_t>(b) * p.in_h * p.in_w * c_total;
    float* o = out + row * p.out_w * c_total;
    for (int32_t ox = 0; ox < p.out_w; ++ox, o += c_total) {
      const Window w = PoolWindow(p, oy, ox);
      const int32_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
      for (int64_t c = 0; c < c_total; c += 4) {
        const int64_t n = c_total - c;
        v128_t acc = max ? lowest : Splat(0.0f);
        for (int32_t y = w.y0; y < w.y1; ++y) {
          const float* src =
              image + (static_cast<int64_t>(y) * p.in_w + w.x0) * c_total + c;
          for (int32_t x = w.x0; x < w.x1; ++x, src += c_total) {
            const v128_t v = LoadF32x4(src, n);
            acc = max ? wasm_f32x4_pmax(acc, v) : wasm_f32x4_add(acc, v);
          }
        }
        if (!max) {
          acc = count > 0
                    ? wasm_f32x4_div(acc, Splat(static_cast<float>(count)))
                    : Splat(0.0f);
        }
        StoreF32x4(o + c, Clamp(acc, lo, hi), n);
      }
    }
  }
}

// out[c] = (sum over s of in[s * channels + c]) / divisor, summed in input
// order.
void SpatialSumF32WasmSimd128(const float* in, int64_t spatial,
                              int64_t channels, int64_t c_begin, int64_t c_end,
                              float divisor, float* out) {
  const v128_t d = Splat(divisor);
  int64_t c = c_begin;
  for (; c + 16 <= c_end; c += 16) {
    v128_t a0 = Splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    const float* src = in + c;
    for (int64_t s = 0; s < spatial; ++s, src += channels) {
      a0 = wasm_f32x4_add(a0, wasm_v128_load(src));
      a1 = wasm_f32x4_add(a1, wasm_v128_load(src + 4));
      a2 = wasm_f32x4_add(a2, wasm_v128_load(src + 8));
      a3 = wasm_f32x4_add(a3, wasm_v128_load(src + 12));
    }
    wasm_v128_store(out + c, wasm_f32x4_div(a0, d));
    wasm_v128_store(out + c + 4, wasm_f32x4_div(a1, d));
    wasm_v128_store(out + c + 8, wasm_f32x4_div(a2, d));
    wasm_v128_store(out + c + 12, wasm_f32x4_div(a3, d));
  }
  for (; c < c_end; c += 4) {
    const int64_t n = c_end - c;
    v128_t a = Splat(0.0f);
    const float* src = in + c;
    for (int64_t s = 0; s < spatial; ++s, src += channels)
      a = wasm_f32x4_add(a, LoadF32x4(src, n));
    StoreF32x4(out + c, wasm_f32x4_div(a, d), n);
  }
}

// The reference's coordinates and product order ((p * (1 - dy)) * (1 - dx)
// + ...), channels vectorized.
void ResizeBilinearF32WasmSimd128(const ref::ResizeParams& p, const float* in,
                                  float* out, int64_t row_begin,
                                  int64_t row_end) {
  const float sy = BilinearScale(p.in_h, p.out_h, p.align_corners);
  const float sx = BilinearScale(p.in_w, p.out_w, p.align_corners);
  const int64_t depth = p.depth;
  const int64_t in_row = static_cast<int64_t>(p.in_w) * depth;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / p.out_h);
    const int32_t y = static_cast<int32_t>(row % p.out_h);
    const float* base = in + static_cast<int64_t>(b) * p.in_h * in_row;
    float* o = out + row * p.out_w * depth;
    float dy;
    int32_t y0, y1;
    BilinearSource(y, sy, p.half_pixel_centers, p.in_h, &dy, &y0, &y1);
    const v128_t wy0 = Splat(1 - dy), wy1 = Splat(dy);
    const float* r0 = base + y0 * in_row;
    const float* r1 = base + y1 * in_row;
    for (int32_t x = 0; x < p.out_w; ++x, o += depth) {
      float fx;
      int32_t x0, x1;
      BilinearSource(x, sx, p.half_pixel_centers, p.in_w, &fx, &x0, &x1);
      const v128_t wx0 = Splat(1 - fx), wx1 = Splat(fx);
      const float* p00 = r0 + x0 * depth;
      const float* p10 = r1 + x0 * depth;
      const float* p01 = r0 + x1 * depth;
      const float* p11 = r1 + x1 * depth;
      for (int64_t c = 0; c < depth; c += 4) {
        const int64_t n = depth - c;
        v128_t r =
            wasm_f32x4_mul(wasm_f32x4_mul(LoadF32x4(p00 + c, n), wy0), wx0);
        r = wasm_f32x4_add(
            r, wasm_f32x4_mul(wasm_f32x4_mul(LoadF32x4(p10 + c, n), wy1), wx0));
        r = wasm_f32x4_add(
            r, wasm_f32x4_mul(wasm_f32x4_mul(LoadF32x4(p01 + c, n), wy0), wx1));
        r = wasm_f32x4_add(
            r, wasm_f32x4_mul(wasm_f32x4_mul(LoadF32x4(p11 + c, n), wy1), wx1));
        StoreF32x4(o + c, r, n);
      }
    }
  }
}

// Rows of `depth`: max, exp((x - max) * beta) and its sum, then one multiply
// by 1 / sum. The output may alias the input (a row is read before it is
// written).
void SoftmaxF32WasmSimd128(const float* in, float* out, int32_t depth,
                           float beta, int64_t row_begin, int64_t row_end) {
  const v128_t vbeta = Splat(beta);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const float* x = in + r * depth;
    float* y = out + r * depth;
    v128_t m = Splat(std::numeric_limits<float>::lowest());
    int32_t c = 0;
    for (; c + 4 <= depth; c += 4)
      m = wasm_f32x4_pmax(m, wasm_v128_load(x + c));
    float max = HorizontalMax(m);
    for (; c < depth; ++c) max = std::max(max, x[c]);
    const v128_t vmax = Splat(max);
    v128_t sum = Splat(0.0f);
    for (c = 0; c + 4 <= depth; c += 4) {
      const v128_t e = ExpApprox(
          wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + c), vmax), vbeta));
      wasm_v128_store(y + c, e);
      sum = wasm_f32x4_add(sum, e);
    }
    float tail = 0.0f;
    if (c < depth) {
      const int64_t n = depth - c;
      const v128_t e = ExpApprox(
          wasm_f32x4_mul(wasm_f32x4_sub(LoadF32x4(x + c, n), vmax), vbeta));
      StoreF32x4(y + c, e, n);
      // Only the n stored lanes count.
      for (int64_t k = 0; k < n; ++k) tail += y[c + k];
    }
    const v128_t inv = Splat(1.0f / (HorizontalSum(sum) + tail));
    for (c = 0; c + 4 <= depth; c += 4)
      wasm_v128_store(y + c, wasm_f32x4_mul(wasm_v128_load(y + c), inv));
    if (c < depth)
      StoreF32x4(y + c, wasm_f32x4_mul(LoadF32x4(y + c, depth - c), inv),
                 depth - c);
  }
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
