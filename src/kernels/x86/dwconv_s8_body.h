// The int8 depthwise loop nest, written once and instantiated per ISA by
// dwconv_s8_<isa>.cc with a traits type V (compiled with that ISA's flags;
// included only there, so everything stays in an unnamed namespace):
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
// For each output row and channel block the weights stay in registers (3x3
// and 5x5 are unrolled) while the row's pixels stream past; padding rows
// read the zero-point row, padding columns take the checked edge path.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/x86/dwconv_s8.h"

namespace ember::x86 {
namespace {

template <class V>
struct DwS8Block {
  const DwConvS8Args& g;
  const int8_t* const* rows;  // per ky, already offset to the channel block
  const int8_t* pad_px;       // zero-point pixel, offset to the block
  const int32_t* weights;     // packed weights at the block
  int32_t cp;                 // padded channels (packed stride)
  typename V::Mask m;
  typename V::Vec bias;
  typename V::Requant rq;
  typename V::Vec offset, lo, hi;
  int8_t* out;                // output row at the block

  void Emit(int32_t ox, typename V::Vec acc) const {
    V::Store(out + static_cast<int64_t>(ox) * g.channels, m,
             V::Requantize(acc, rq), offset, lo, hi);
  }

  // Any pixel: taps outside the input read the zero-point pixel.
  void Edge(int32_t ox) const {
    const int32_t ix0 = ox * g.stride_w - g.pad_left;
    typename V::Vec acc = bias;
    for (int32_t ky = 0; ky < g.filter_h; ++ky) {
      for (int32_t kx = 0; kx < g.filter_w; ++kx) {
        const int32_t ix = ix0 + kx * g.dilation_w;
        const int8_t* p = (ix < 0 || ix >= g.in_w)
                              ? pad_px
                              : rows[ky] + static_cast<int64_t>(ix) * g.channels;
        acc = V::MulAcc(acc, V::LoadX(p, m),
                        V::Load32(weights +
                                  static_cast<int64_t>(ky * g.filter_w + kx) * cp));
      }
    }
    Emit(ox, acc);
  }

  // Interior pixels [ox_lo, ox_hi), KH x KW known at compile time: weights
  // in registers, two accumulators (even / odd filter rows) for latency.
  template <int KH, int KW>
  void InteriorFixed(int32_t ox_lo, int32_t ox_hi) const {
    typename V::Vec w[KH * KW];
    for (int t = 0; t < KH * KW; ++t)
      w[t] = V::Load32(weights + static_cast<int64_t>(t) * cp);
    const int64_t step = static_cast<int64_t>(g.dilation_w) * g.channels;
    for (int32_t ox = ox_lo; ox < ox_hi; ++ox) {
      const int64_t off =
          static_cast<int64_t>(ox * g.stride_w - g.pad_left) * g.channels;
      typename V::Vec acc0 = bias;
      typename V::Vec acc1 = V::Zero();
      for (int ky = 0; ky < KH; ++ky) {
        const int8_t* r = rows[ky] + off;
        for (int kx = 0; kx < KW; ++kx) {
          const typename V::Vec x = V::LoadX(r + kx * step, m);
          if (ky % 2 == 0) {
            acc0 = V::MulAcc(acc0, x, w[ky * KW + kx]);
          } else {
            acc1 = V::MulAcc(acc1, x, w[ky * KW + kx]);
          }
        }
      }
      Emit(ox, V::Add(acc0, acc1));
    }
  }

  // Interior pixels with stride 1 and no horizontal dilation: NP adjacent
  // outputs at a time share their input columns, so each input vector is
  // loaded and widened once for up to KW outputs instead of once per tap.
  template <int KH, int KW, int NP>
  void InteriorSliding(int32_t ox_lo, int32_t ox_hi) const {
    typename V::Vec w[KH * KW];
    for (int t = 0; t < KH * KW; ++t)
      w[t] = V::Load32(weights + static_cast<int64_t>(t) * cp);
    const int64_t C = g.channels;
    int32_t ox = ox_lo;
    for (; ox + NP <= ox_hi; ox += NP) {
      const int64_t off = static_cast<int64_t>(ox - g.pad_left) * C;
      typename V::Vec acc[NP];
      for (int p = 0; p < NP; ++p) acc[p] = bias;
      for (int ky = 0; ky < KH; ++ky) {
        const int8_t* r = rows[ky] + off;
        for (int col = 0; col < KW + NP - 1; ++col) {
          const typename V::Vec x = V::LoadX(r + col * C, m);
          for (int p = 0; p < NP; ++p) {
            const int kx = col - p;
            if (kx >= 0 && kx < KW)
              acc[p] = V::MulAcc(acc[p], x, w[ky * KW + kx]);
          }
        }
      }
      for (int p = 0; p < NP; ++p) Emit(ox + p, acc[p]);
    }
    if (ox < ox_hi) InteriorFixed<KH, KW>(ox, ox_hi);
  }

  // Interior pixels, any filter size (weights from L1).
  void InteriorAny(int32_t ox_lo, int32_t ox_hi) const {
    const int64_t step = static_cast<int64_t>(g.dilation_w) * g.channels;
    for (int32_t ox = ox_lo; ox < ox_hi; ++ox) {
      const int64_t off =
          static_cast<int64_t>(ox * g.stride_w - g.pad_left) * g.channels;
      typename V::Vec acc = bias;
      const int32_t* w = weights;
      for (int32_t ky = 0; ky < g.filter_h; ++ky) {
        const int8_t* r = rows[ky] + off;
        for (int32_t kx = 0; kx < g.filter_w; ++kx, w += cp) {
          acc = V::MulAcc(acc, V::LoadX(r + kx * step, m), V::Load32(w));
        }
      }
      Emit(ox, acc);
    }
  }
};

template <class V>
void DwConvS8Rows(const DwConvS8Args& g, int64_t row_begin, int64_t row_end) {
  const int32_t C = g.channels;
  const int32_t cp = DwS8PaddedChannels(C);
  const int32_t kh = g.filter_h, kw = g.filter_w;
  const int64_t taps = static_cast<int64_t>(kh) * kw;
  const int32_t* bias_arr = g.packed + taps * cp;
  const int32_t* mult_arr = bias_arr + cp;
  const int32_t* left_arr = mult_arr + cp;
  const int32_t* right_arr = left_arr + cp;
  constexpr int kMaxRows = 64;
  const int8_t* rows[kMaxRows];  // per ky (kh <= kMaxRows checked by caller)
  const int8_t* block_rows[kMaxRows];
  // Output columns whose taps all fall inside the input.
  int32_t ox_lo = 0;
  while (ox_lo < g.out_w && ox_lo * g.stride_w - g.pad_left < 0) ++ox_lo;
  int32_t ox_hi = g.out_w;
  while (ox_hi > ox_lo &&
         (ox_hi - 1) * g.stride_w - g.pad_left + (kw - 1) * g.dilation_w >= g.in_w)
    --ox_hi;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / g.out_h);
    const int32_t oy = static_cast<int32_t>(row % g.out_h);
    const int8_t* in_b = g.input + static_cast<int64_t>(b) * g.in_h * g.in_w * C;
    for (int32_t ky = 0; ky < kh; ++ky) {
      const int32_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      rows[ky] = (iy >= 0 && iy < g.in_h)
                     ? in_b + static_cast<int64_t>(iy) * g.in_w * C
                     : g.zero_row;
    }
    int8_t* out_row = g.output + row * g.out_w * C;
    for (int32_t c = 0; c < C; c += V::kLanes) {
      for (int32_t ky = 0; ky < kh; ++ky) block_rows[ky] = rows[ky] + c;
      const DwS8Block<V> blk{g,
                             block_rows,
                             g.zero_row + c,
                             g.packed + c,
                             cp,
                             V::MakeMask(C - c),
                             V::Load32(bias_arr + c),
                             V::MakeRequant(V::Load32(mult_arr + c),
                                            V::Load32(left_arr + c),
                                            V::Load32(right_arr + c)),
                             V::Set1(g.output_offset),
                             V::Set1(g.act_lo),
                             V::Set1(g.act_hi),
                             out_row + c};
      for (int32_t ox = 0; ox < ox_lo; ++ox) blk.Edge(ox);
      const bool sliding = g.stride_w == 1 && g.dilation_w == 1;
      if (kh == 3 && kw == 3) {
        if (sliding) {
          blk.template InteriorSliding<3, 3, 4>(ox_lo, ox_hi);
        } else {
          blk.template InteriorFixed<3, 3>(ox_lo, ox_hi);
        }
      } else if (kh == 5 && kw == 5) {
        if (sliding) {
          blk.template InteriorSliding<5, 5, 2>(ox_lo, ox_hi);
        } else {
          blk.template InteriorFixed<5, 5>(ox_lo, ox_hi);
        }
      } else {
        blk.InteriorAny(ox_lo, ox_hi);
      }
      for (int32_t ox = std::max(ox_hi, ox_lo); ox < g.out_w; ++ox) blk.Edge(ox);
    }
  }
}

}  // namespace
}  // namespace ember::x86
