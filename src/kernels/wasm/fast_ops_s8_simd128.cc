// WebAssembly SIMD128 fast-op kernels on quantized data: int8 / int16 ADD,
// SUB (folded into ADD by a negative second multiplier) and MUL with the
// reference's double-rounding requantization, int8 MAX_POOL_2D /
// AVERAGE_POOL_2D and the int8 spatial sums of MEAN / SUM. Bit-exact with
// kernels/ref (tests/wasm/kernel_test.cc checks them against it). Values are
// widened to int32 lanes, four at a time: SIMD128 has no 8- or 16-bit
// multiply-high that would keep TFLite's rounding. Built only where the
// compiler targets SIMD128 (scripts/build_wasm.sh).
#if defined(__wasm_simd128__)
#include <algorithm>

#include "kernels/wasm/fast_ops_simd128.h"

namespace ember::x86 {
namespace {

// Walks the flat output range [begin, end) in spans over which every
// operand is contiguous (or one scalar): span(pa, pb, out_offset, len).
template <typename T, typename Span>
inline void ForEachSpan(const BinaryArgs& g, int64_t begin, int64_t end,
                        Span&& span) {
  const T* a = static_cast<const T*>(g.a);
  const T* b = static_cast<const T*>(g.b);
  const bool has_row = g.a_kind == Operand::kRow || g.b_kind == Operand::kRow;
  auto at = [](const T* p, Operand kind, int64_t i, int64_t j) {
    return kind == Operand::kFull ? p + i : kind == Operand::kRow ? p + j : p;
  };
  int64_t i = begin;
  // Only the first span can start inside a row.
  int64_t j = has_row ? i % g.row : 0;
  while (i < end) {
    const int64_t len = has_row ? std::min(end - i, g.row - j) : end - i;
    span(at(a, g.a_kind, i, j), at(b, g.b_kind, i, j), i, len);
    i += len;
    j = 0;
  }
}

// Sixteen int8 lanes widened to four vectors of int32, and back (values in
// range: the saturating narrows only pack).
struct Quad {
  v128_t v[4];
};
inline Quad WidenS8(v128_t bytes) {
  const v128_t lo = wasm_i16x8_extend_low_i8x16(bytes);
  const v128_t hi = wasm_i16x8_extend_high_i8x16(bytes);
  return {{wasm_i32x4_extend_low_i16x8(lo), wasm_i32x4_extend_high_i16x8(lo),
           wasm_i32x4_extend_low_i16x8(hi), wasm_i32x4_extend_high_i16x8(hi)}};
}
inline v128_t NarrowS8(v128_t r0, v128_t r1, v128_t r2, v128_t r3) {
  return wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r0, r1),
                                 wasm_i16x8_narrow_i32x4(r2, r3));
}

// One span of a quantized binary op: op(x, y) maps int32 lanes of the two
// inputs to the clamped int32 result. A scalar operand is one splat.
template <typename T, bool kAScalar, bool kBScalar, typename Op>
inline void QuantSpan(const T* a, const T* b, T* o, int64_t n, Op&& op) {
  const v128_t as = wasm_i32x4_splat(kAScalar ? *a : 0);
  const v128_t bs = wasm_i32x4_splat(kBScalar ? *b : 0);
  int64_t i = 0;
  if constexpr (sizeof(T) == 1) {
    for (; i + 16 <= n; i += 16) {
      const Quad x =
          kAScalar ? Quad{{as, as, as, as}} : WidenS8(wasm_v128_load(a + i));
      const Quad y =
          kBScalar ? Quad{{bs, bs, bs, bs}} : WidenS8(wasm_v128_load(b + i));
      wasm_v128_store(o + i, NarrowS8(op(x.v[0], y.v[0]), op(x.v[1], y.v[1]),
                                      op(x.v[2], y.v[2]), op(x.v[3], y.v[3])));
    }
    for (; i < n; i += 4) {
      const int64_t r = n - i;
      const v128_t x = kAScalar ? as : LoadS8x4(a + i, r);
      const v128_t y = kBScalar ? bs : LoadS8x4(b + i, r);
      StoreS8x4(o + i, op(x, y), r);
    }
  } else {
    for (; i + 8 <= n; i += 8) {
      v128_t x0 = as, x1 = as, y0 = bs, y1 = bs;
      if (!kAScalar) {
        const v128_t w = wasm_v128_load(a + i);
        x0 = wasm_i32x4_extend_low_i16x8(w);
        x1 = wasm_i32x4_extend_high_i16x8(w);
      }
      if (!kBScalar) {
        const v128_t w = wasm_v128_load(b + i);
        y0 = wasm_i32x4_extend_low_i16x8(w);
        y1 = wasm_i32x4_extend_high_i16x8(w);
      }
      wasm_v128_store(o + i, wasm_i16x8_narrow_i32x4(op(x0, y0), op(x1, y1)));
    }
    for (; i < n; i += 4) {
      const int64_t r = n - i;
      const v128_t x = kAScalar ? as : LoadS16x4(a + i, r);
      const v128_t y = kBScalar ? bs : LoadS16x4(b + i, r);
      StoreS16x4(o + i, op(x, y), r);
    }
  }
}

template <typename T, typename Op>
inline void QuantBinary(const BinaryArgs& g, int64_t begin, int64_t end,
                        Op&& op) {
  T* out = static_cast<T*>(g.out);
  const bool as = g.a_kind == Operand::kScalar,
             bs = g.b_kind == Operand::kScalar;
  ForEachSpan<T>(g, begin, end,
                 [&](const T* pa, const T* pb, int64_t o, int64_t len) {
                   if (as && bs) {
                     QuantSpan<T, true, true>(pa, pb, out + o, len, op);
                   } else if (as) {
                     QuantSpan<T, true, false>(pa, pb, out + o, len, op);
                   } else if (bs) {
                     QuantSpan<T, false, true>(pa, pb, out + o, len, op);
                   } else {
                     QuantSpan<T, false, false>(pa, pb, out + o, len, op);
                   }
                 });
}

// ref::QuantizedAddSub on int32 lanes: both inputs shifted left (20 bits
// for 8-bit data, 15 for int16) and moved to the common scale, summed,
// rescaled to the output, offset and clamped.
template <typename T>
void AddQ(const QuantAddArgs& q, const BinaryArgs& g, int64_t begin,
          int64_t end) {
  const v128_t off1 = wasm_i32x4_splat(q.in1_offset);
  const v128_t off2 = wasm_i32x4_splat(q.in2_offset);
  const v128_t out_off = wasm_i32x4_splat(q.out_offset);
  const v128_t lo = wasm_i32x4_splat(q.act_lo), hi = wasm_i32x4_splat(q.act_hi);
  const UniformRequant r1 = MakeUniformRequant(q.in1_mult, q.in1_shift);
  const UniformRequant r2 = MakeUniformRequant(q.in2_mult, q.in2_shift);
  const UniformRequant ro = MakeUniformRequant(q.out_mult, q.out_shift);
  const uint32_t shift = static_cast<uint32_t>(q.left_shift);
  QuantBinary<T>(g, begin, end, [&](v128_t x, v128_t y) {
    const uint32_t left = InLoop(shift);
    const v128_t sx = MulByQuantMultSimd128(
        wasm_i32x4_shl(wasm_i32x4_add(x, off1), left), r1);
    const v128_t sy = MulByQuantMultSimd128(
        wasm_i32x4_shl(wasm_i32x4_add(y, off2), left), r2);
    const v128_t r = wasm_i32x4_add(
        MulByQuantMultSimd128(wasm_i32x4_add(sx, sy), ro), out_off);
    return wasm_i32x4_min(wasm_i32x4_max(r, lo), hi);
  });
}

// ref::QuantizedMul on int32 lanes: the product of the offset inputs (below
// 2^31 for 8- and 16-bit data), rescaled, offset and clamped.
template <typename T>
void MulQ(const QuantMulArgs& q, const BinaryArgs& g, int64_t begin,
          int64_t end) {
  const v128_t off1 = wasm_i32x4_splat(q.in1_offset);
  const v128_t off2 = wasm_i32x4_splat(q.in2_offset);
  const v128_t out_off = wasm_i32x4_splat(q.out_offset);
  const v128_t lo = wasm_i32x4_splat(q.act_lo), hi = wasm_i32x4_splat(q.act_hi);
  const UniformRequant rq = MakeUniformRequant(q.mult, q.shift);
  QuantBinary<T>(g, begin, end, [&](v128_t x, v128_t y) {
    const v128_t prod =
        wasm_i32x4_mul(wasm_i32x4_add(x, off1), wasm_i32x4_add(y, off2));
    const v128_t r = wasm_i32x4_add(MulByQuantMultSimd128(prod, rq), out_off);
    return wasm_i32x4_min(wasm_i32x4_max(r, lo), hi);
  });
}

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

// Rounded average of int32 window sums: (sum +- count / 2) / count
// truncated, as ref::AveragePoolQuantized. The quotient is taken in float,
// exact while |sum| + count / 2 < 2^24 (PoolS8Exact keeps |sum| < 2^23): a
// non-integral quotient is at least 1 / count from the next integer, more
// than float's rounding error there.
inline v128_t RoundedAverage(v128_t sum, int32_t count) {
  const v128_t half = wasm_i32x4_splat(count / 2);
  const v128_t adjusted =
      wasm_v128_bitselect(wasm_i32x4_add(sum, half), wasm_i32x4_sub(sum, half),
                          wasm_i32x4_gt(sum, wasm_i32x4_splat(0)));
  return wasm_i32x4_trunc_sat_f32x4(
      wasm_f32x4_div(wasm_f32x4_convert_i32x4(adjusted),
                     wasm_f32x4_splat(static_cast<float>(count))));
}

}  // namespace

void AddS8WasmSimd128(const QuantAddArgs& q, const BinaryArgs& g, int64_t begin,
                      int64_t end) {
  AddQ<int8_t>(q, g, begin, end);
}

void AddS16WasmSimd128(const QuantAddArgs& q, const BinaryArgs& g,
                       int64_t begin, int64_t end) {
  AddQ<int16_t>(q, g, begin, end);
}

void MulS8WasmSimd128(const QuantMulArgs& q, const BinaryArgs& g, int64_t begin,
                      int64_t end) {
  MulQ<int8_t>(q, g, begin, end);
}

void MulS16WasmSimd128(const QuantMulArgs& q, const BinaryArgs& g,
                       int64_t begin, int64_t end) {
  MulQ<int16_t>(q, g, begin, end);
}

// Channels vectorized: sixteen per step (max on int8 lanes directly,
// averages summed in int32 lanes), then four at a time for the rest.
void PoolS8WasmSimd128(bool max, const ref::PoolParams& p, const int8_t* in,
                       int8_t* out, int64_t row_begin, int64_t row_end) {
  const int64_t c_total = p.channels;
  const v128_t lo = wasm_i32x4_splat(p.quant_lo);
  const v128_t hi = wasm_i32x4_splat(p.quant_hi);
  // The activation range lies in int8 for int8 data; clamped to it anyway
  // so the byte clamp below equals the reference's int32 one.
  const v128_t lo8 = wasm_i8x16_splat(
      static_cast<int8_t>(std::clamp<int32_t>(p.quant_lo, -128, 127)));
  const v128_t hi8 = wasm_i8x16_splat(
      static_cast<int8_t>(std::clamp<int32_t>(p.quant_hi, -128, 127)));
  const bool byte_clamp =
      p.quant_lo >= -128 && p.quant_hi <= 127 && p.quant_lo <= p.quant_hi;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / p.out_h);
    const int32_t oy = static_cast<int32_t>(row % p.out_h);
    const int8_t* image =
        in + static_cast<int64_t>(b) * p.in_h * p.in_w * c_total;
    int8_t* o = out + row * p.out_w * c_total;
    for (int32_t ox = 0; ox < p.out_w; ++ox, o += c_total) {
      const Window w = PoolWindow(p, oy, ox);
      const int32_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
      auto tap = [&](int32_t y, int32_t x, int64_t c) {
        return image + (static_cast<int64_t>(y) * p.in_w + x) * c_total + c;
      };
      int64_t c = 0;
      for (; c + 16 <= c_total; c += 16) {
        if (max && byte_clamp) {
          v128_t m = wasm_i8x16_splat(-128);
          for (int32_t y = w.y0; y < w.y1; ++y)
            for (int32_t x = w.x0; x < w.x1; ++x)
              m = wasm_i8x16_max(m, wasm_v128_load(tap(y, x, c)));
          wasm_v128_store(o + c, wasm_i8x16_min(wasm_i8x16_max(m, lo8), hi8));
          continue;
        }
        Quad acc;
        for (v128_t& v : acc.v)
          v = max ? wasm_i32x4_splat(-128) : wasm_i32x4_splat(0);
        for (int32_t y = w.y0; y < w.y1; ++y) {
          for (int32_t x = w.x0; x < w.x1; ++x) {
            const Quad v = WidenS8(wasm_v128_load(tap(y, x, c)));
            for (int k = 0; k < 4; ++k)
              acc.v[k] = max ? wasm_i32x4_max(acc.v[k], v.v[k])
                             : wasm_i32x4_add(acc.v[k], v.v[k]);
          }
        }
        for (v128_t& v : acc.v) {
          if (!max)
            v = count > 0 ? RoundedAverage(v, count) : wasm_i32x4_splat(0);
          v = wasm_i32x4_min(wasm_i32x4_max(v, lo), hi);
        }
        wasm_v128_store(o + c,
                        NarrowS8(acc.v[0], acc.v[1], acc.v[2], acc.v[3]));
      }
      for (; c < c_total; c += 4) {
        const int64_t n = c_total - c;
        v128_t acc = max ? wasm_i32x4_splat(-128) : wasm_i32x4_splat(0);
        for (int32_t y = w.y0; y < w.y1; ++y) {
          for (int32_t x = w.x0; x < w.x1; ++x) {
            const v128_t v = LoadS8x4(tap(y, x, c), n);
            acc = max ? wasm_i32x4_max(acc, v) : wasm_i32x4_add(acc, v);
          }
        }
        if (!max)
          acc = count > 0 ? RoundedAverage(acc, count) : wasm_i32x4_splat(0);
        StoreS8x4(o + c, wasm_i32x4_min(wasm_i32x4_max(acc, lo), hi), n);
      }
    }
  }
}

// out[c] = sum over s of in[s * channels + c] (exact int32 sums).
void SpatialSumS8WasmSimd128(const int8_t* in, int64_t spatial,
                             int64_t channels, int64_t c_begin, int64_t c_end,
                             int32_t* out) {
  int64_t c = c_begin;
  for (; c + 16 <= c_end; c += 16) {
    Quad acc{{wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0),
              wasm_i32x4_splat(0)}};
    const int8_t* src = in + c;
    for (int64_t s = 0; s < spatial; ++s, src += channels) {
      const Quad v = WidenS8(wasm_v128_load(src));
      for (int k = 0; k < 4; ++k) acc.v[k] = wasm_i32x4_add(acc.v[k], v.v[k]);
    }
    for (int k = 0; k < 4; ++k) wasm_v128_store(out + c + 4 * k, acc.v[k]);
  }
  for (; c < c_end; c += 4) {
    const int64_t n = std::min<int64_t>(4, c_end - c);
    v128_t acc = wasm_i32x4_splat(0);
    const int8_t* src = in + c;
    for (int64_t s = 0; s < spatial; ++s, src += channels)
      acc = wasm_i32x4_add(acc, LoadS8x4(src, n));
    out[c] = wasm_i32x4_extract_lane(acc, 0);
    if (n > 1) out[c + 1] = wasm_i32x4_extract_lane(acc, 1);
    if (n > 2) out[c + 2] = wasm_i32x4_extract_lane(acc, 2);
    if (n > 3) out[c + 3] = wasm_i32x4_extract_lane(acc, 3);
  }
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
