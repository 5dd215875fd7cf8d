// BATCH_TO_SPACE_ND / SPACE_TO_BATCH_ND over [batch, height, width, depth]
// (3-D inputs are viewed with width 1 and block width 1), elements moved as
// opaque bytes.
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::ref {

struct SpaceBatchParams {
  int32_t in_b, in_h, in_w, depth;
  int32_t out_b, out_h, out_w;
  int32_t block_h, block_w;
  int32_t pad_top, pad_left;  // crops for batch_to_space
};

// out[b, h, w] = in[(by * block_w + bx) * out_b + b, hh, ww] where
// h + crop_top = hh * block_h + by and w + crop_left = ww * block_w + bx.
inline void BatchToSpace(const SpaceBatchParams& p, const uint8_t* in,
                         uint8_t* out, size_t elem_size) {
  const size_t pixel = static_cast<size_t>(p.depth) * elem_size;
  if (pixel == 0) return;
  for (int32_t b = 0; b < p.out_b; ++b) {
    for (int32_t h = 0; h < p.out_h; ++h) {
      const int32_t sh = h + p.pad_top;
      const int32_t hh = sh / p.block_h, by = sh % p.block_h;
      for (int32_t w = 0; w < p.out_w; ++w) {
        const int32_t sw = w + p.pad_left;
        const int32_t ww = sw / p.block_w, bx = sw % p.block_w;
        const int64_t ib =
            static_cast<int64_t>(by * p.block_w + bx) * p.out_b + b;
        const int64_t src = ((ib * p.in_h + hh) * p.in_w + ww);
        memcpy(out, in + src * pixel, pixel);
        out += pixel;
      }
    }
  }
}

// out[(by * block_w + bx) * in_b + b, h, w] = in[b, h * block_h + by - pad_top,
// w * block_w + bx - pad_left], or `pad_value` outside the input.
inline void SpaceToBatch(const SpaceBatchParams& p, const uint8_t* in,
                         uint8_t* out, size_t elem_size,
                         const uint8_t* pad_value) {
  const size_t pixel = static_cast<size_t>(p.depth) * elem_size;
  if (pixel == 0) return;
  for (int32_t ob = 0; ob < p.out_b; ++ob) {
    const int32_t b = ob % p.in_b;
    const int32_t shift = ob / p.in_b;
    const int32_t by = shift / p.block_w, bx = shift % p.block_w;
    for (int32_t h = 0; h < p.out_h; ++h) {
      const int32_t ih = h * p.block_h + by - p.pad_top;
      for (int32_t w = 0; w < p.out_w; ++w) {
        const int32_t iw = w * p.block_w + bx - p.pad_left;
        if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) {
          for (int32_t c = 0; c < p.depth; ++c)
            memcpy(out + c * elem_size, pad_value, elem_size);
        } else {
          const int64_t src =
              (static_cast<int64_t>(b) * p.in_h + ih) * p.in_w + iw;
          memcpy(out, in + src * pixel, pixel);
        }
        out += pixel;
      }
    }
  }
}

}  // namespace ember::ref
