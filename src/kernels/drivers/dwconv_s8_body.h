// The int8 depthwise loop nest, written once and instantiated per ISA by
// dwconv_s8_<isa>.cc (kernels/x86, kernels/wasm) with a traits type V
// (compiled with that ISA's flags; included only there, so everything stays
// in an unnamed namespace). It holds no intrinsics, hence its place in
// drivers, which every microkernel folder may include:
//   V::kLanes             channels per vector
//   V::Mask, V::MakeMask  channel-tail mask for a block of n channels
//   V::Vec                int32 lanes
//   V::LoadX(p, m)        sign-extended int8 input lanes
//   V::Load32(p)          int32 lanes (packed arrays, padded: no mask)
//   V::MulAcc(acc, x, w)  acc + x * w per int32 lane (vpmaddwd + add, or
//                         one vpdpwssd with VNNI)
//   V::Add(a, b)
//   V::Requant, V::MakeRequant(mult, left, right)   per-block constants
//   V::Requantize(acc, rq)  the reference's double rounding, exactly
//   V::Store(p, m, v, offset, lo, hi)       + zero point, clamp, to int8
// Channel blocks are the outer loop: a block's weights (in registers for
// 3x3 and 5x5, which are unrolled), bias and requantization constants are
// set up once, then the worker's output rows stream past. Padding rows read
// the zero-point row; padding columns read the zero-point pixel (checked
// edge path); stride-1 rows share input loads between adjacent outputs.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/drivers/dwconv_s8.h"

namespace ember::x86 {
namespace {

// One channel block: KH x KW fixed at compile time, or 0 x 0 for any size.
template <class V, int KH, int KW>
struct DwS8Pass {
  using Vec = typename V::Vec;
  static constexpr int kFixedTaps = KH * KW > 0 ? KH* KW : 1;
  const DwConvS8Args& g;
  const int32_t* weights;  // packed weights at the block
  int32_t cp;              // padded channels (packed stride)
  const int8_t* pad_px;    // zero-point pixel at the block
  typename V::Mask m;
  Vec bias;
  typename V::Requant rq;
  Vec offset, lo, hi;
  Vec w[kFixedTaps];  // fixed sizes: the weights, loaded once

  int32_t Kh() const { return KH > 0 ? KH : g.filter_h; }
  int32_t Kw() const { return KW > 0 ? KW : g.filter_w; }
  Vec W(int32_t t) const {
    if constexpr (KH > 0) {
      return w[t];
    } else {
      return V::Load32(weights + static_cast<int64_t>(t) * cp);
    }
  }

  void Emit(int8_t* out, int32_t ox, Vec acc) const {
    V::Store(out + static_cast<int64_t>(ox) * g.channels, m,
             V::Requantize(acc, rq), offset, lo, hi);
  }

  // Any pixel: taps outside the input read the zero-point pixel.
  void Edge(const int8_t* const* rows, int8_t* out, int32_t ox) const {
    const int32_t ix0 = ox * g.stride_w - g.pad_left;
    Vec acc = bias;
    for (int32_t ky = 0; ky < Kh(); ++ky) {
      for (int32_t kx = 0; kx < Kw(); ++kx) {
        const int32_t ix = ix0 + kx * g.dilation_w;
        const int8_t* p =
            (ix < 0 || ix >= g.in_w)
                ? pad_px
                : rows[ky] + static_cast<int64_t>(ix) * g.channels;
        acc = V::MulAcc(acc, V::LoadX(p, m), W(ky * Kw() + kx));
      }
    }
    Emit(out, ox, acc);
  }

  // Interior pixels one at a time, two accumulators (even / odd filter
  // rows) for latency.
  void Single(const int8_t* const* rows, int8_t* out, int32_t ox_lo,
              int32_t ox_hi) const {
    const int64_t step = static_cast<int64_t>(g.dilation_w) * g.channels;
    for (int32_t ox = ox_lo; ox < ox_hi; ++ox) {
      const int64_t off =
          static_cast<int64_t>(ox * g.stride_w - g.pad_left) * g.channels;
      Vec acc0 = bias, acc1 = V::Zero();
      for (int32_t ky = 0; ky < Kh(); ++ky) {
        const int8_t* r = rows[ky] + off;
        for (int32_t kx = 0; kx < Kw(); ++kx) {
          const Vec x = V::LoadX(r + kx * step, m);
          if (ky % 2 == 0) {
            acc0 = V::MulAcc(acc0, x, W(ky * Kw() + kx));
          } else {
            acc1 = V::MulAcc(acc1, x, W(ky * Kw() + kx));
          }
        }
      }
      Emit(out, ox, V::Add(acc0, acc1));
    }
  }

  // Interior pixels with stride 1 and no horizontal dilation (fixed sizes):
  // NP adjacent outputs share their input columns, so each input vector is
  // loaded and widened once for up to KW outputs instead of once per tap.
  template <int NP>
  void Sliding(const int8_t* const* rows, int8_t* out, int32_t ox_lo,
               int32_t ox_hi) const {
    const int64_t C = g.channels;
    int32_t ox = ox_lo;
    for (; ox + NP <= ox_hi; ox += NP) {
      const int64_t off = static_cast<int64_t>(ox - g.pad_left) * C;
      Vec acc[NP];
      for (int p = 0; p < NP; ++p) acc[p] = bias;
      for (int ky = 0; ky < KH; ++ky) {
        const int8_t* r = rows[ky] + off;
        for (int col = 0; col < KW + NP - 1; ++col) {
          const Vec x = V::LoadX(r + col * C, m);
          for (int p = 0; p < NP; ++p) {
            const int kx = col - p;
            if (kx >= 0 && kx < KW)
              acc[p] = V::MulAcc(acc[p], x, w[ky * KW + kx]);
          }
        }
      }
      for (int p = 0; p < NP; ++p) Emit(out, ox + p, acc[p]);
    }
    Single(rows, out, ox, ox_hi);
  }

  // One output row; [ox_lo, ox_hi) are the columns with every tap inside.
  void Row(const int8_t* const* rows, int8_t* out, int32_t ox_lo,
           int32_t ox_hi) const {
    for (int32_t ox = 0; ox < ox_lo; ++ox) Edge(rows, out, ox);
    if constexpr (KH > 0) {
      if (g.stride_w == 1 && g.dilation_w == 1) {
        Sliding<KW <= 3 ? 4 : 2>(rows, out, ox_lo, ox_hi);
      } else {
        Single(rows, out, ox_lo, ox_hi);
      }
    } else {
      Single(rows, out, ox_lo, ox_hi);
    }
    for (int32_t ox = std::max(ox_hi, ox_lo); ox < g.out_w; ++ox)
      Edge(rows, out, ox);
  }
};

template <class V, int KH, int KW>
void DwConvS8Blocks(const DwConvS8Args& g, int64_t row_begin, int64_t row_end,
                    int32_t ox_lo, int32_t ox_hi) {
  const int32_t C = g.channels;
  const int32_t cp = DwS8PaddedChannels(C);
  const int32_t kh = g.filter_h;
  const int64_t taps = static_cast<int64_t>(kh) * g.filter_w;
  const int32_t* bias_arr = g.packed + taps * cp;
  const int32_t* mult_arr = bias_arr + cp;
  const int32_t* left_arr = mult_arr + cp;
  const int32_t* right_arr = left_arr + cp;
  constexpr int kMaxRows = 64;
  const int8_t* rows[kMaxRows];  // per ky (kh <= kMaxRows checked by caller)
  for (int32_t c = 0; c < C; c += V::kLanes) {
    DwS8Pass<V, KH, KW> pass{
        g,
        g.packed + c,
        cp,
        g.zero_row + c,
        V::MakeMask(C - c),
        V::Load32(bias_arr + c),
        V::MakeRequant(V::Load32(mult_arr + c), V::Load32(left_arr + c),
                       V::Load32(right_arr + c)),
        V::Set1(g.output_offset),
        V::Set1(g.act_lo),
        V::Set1(g.act_hi),
        {}};
    if constexpr (KH > 0) {
      for (int t = 0; t < KH * KW; ++t)
        pass.w[t] = V::Load32(g.packed + c + static_cast<int64_t>(t) * cp);
    }
    for (int64_t row = row_begin; row < row_end; ++row) {
      const int32_t b = static_cast<int32_t>(row / g.out_h);
      const int32_t oy = static_cast<int32_t>(row % g.out_h);
      const int8_t* in_b =
          g.input + static_cast<int64_t>(b) * g.in_h * g.in_w * C;
      for (int32_t ky = 0; ky < kh; ++ky) {
        const int32_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
        rows[ky] = ((iy >= 0 && iy < g.in_h)
                        ? in_b + static_cast<int64_t>(iy) * g.in_w * C
                        : g.zero_row) +
                   c;
      }
      pass.Row(rows, g.output + row * g.out_w * C + c, ox_lo, ox_hi);
    }
  }
}

template <class V>
void DwConvS8Rows(const DwConvS8Args& g, int64_t row_begin, int64_t row_end) {
  // Output columns whose taps all fall inside the input.
  int32_t ox_lo = 0;
  while (ox_lo < g.out_w && ox_lo * g.stride_w - g.pad_left < 0) ++ox_lo;
  int32_t ox_hi = g.out_w;
  while (ox_hi > ox_lo && (ox_hi - 1) * g.stride_w - g.pad_left +
                                  (g.filter_w - 1) * g.dilation_w >=
                              g.in_w)
    --ox_hi;
  if (g.filter_h == 3 && g.filter_w == 3) {
    DwConvS8Blocks<V, 3, 3>(g, row_begin, row_end, ox_lo, ox_hi);
  } else if (g.filter_h == 5 && g.filter_w == 5) {
    DwConvS8Blocks<V, 5, 5>(g, row_begin, row_end, ox_lo, ox_hi);
  } else {
    DwConvS8Blocks<V, 0, 0>(g, row_begin, row_end, ox_lo, ox_hi);
  }
}

}  // namespace
}  // namespace ember::x86
