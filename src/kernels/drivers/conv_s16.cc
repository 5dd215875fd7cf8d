#include "kernels/drivers/conv_s16.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels/drivers/conv_f32.h"

namespace ember::x86 {

int32_t S16ConvLayout::ChunkPadded(int32_t c) const {
  const int32_t len = std::min(kS16ConvChunkK, k - c * kS16ConvChunkK);
  return S8MatMulPaddedK(len);
}

size_t S16ConvLayout::PackedElements() const {
  size_t n = 0;
  for (int32_t c = 0; c < chunks; ++c)
    n += static_cast<size_t>(out_c) * static_cast<size_t>(ChunkPadded(c));
  return n;
}

size_t S16ConvLayout::SlotScratchBytes() const {
  const size_t patch = sizeof(int16_t) * static_cast<size_t>(chunks) *
                       static_cast<size_t>(kS16ConvChunkK);
  return patch + sizeof(int32_t) * static_cast<size_t>(out_c) +
         sizeof(int64_t) * static_cast<size_t>(out_c) + 64;
}

S16ConvLayout MakeS16ConvLayout(const ref::ConvShape& s) {
  S16ConvLayout l;
  l.k = s.filter_h * s.filter_w * s.in_c;
  l.chunks = (l.k + kS16ConvChunkK - 1) / kS16ConvChunkK;
  l.out_c = s.out_c;
  return l;
}

template <typename FilterT>
void PackS16ConvWeights(const S16ConvLayout& l, const FilterT* filter,
                        int32_t filter_offset, int16_t* packed) {
  int16_t* dst = packed;
  for (int32_t c = 0; c < l.chunks; ++c) {
    const int32_t k0 = c * kS16ConvChunkK;
    const int32_t len = std::min(kS16ConvChunkK, l.k - k0);
    const int32_t padded = l.ChunkPadded(c);
    for (int32_t oc = 0; oc < l.out_c; ++oc) {
      const FilterT* src = filter + static_cast<int64_t>(oc) * l.k + k0;
      for (int32_t t = 0; t < len; ++t)
        dst[t] = static_cast<int16_t>(src[t] + filter_offset);
      for (int32_t t = len; t < padded; ++t) dst[t] = 0;
      dst += padded;
    }
  }
}

template void PackS16ConvWeights<int8_t>(const S16ConvLayout&, const int8_t*,
                                         int32_t, int16_t*);
template void PackS16ConvWeights<uint8_t>(const S16ConvLayout&, const uint8_t*,
                                          int32_t, int16_t*);

const char* S16ConvLabel(const S8MatMulKernel& dot, bool uint8) {
  const bool avx2 = dot.isa == kernels::Isa::kAvx2;
  if (uint8)
    return avx2 ? "x86_avx2_conv_u8_widened" : "portable_conv_u8_widened";
  return avx2 ? "x86_avx2_conv_s16x8" : "portable_conv_s16x8";
}

namespace {

// Gathers output pixel (b, oy, ox)'s receptive field, in the filter's
// (ky, kx, ic) order, into `patch`; taps in the padding read 0 (the int16
// zero point), and so does everything after k up to the chunks' end.
template <typename InT>
void GatherPatch(const ref::ConvShape& s, const S16ConvLayout& l,
                 const InT* input, int32_t input_offset, int32_t b, int32_t oy,
                 int32_t ox, int16_t* patch) {
  const size_t row_bytes = sizeof(int16_t) * static_cast<size_t>(s.in_c);
  int16_t* dst = patch;
  for (int32_t ky = 0; ky < s.filter_h; ++ky) {
    const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
    for (int32_t kx = 0; kx < s.filter_w; ++kx) {
      const int32_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
      if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) {
        std::memset(dst, 0, row_bytes);
      } else {
        const InT* src =
            input +
            ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) * s.in_c;
        if constexpr (std::is_same_v<InT, int16_t>) {
          std::memcpy(dst, src, row_bytes);
        } else {
          for (int32_t c = 0; c < s.in_c; ++c)
            dst[c] = static_cast<int16_t>(src[c] + input_offset);
        }
      }
      dst += s.in_c;
    }
  }
  const int32_t end = l.chunks * kS16ConvChunkK;
  std::memset(dst, 0, sizeof(int16_t) * static_cast<size_t>(end - l.k));
}

}  // namespace

template <typename AccT, typename InT, typename BiasT, typename OutT>
void RunS16Conv(ThreadPool* pool, int slots, const S8MatMulKernel& dot,
                const ref::ConvShape& s, const S16ConvLayout& l,
                const InT* input, int32_t input_offset, const int16_t* packed,
                const BiasT* bias, const ref::QuantizedOutput& q, OutT* output,
                uint8_t* scratch) {
  const int64_t pixels = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  const int64_t macs = pixels * l.k * static_cast<int64_t>(l.out_c);
  const int tasks = MacTasks(pool, macs, std::min<int64_t>(pixels, slots));
  const size_t stride = S16ConvSlotStride(l);
  ParallelTasks(pool, pixels, tasks, [&](int64_t p0, int64_t p1, int slot) {
    uint8_t* mem = scratch + static_cast<size_t>(slot) * stride;
    auto* patch = reinterpret_cast<int16_t*>(mem);
    auto* sum32 = reinterpret_cast<int32_t*>(
        mem + sizeof(int16_t) * static_cast<size_t>(l.chunks) *
                  static_cast<size_t>(kS16ConvChunkK));
    auto* sum64 = reinterpret_cast<int64_t*>(
        (reinterpret_cast<uintptr_t>(sum32 + l.out_c) + 7) & ~uintptr_t{7});
    for (int64_t p = p0; p < p1; ++p) {
      const int32_t ox = static_cast<int32_t>(p % s.out_w);
      const int32_t oy = static_cast<int32_t>((p / s.out_w) % s.out_h);
      const int32_t b = static_cast<int32_t>(p / (int64_t{s.out_w} * s.out_h));
      GatherPatch(s, l, input, input_offset, b, oy, ox, patch);
      const int16_t* w = packed;
      for (int32_t c = 0; c < l.chunks; ++c) {
        const int32_t padded = l.ChunkPadded(c);
        dot.fn(patch + c * kS16ConvChunkK, w, l.out_c, padded, sum32);
        w += static_cast<int64_t>(l.out_c) * padded;
        for (int32_t oc = 0; oc < l.out_c; ++oc)
          sum64[oc] = (c == 0 ? 0 : sum64[oc]) + sum32[oc];
      }
      OutT* out = output + p * l.out_c;
      for (int32_t oc = 0; oc < l.out_c; ++oc) {
        // The reference's own accumulator type: an int32 sum wraps.
        AccT acc = static_cast<AccT>(sum64[oc]);
        if (bias) acc += static_cast<AccT>(bias[oc]);
        out[oc] = static_cast<int16_t>(
            ref::Requantize(acc, q.multiplier[oc], q.shift[oc], q.output_offset,
                            q.act_lo, q.act_hi, q.rounding));
      }
    }
  });
}

template void RunS16Conv<int64_t, int16_t, int64_t, int16_t>(
    ThreadPool*, int, const S8MatMulKernel&, const ref::ConvShape&,
    const S16ConvLayout&, const int16_t*, int32_t, const int16_t*,
    const int64_t*, const ref::QuantizedOutput&, int16_t*, uint8_t*);
template void RunS16Conv<int32_t, int16_t, int32_t, int16_t>(
    ThreadPool*, int, const S8MatMulKernel&, const ref::ConvShape&,
    const S16ConvLayout&, const int16_t*, int32_t, const int16_t*,
    const int32_t*, const ref::QuantizedOutput&, int16_t*, uint8_t*);
template void RunS16Conv<int32_t, uint8_t, int32_t, uint8_t>(
    ThreadPool*, int, const S8MatMulKernel&, const ref::ConvShape&,
    const S16ConvLayout&, const uint8_t*, int32_t, const int16_t*,
    const int32_t*, const ref::QuantizedOutput&, uint8_t*, uint8_t*);

}  // namespace ember::x86
