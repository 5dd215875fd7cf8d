// Fast-op kernel bodies written once over the vector traits of
// fast_ops_simd.h (V = Avx512 or Avx2) and instantiated by the per-ISA
// files. Internal linkage only (see fast_ops_simd.h). Float kernels keep
// the reference's order of operations where that is cheap (sums, pooling,
// resize), so they usually agree bit for bit; integer kernels follow the
// reference's fixed-point arithmetic exactly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/drivers/fast_ops.h"
#include "kernels/x86/fast_ops_simd.h"

namespace ember::x86 {
namespace {

// ---------------------------------------------------------------------------
// Walks the flat output range [begin, end) in spans over which every operand
// is contiguous (or a scalar), calling span(pa, pb, out_offset, len).
template <typename T, typename Span>
inline void ForEachBinarySpan(const BinaryArgs& g, int64_t begin, int64_t end,
                              Span&& span) {
  const T* a = static_cast<const T*>(g.a);
  const T* b = static_cast<const T*>(g.b);
  const bool has_row = g.a_kind == Operand::kRow || g.b_kind == Operand::kRow;
  auto at = [&](const T* p, Operand kind, int64_t i, int64_t j) {
    return kind == Operand::kFull ? p + i : kind == Operand::kRow ? p + j : p;
  };
  int64_t i = begin;
  // Only the first span can start inside a row: one division, not one
  // per row (rows are often just 16..64 channels).
  int64_t j = has_row ? i % g.row : 0;
  while (i < end) {
    const int64_t len = has_row ? std::min(end - i, g.row - j) : end - i;
    span(at(a, g.a_kind, i, j), at(b, g.b_kind, i, j), i, len);
    i += len;
    j = 0;
  }
}

template <class V, BinaryOp kOp>
inline typename V::F ApplyBinary(typename V::F x, typename V::F y) {
  if constexpr (kOp == BinaryOp::kAdd) return V::Add(x, y);
  if constexpr (kOp == BinaryOp::kSub) return V::Sub(x, y);
  if constexpr (kOp == BinaryOp::kMul) return V::Mul(x, y);
  if constexpr (kOp == BinaryOp::kMax) return V::Max(x, y);  // x > y ? x : y
  if constexpr (kOp == BinaryOp::kMin) return V::Min(x, y);  // x < y ? x : y
  if constexpr (kOp == BinaryOp::kPrelu)
    return V::SelectGe0(x, x, V::Mul(x, y));
  return x;
}

template <class V, BinaryOp kOp, bool kAScalar, bool kBScalar>
inline void BinarySpanF32(const float* a, const float* b, float* o, int64_t n,
                          typename V::F lo, typename V::F hi) {
  using F = typename V::F;
  const F as = kAScalar ? V::Set(*a) : V::Zero();
  const F bs = kBScalar ? V::Set(*b) : V::Zero();
  // Clamp as max(lo, r), min(hi, r): a NaN result passes through, as in the
  // reference's std::min / std::max.
  auto one = [&](F x, F y) {
    return V::Min(hi, V::Max(lo, ApplyBinary<V, kOp>(x, y)));
  };
  int64_t i = 0;
  for (; i + 2 * V::kN <= n; i += 2 * V::kN) {
    const F x0 = kAScalar ? as : V::Load(a + i);
    const F x1 = kAScalar ? as : V::Load(a + i + V::kN);
    const F y0 = kBScalar ? bs : V::Load(b + i);
    const F y1 = kBScalar ? bs : V::Load(b + i + V::kN);
    V::Store(o + i, one(x0, y0));
    V::Store(o + i + V::kN, one(x1, y1));
  }
  for (; i < n; i += V::kN) {
    const int64_t r = n - i;
    const F x = kAScalar ? as : V::LoadN(a + i, r);
    const F y = kBScalar ? bs : V::LoadN(b + i, r);
    V::StoreN(o + i, one(x, y), r);
  }
}

template <class V, BinaryOp kOp>
void BinaryF32Typed(const BinaryArgs& g, int64_t begin, int64_t end) {
  float* out = static_cast<float*>(g.out);
  const typename V::F lo = V::Set(g.lo), hi = V::Set(g.hi);
  const bool as = g.a_kind == Operand::kScalar,
             bs = g.b_kind == Operand::kScalar;
  ForEachBinarySpan<float>(
      g, begin, end,
      [&](const float* pa, const float* pb, int64_t o, int64_t len) {
        if (as && bs) {
          BinarySpanF32<V, kOp, true, true>(pa, pb, out + o, len, lo, hi);
        } else if (as) {
          BinarySpanF32<V, kOp, true, false>(pa, pb, out + o, len, lo, hi);
        } else if (bs) {
          BinarySpanF32<V, kOp, false, true>(pa, pb, out + o, len, lo, hi);
        } else {
          BinarySpanF32<V, kOp, false, false>(pa, pb, out + o, len, lo, hi);
        }
      });
}

template <class V>
void BinaryF32(BinaryOp op, const BinaryArgs& g, int64_t begin, int64_t end) {
  switch (op) {
    case BinaryOp::kAdd:
      return BinaryF32Typed<V, BinaryOp::kAdd>(g, begin, end);
    case BinaryOp::kSub:
      return BinaryF32Typed<V, BinaryOp::kSub>(g, begin, end);
    case BinaryOp::kMul:
      return BinaryF32Typed<V, BinaryOp::kMul>(g, begin, end);
    case BinaryOp::kMax:
      return BinaryF32Typed<V, BinaryOp::kMax>(g, begin, end);
    case BinaryOp::kMin:
      return BinaryF32Typed<V, BinaryOp::kMin>(g, begin, end);
    case BinaryOp::kPrelu:
      return BinaryF32Typed<V, BinaryOp::kPrelu>(g, begin, end);
  }
}

// ---------------------------------------------------------------------------
// Fixed-point helpers on int32 lanes, equal to ref::RoundingDivideByPOT and
// ref::MultiplyByQuantizedMultiplier (multiplier never INT32_MIN, so the
// saturating case of the doubling high multiply cannot occur).
template <class V>
inline typename V::I RoundingShiftRight(typename V::I x, int e) {
  if (e == 0) return x;
  using I = typename V::I;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << e) - 1);
  const I rem = V::AndI(x, V::SetI(mask));
  // threshold = mask / 2 + (x < 0); x >> 31 is -1 for negative lanes.
  const I thr = V::SubI(V::SetI(mask >> 1), V::SraI(x, 31));
  return V::AddOneIfGt(V::SraI(x, e), rem, thr);
}

template <class V>
inline typename V::I MulByQuantMult(typename V::I x, typename V::I mult,
                                    int shift) {
  if (shift > 0) x = V::ShlI(x, shift);
  return RoundingShiftRight<V>(V::MulHighRound(x, mult),
                               shift > 0 ? 0 : -shift);
}

// Loads / stores of T (int8 or int16) lanes through the traits.
template <class V, typename T>
inline typename V::I LoadQ(const T* p) {
  if constexpr (sizeof(T) == 1)
    return V::LoadS8(p);
  else
    return V::LoadS16(p);
}
template <class V, typename T>
inline typename V::I LoadQN(const T* p, int64_t n) {
  if constexpr (sizeof(T) == 1)
    return V::LoadS8N(p, n);
  else
    return V::LoadS16N(p, n);
}
template <class V, typename T>
inline void StoreQ(T* p, typename V::I v) {
  if constexpr (sizeof(T) == 1)
    V::StoreS8(p, v);
  else
    V::StoreS16(p, v);
}
template <class V, typename T>
inline void StoreQN(T* p, typename V::I v, int64_t n) {
  if constexpr (sizeof(T) == 1)
    V::StoreS8N(p, v, n);
  else
    V::StoreS16N(p, v, n);
}

template <class V, typename T, bool kAScalar, bool kBScalar, typename Op>
inline void QuantSpan(const T* a, const T* b, T* o, int64_t n, Op&& op) {
  using I = typename V::I;
  const I as = kAScalar ? V::SetI(*a) : V::ZeroI();
  const I bs = kBScalar ? V::SetI(*b) : V::ZeroI();
  int64_t i = 0;
  for (; i + V::kN <= n; i += V::kN) {
    const I x = kAScalar ? as : LoadQ<V>(a + i);
    const I y = kBScalar ? bs : LoadQ<V>(b + i);
    StoreQ<V>(o + i, op(x, y));
  }
  if (i < n) {
    const int64_t r = n - i;
    const I x = kAScalar ? as : LoadQN<V>(a + i, r);
    const I y = kBScalar ? bs : LoadQN<V>(b + i, r);
    StoreQN<V>(o + i, op(x, y), r);
  }
}

template <class V, typename T, typename Op>
inline void QuantBinary(const BinaryArgs& g, int64_t begin, int64_t end,
                        Op&& op) {
  T* out = static_cast<T*>(g.out);
  const bool as = g.a_kind == Operand::kScalar,
             bs = g.b_kind == Operand::kScalar;
  ForEachBinarySpan<T>(
      g, begin, end, [&](const T* pa, const T* pb, int64_t o, int64_t len) {
        if (as && bs) {
          QuantSpan<V, T, true, true>(pa, pb, out + o, len, op);
        } else if (as) {
          QuantSpan<V, T, true, false>(pa, pb, out + o, len, op);
        } else if (bs) {
          QuantSpan<V, T, false, true>(pa, pb, out + o, len, op);
        } else {
          QuantSpan<V, T, false, false>(pa, pb, out + o, len, op);
        }
      });
}

// Quantized ADD / SUB of int8 (T = int8_t) or int16 values (general
// scales; left_shift 20 or 15 keeps the shifted inputs within int32).
template <class V, typename T>
void AddQ(const QuantAddArgs& q, const BinaryArgs& g, int64_t begin,
          int64_t end) {
  using I = typename V::I;
  const I off1 = V::SetI(q.in1_offset), off2 = V::SetI(q.in2_offset);
  const I m1 = V::SetI(q.in1_mult), m2 = V::SetI(q.in2_mult),
          mo = V::SetI(q.out_mult);
  const I out_off = V::SetI(q.out_offset);
  const I lo = V::SetI(q.act_lo), hi = V::SetI(q.act_hi);
  QuantBinary<V, T>(g, begin, end, [&](I x, I y) {
    const I sx = MulByQuantMult<V>(V::ShlI(V::AddI(x, off1), q.left_shift), m1,
                                   q.in1_shift);
    const I sy = MulByQuantMult<V>(V::ShlI(V::AddI(y, off2), q.left_shift), m2,
                                   q.in2_shift);
    const I r =
        V::AddI(MulByQuantMult<V>(V::AddI(sx, sy), mo, q.out_shift), out_off);
    return V::MinI(V::MaxI(r, lo), hi);
  });
}

template <class V>
void AddS8(const QuantAddArgs& q, const BinaryArgs& g, int64_t begin,
           int64_t end) {
  AddQ<V, int8_t>(q, g, begin, end);
}

template <class V>
void AddS16(const QuantAddArgs& q, const BinaryArgs& g, int64_t begin,
            int64_t end) {
  AddQ<V, int16_t>(q, g, begin, end);
}

// Quantized MUL of int8 (T = int8_t) or int16 values: the product of the
// offset inputs (below 2^31 for both), rescaled, offset and clamped.
template <class V, typename T>
void MulQ(const QuantMulArgs& q, const BinaryArgs& g, int64_t begin,
          int64_t end) {
  using I = typename V::I;
  const I off1 = V::SetI(q.in1_offset), off2 = V::SetI(q.in2_offset);
  const I m = V::SetI(q.mult), out_off = V::SetI(q.out_offset);
  const I lo = V::SetI(q.act_lo), hi = V::SetI(q.act_hi);
  QuantBinary<V, T>(g, begin, end, [&](I x, I y) {
    const I prod = V::MulLoI(V::AddI(x, off1), V::AddI(y, off2));
    const I r = V::AddI(MulByQuantMult<V>(prod, m, q.shift), out_off);
    return V::MinI(V::MaxI(r, lo), hi);
  });
}

template <class V>
void MulS8(const QuantMulArgs& q, const BinaryArgs& g, int64_t begin,
           int64_t end) {
  MulQ<V, int8_t>(q, g, begin, end);
}

template <class V>
void MulS16(const QuantMulArgs& q, const BinaryArgs& g, int64_t begin,
            int64_t end) {
  MulQ<V, int16_t>(q, g, begin, end);
}

// ---------------------------------------------------------------------------
// exp(x) for the activations: x = n ln2 + r with |r| <= ln2/2, e^r from its
// degree-6 Taylor polynomial (relative error < 2e-7 there), 2^n built in the
// exponent field. Inputs are clamped to [-87, 88] (no denormals, no inf).
template <class V>
inline typename V::F ExpApprox(typename V::F x) {
  using F = typename V::F;
  x = V::Min(V::Set(88.0f), V::Max(V::Set(-87.0f), x));
  const F n = V::RoundNearest(V::Mul(x, V::Set(1.44269504088896341f)));
  // Cody-Waite split of ln 2 keeps r accurate.
  F r = V::Fma(n, V::Set(-0.693359375f), x);
  r = V::Fma(n, V::Set(2.12194440e-4f), r);
  F p = V::Set(1.0f / 720.0f);
  p = V::Fma(p, r, V::Set(1.0f / 120.0f));
  p = V::Fma(p, r, V::Set(1.0f / 24.0f));
  p = V::Fma(p, r, V::Set(1.0f / 6.0f));
  p = V::Fma(p, r, V::Set(0.5f));
  p = V::Fma(p, r, V::Set(1.0f));
  p = V::Fma(p, r, V::Set(1.0f));
  return V::Mul(p, V::Pow2(n));
}

template <class V, UnaryOp kOp>
inline typename V::F ApplyUnary(typename V::F x, const UnaryArgs& u) {
  using F = typename V::F;
  if constexpr (kOp == UnaryOp::kClamp)
    return V::Min(V::Set(u.hi), V::Max(V::Set(u.lo), x));
  if constexpr (kOp == UnaryOp::kLeakyRelu)
    return V::SelectGt0(x, x, V::Mul(x, V::Set(u.alpha)));
  if constexpr (kOp == UnaryOp::kHardSwish) {
    const F r6 =
        V::Min(V::Set(6.0f), V::Max(V::Zero(), V::Add(x, V::Set(3.0f))));
    return V::Div(V::Mul(x, r6), V::Set(6.0f));
  }
  if constexpr (kOp == UnaryOp::kLogistic) {
    const F one = V::Set(1.0f);
    return V::Div(one, V::Add(one, ExpApprox<V>(V::Sub(V::Zero(), x))));
  }
  if constexpr (kOp == UnaryOp::kTanh) {
    // tanh x = 1 - 2 / (1 + e^(2x)); |x| > 9 is +-1 to float precision.
    const F one = V::Set(1.0f);
    const F xc = V::Min(V::Set(9.0f), V::Max(V::Set(-9.0f), x));
    const F e = ExpApprox<V>(V::Add(xc, xc));
    return V::Sub(one, V::Div(V::Set(2.0f), V::Add(one, e)));
  }
  if constexpr (kOp == UnaryOp::kGelu) {
    // With z = |x| / sqrt 2, q = erfc(z) = t P(t) e^(-z^2), t = 1/(1 + pz):
    // GELU = x - x q / 2 for x >= 0 and x q / 2 below (no cancellation).
    const F ax = V::Max(x, V::Sub(V::Zero(), x));
    const F z = V::Mul(ax, V::Set(0.70710678118654752440f));
    const F t =
        V::Div(V::Set(1.0f), V::Fma(z, V::Set(0.3275911f), V::Set(1.0f)));
    F p = V::Set(1.061405429f);
    p = V::Fma(p, t, V::Set(-1.453152027f));
    p = V::Fma(p, t, V::Set(1.421413741f));
    p = V::Fma(p, t, V::Set(-0.284496736f));
    p = V::Fma(p, t, V::Set(0.254829592f));
    p = V::Mul(p, t);
    const F q = V::Mul(p, ExpApprox<V>(V::Sub(V::Zero(), V::Mul(z, z))));
    const F h = V::Mul(V::Mul(x, V::Set(0.5f)), q);
    return V::SelectGe0(x, V::Sub(x, h), h);
  }
  if constexpr (kOp == UnaryOp::kGeluApprox) {
    // 0.5 x (1 + tanh u) = x / (1 + e^(-2u)), u = sqrt(2/pi) (x + 0.044715
    // x^3).
    const F x2 = V::Mul(x, x);
    const F u = V::Mul(V::Mul(x, V::Set(-2.0f * 0.79788456080286535588f)),
                       V::Fma(x2, V::Set(0.044715f), V::Set(1.0f)));
    return V::Div(x, V::Add(V::Set(1.0f), ExpApprox<V>(u)));
  }
  return x;
}

template <class V, UnaryOp kOp>
void UnaryF32Typed(const UnaryArgs& u, int64_t begin, int64_t end) {
  int64_t i = begin;
  for (; i + V::kN <= end; i += V::kN)
    V::Store(u.out + i, ApplyUnary<V, kOp>(V::Load(u.in + i), u));
  if (i < end)
    V::StoreN(u.out + i, ApplyUnary<V, kOp>(V::LoadN(u.in + i, end - i), u),
              end - i);
}

template <class V>
void UnaryF32(UnaryOp op, const UnaryArgs& u, int64_t begin, int64_t end) {
  switch (op) {
    case UnaryOp::kClamp:
      return UnaryF32Typed<V, UnaryOp::kClamp>(u, begin, end);
    case UnaryOp::kLeakyRelu:
      return UnaryF32Typed<V, UnaryOp::kLeakyRelu>(u, begin, end);
    case UnaryOp::kHardSwish:
      return UnaryF32Typed<V, UnaryOp::kHardSwish>(u, begin, end);
    case UnaryOp::kLogistic:
      return UnaryF32Typed<V, UnaryOp::kLogistic>(u, begin, end);
    case UnaryOp::kTanh:
      return UnaryF32Typed<V, UnaryOp::kTanh>(u, begin, end);
    case UnaryOp::kGelu:
      return UnaryF32Typed<V, UnaryOp::kGelu>(u, begin, end);
    case UnaryOp::kGeluApprox:
      return UnaryF32Typed<V, UnaryOp::kGeluApprox>(u, begin, end);
  }
}

// ---------------------------------------------------------------------------
// 8-bit table lookup, unrolled scalar (the table stays in L1; this removes
// the per-element fixed-point math of the reference formulas).
inline void Lut8Scalar(const uint8_t* table, const uint8_t* in, uint8_t* out,
                       int64_t begin, int64_t end) {
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    out[i] = table[in[i]];
    out[i + 1] = table[in[i + 1]];
    out[i + 2] = table[in[i + 2]];
    out[i + 3] = table[in[i + 3]];
    out[i + 4] = table[in[i + 4]];
    out[i + 5] = table[in[i + 5]];
    out[i + 6] = table[in[i + 6]];
    out[i + 7] = table[in[i + 7]];
  }
  for (; i < end; ++i) out[i] = table[in[i]];
}

// ---------------------------------------------------------------------------
// Window of output (oy, ox) clipped to the input, as the reference does.
struct Window {
  int32_t y0, y1, x0, x1;
};
inline Window PoolWindow(const ref::PoolParams& p, int32_t oy, int32_t ox) {
  const int32_t iy = oy * p.stride_h - p.pad_h;
  const int32_t ix = ox * p.stride_w - p.pad_w;
  return {std::max(iy, 0), std::min(iy + p.filter_h, p.in_h), std::max(ix, 0),
          std::min(ix + p.filter_w, p.in_w)};
}

template <class V>
void PoolF32(bool max, const ref::PoolParams& p, const float* in, float* out,
             int64_t row_begin, int64_t row_end) {
  using F = typename V::F;
  const int64_t c_total = p.channels;
  const F lo = V::Set(p.float_lo), hi = V::Set(p.float_hi);
  const F lowest = V::Set(std::numeric_limits<float>::lowest());
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / p.out_h);
    const int32_t oy = static_cast<int32_t>(row % p.out_h);
    const float* image =
        in + static_cast<int64_t>(b) * p.in_h * p.in_w * c_total;
    float* o = out + row * p.out_w * c_total;
    for (int32_t ox = 0; ox < p.out_w; ++ox, o += c_total) {
      const Window w = PoolWindow(p, oy, ox);
      const int32_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
      for (int64_t c = 0; c < c_total; c += V::kN) {
        const int64_t n = std::min<int64_t>(V::kN, c_total - c);
        F acc = max ? lowest : V::Zero();
        for (int32_t y = w.y0; y < w.y1; ++y) {
          const float* src =
              image + (static_cast<int64_t>(y) * p.in_w + w.x0) * c_total + c;
          for (int32_t x = w.x0; x < w.x1; ++x, src += c_total) {
            const F v = n == V::kN ? V::Load(src) : V::LoadN(src, n);
            // std::max(m, v) keeps m unless m < v.
            acc = max ? V::Max(v, acc) : V::Add(acc, v);
          }
        }
        if (!max)
          acc = count > 0 ? V::Div(acc, V::Set(static_cast<float>(count)))
                          : V::Zero();
        acc = V::Min(hi, V::Max(lo, acc));
        if (n == V::kN) {
          V::Store(o + c, acc);
        } else {
          V::StoreN(o + c, acc, n);
        }
      }
    }
  }
}

// Quantized lanes of int8 or int16 data, widened to int32 (n of kN).
template <class V>
typename V::I LoadQ(const int8_t* p, int64_t n) {
  return n == V::kN ? V::LoadS8(p) : V::LoadS8N(p, n);
}
template <class V>
typename V::I LoadQ(const int16_t* p, int64_t n) {
  return n == V::kN ? V::LoadS16(p) : V::LoadS16N(p, n);
}
template <class V>
void StoreQ(int8_t* p, typename V::I v, int64_t n) {
  if (n == V::kN) {
    V::StoreS8(p, v);
  } else {
    V::StoreS8N(p, v, n);
  }
}
template <class V>
void StoreQ(int16_t* p, typename V::I v, int64_t n) {
  if (n == V::kN) {
    V::StoreS16(p, v);
  } else {
    V::StoreS16N(p, v, n);
  }
}

// int8 / int16 pooling, the reference's integer arithmetic per lane.
template <class V, typename T>
void PoolQ(bool max, const ref::PoolParams& p, const T* in, T* out,
           int64_t row_begin, int64_t row_end) {
  using I = typename V::I;
  using F = typename V::F;
  const int64_t c_total = p.channels;
  const I lo = V::SetI(p.quant_lo), hi = V::SetI(p.quant_hi);
  const I lowest = V::SetI(std::numeric_limits<T>::min());
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / p.out_h);
    const int32_t oy = static_cast<int32_t>(row % p.out_h);
    const T* image = in + static_cast<int64_t>(b) * p.in_h * p.in_w * c_total;
    T* o = out + row * p.out_w * c_total;
    for (int32_t ox = 0; ox < p.out_w; ++ox, o += c_total) {
      const Window w = PoolWindow(p, oy, ox);
      const int32_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
      for (int64_t c = 0; c < c_total; c += V::kN) {
        const int64_t n = std::min<int64_t>(V::kN, c_total - c);
        I acc = max ? lowest : V::ZeroI();
        for (int32_t y = w.y0; y < w.y1; ++y) {
          const T* src =
              image + (static_cast<int64_t>(y) * p.in_w + w.x0) * c_total + c;
          for (int32_t x = w.x0; x < w.x1; ++x, src += c_total) {
            const I v = LoadQ<V>(src, n);
            acc = max ? V::MaxI(acc, v) : V::AddI(acc, v);
          }
        }
        if (!max) {
          if (count > 0) {
            // (sum +- count/2) / count truncated: the float quotient is
            // exact enough while |sum| < 2^23 (PoolS8Exact/PoolS16Exact).
            const I half = V::SetI(count / 2);
            const I pos =
                V::AddOneIfGt(V::ZeroI(), acc, V::ZeroI());  // sum > 0
            const I adj = V::SubI(V::MulLoI(half, V::AddI(pos, pos)), half);
            const F q = V::Div(V::ToFloat(V::AddI(acc, adj)),
                               V::Set(static_cast<float>(count)));
            acc = V::ToInt(q);
          } else {
            acc = V::ZeroI();
          }
        }
        StoreQ<V>(o + c, V::MinI(V::MaxI(acc, lo), hi), n);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Spatial sums: out[c] = (sum over s of in[s * channels + c]) / divisor,
// summed in input order like the reference.
template <class V>
void SpatialSumF32(const float* in, int64_t spatial, int64_t channels,
                   int64_t c_begin, int64_t c_end, float divisor, float* out) {
  using F = typename V::F;
  const F d = V::Set(divisor);
  for (int64_t c = c_begin; c < c_end; c += 4 * V::kN) {
    const int64_t n = std::min<int64_t>(4 * V::kN, c_end - c);
    if (n == 4 * V::kN) {
      F a0 = V::Zero(), a1 = V::Zero(), a2 = V::Zero(), a3 = V::Zero();
      const float* src = in + c;
      for (int64_t s = 0; s < spatial; ++s, src += channels) {
        a0 = V::Add(a0, V::Load(src));
        a1 = V::Add(a1, V::Load(src + V::kN));
        a2 = V::Add(a2, V::Load(src + 2 * V::kN));
        a3 = V::Add(a3, V::Load(src + 3 * V::kN));
      }
      V::Store(out + c, V::Div(a0, d));
      V::Store(out + c + V::kN, V::Div(a1, d));
      V::Store(out + c + 2 * V::kN, V::Div(a2, d));
      V::Store(out + c + 3 * V::kN, V::Div(a3, d));
      continue;
    }
    for (int64_t k = 0; k < n; k += V::kN) {
      const int64_t m = std::min<int64_t>(V::kN, n - k);
      F a = V::Zero();
      const float* src = in + c + k;
      for (int64_t s = 0; s < spatial; ++s, src += channels)
        a = V::Add(a, V::LoadN(src, m));
      V::StoreN(out + c + k, V::Div(a, d), m);
    }
  }
}

// int8 / int16 spatial sums in int32 lanes, wrapping like the reference.
template <class V, typename T>
void SpatialSumQ(const T* in, int64_t spatial, int64_t channels,
                 int64_t c_begin, int64_t c_end, int32_t* out) {
  using I = typename V::I;
  for (int64_t c = c_begin; c < c_end; c += V::kN) {
    const int64_t m = std::min<int64_t>(V::kN, c_end - c);
    I a = V::ZeroI();
    const T* src = in + c;
    for (int64_t s = 0; s < spatial; ++s, src += channels)
      a = V::AddI(a, LoadQ<V>(src, m));
    alignas(64) int32_t tmp[V::kN];
    std::memcpy(tmp, &a, sizeof(a));
    for (int64_t k = 0; k < m; ++k) out[c + k] = tmp[k];
  }
}

// ---------------------------------------------------------------------------
// Bilinear resize, fp32: the reference's coordinates and its product order
// (p * (1 - dy)) * (1 - dx) + ... , channels vectorized.
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

template <class V>
void ResizeBilinearF32(const ref::ResizeParams& p, const float* in, float* out,
                       int64_t row_begin, int64_t row_end) {
  using F = typename V::F;
  const float sy = BilinearScale(p.in_h, p.out_h, p.align_corners);
  const float sx = BilinearScale(p.in_w, p.out_w, p.align_corners);
  const int64_t depth = p.depth;
  const int64_t in_row = static_cast<int64_t>(p.in_w) * depth;
  // Source columns are the same for every row: compute them once per tile
  // of output columns instead of once per output pixel.
  constexpr int32_t kXTile = 128;
  int64_t col0[kXTile], col1[kXTile];
  float fx[kXTile];
  for (int32_t xt = 0; xt < p.out_w; xt += kXTile) {
    const int32_t nx = std::min(kXTile, p.out_w - xt);
    for (int32_t t = 0; t < nx; ++t) {
      int32_t x0, x1;
      BilinearSource(xt + t, sx, p.half_pixel_centers, p.in_w, &fx[t], &x0,
                     &x1);
      col0[t] = x0 * depth;
      col1[t] = x1 * depth;
    }
    for (int64_t row = row_begin; row < row_end; ++row) {
      const int32_t b = static_cast<int32_t>(row / p.out_h);
      const int32_t y = static_cast<int32_t>(row % p.out_h);
      const float* base = in + static_cast<int64_t>(b) * p.in_h * in_row;
      float* o = out + (row * p.out_w + xt) * depth;
      float dy;
      int32_t y0, y1;
      BilinearSource(y, sy, p.half_pixel_centers, p.in_h, &dy, &y0, &y1);
      const F wy0 = V::Set(1 - dy), wy1 = V::Set(dy);
      const float* r0 = base + y0 * in_row;
      const float* r1 = base + y1 * in_row;
      for (int32_t t = 0; t < nx; ++t, o += depth) {
        const F wx0 = V::Set(1 - fx[t]), wx1 = V::Set(fx[t]);
        const float* p00 = r0 + col0[t];
        const float* p10 = r1 + col0[t];
        const float* p01 = r0 + col1[t];
        const float* p11 = r1 + col1[t];
        auto blend = [&](F v00, F v10, F v01, F v11) {
          F r = V::Mul(V::Mul(v00, wy0), wx0);
          r = V::Add(r, V::Mul(V::Mul(v10, wy1), wx0));
          r = V::Add(r, V::Mul(V::Mul(v01, wy0), wx1));
          return V::Add(r, V::Mul(V::Mul(v11, wy1), wx1));
        };
        int64_t c = 0;
        for (; c + V::kN <= depth; c += V::kN) {
          V::Store(o + c, blend(V::Load(p00 + c), V::Load(p10 + c),
                                V::Load(p01 + c), V::Load(p11 + c)));
        }
        if (c < depth) {
          const int64_t n = depth - c;
          V::StoreN(o + c,
                    blend(V::LoadN(p00 + c, n), V::LoadN(p10 + c, n),
                          V::LoadN(p01 + c, n), V::LoadN(p11 + c, n)),
                    n);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Softmax rows: vector max, exp and sum, then one multiply by 1 / sum. The
// output may alias the input (each row is read before it is written).
template <class V>
inline float HorizontalMax(typename V::F v) {
  alignas(64) float t[V::kN];
  V::Store(t, v);
  float m = t[0];
  for (int i = 1; i < V::kN; ++i) m = std::max(m, t[i]);
  return m;
}
template <class V>
inline float HorizontalSum(typename V::F v) {
  alignas(64) float t[V::kN];
  V::Store(t, v);
  float s = 0.0f;
  for (int i = 0; i < V::kN; ++i) s += t[i];
  return s;
}

template <class V>
void SoftmaxF32(const float* in, float* out, int32_t depth, float beta,
                int64_t row_begin, int64_t row_end) {
  using F = typename V::F;
  const F vbeta = V::Set(beta);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const float* x = in + r * depth;
    float* y = out + r * depth;
    F m = V::Set(std::numeric_limits<float>::lowest());
    int32_t c = 0;
    for (; c + V::kN <= depth; c += V::kN) m = V::Max(V::Load(x + c), m);
    float max = HorizontalMax<V>(m);
    for (; c < depth; ++c) max = std::max(max, x[c]);
    const F vmax = V::Set(max);
    F sum = V::Zero();
    for (c = 0; c + V::kN <= depth; c += V::kN) {
      const F e = ExpApprox<V>(V::Mul(V::Sub(V::Load(x + c), vmax), vbeta));
      V::Store(y + c, e);
      sum = V::Add(sum, e);
    }
    if (c < depth) {
      const int64_t n = depth - c;
      // Masked-off lanes would add exp(0 - max) garbage: zero them.
      F e = ExpApprox<V>(V::Mul(V::Sub(V::LoadN(x + c, n), vmax), vbeta));
      V::StoreN(y + c, e, n);
      sum = V::Add(sum, V::LoadN(y + c, n));
    }
    const F inv = V::Set(1.0f / HorizontalSum<V>(sum));
    for (c = 0; c + V::kN <= depth; c += V::kN)
      V::Store(y + c, V::Mul(V::Load(y + c), inv));
    if (c < depth)
      V::StoreN(y + c, V::Mul(V::LoadN(y + c, depth - c), inv), depth - c);
  }
}

template <class V>
constexpr FastOpsKernels MakeFastOps(const char* name) {
  FastOpsKernels k;
  k.isa_name = name;
  k.binary_f32 = BinaryF32<V>;
  k.add_s8 = AddS8<V>;
  k.add_s16 = AddS16<V>;
  k.mul_s8 = MulS8<V>;
  k.mul_s16 = MulS16<V>;
  k.unary_f32 = UnaryF32<V>;
  k.lut8 = Lut8Scalar;
  k.pool_f32 = PoolF32<V>;
  k.pool_s8 = PoolQ<V, int8_t>;
  k.pool_s16 = PoolQ<V, int16_t>;
  k.spatial_sum_f32 = SpatialSumF32<V>;
  k.spatial_sum_s8 = SpatialSumQ<V, int8_t>;
  k.spatial_sum_s16 = SpatialSumQ<V, int16_t>;
  k.resize_bilinear_f32 = ResizeBilinearF32<V>;
  k.softmax_f32 = SoftmaxF32<V>;
  return k;
}

}  // namespace
}  // namespace ember::x86
