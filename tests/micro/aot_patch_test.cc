// The band / halo arithmetic of patch-based execution in `ember micro
// export --aot` (tools/micro_aot_patch.h): for random chains of layers
// (filter heights, strides, dilations, SAME and VALID padding), every band
// reads exactly the input rows its outputs' taps reach (the halo), maps
// each tap to the same input element as the whole-tensor call, and the
// bands cover the output; then int8 chains (CONV_2D, DEPTHWISE_CONV_2D)
// run band by band with the reference kernels give bit-identical outputs
// to the whole-tensor run. The QEMU side is tests/micro/patch_test.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "../../tools/micro_aot_patch.h"
#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"

namespace ember::cli {
namespace {

PatchLayer Layer(int32_t in_h, int32_t filter_h, int32_t stride,
                 int32_t dilation, bool same) {
  PatchLayer l;
  l.in_h = in_h;
  l.filter_h = filter_h;
  l.stride_h = stride;
  l.dilation_h = dilation;
  const int32_t span = (filter_h - 1) * dilation + 1;
  if (same) {
    l.out_h = (in_h + stride - 1) / stride;
    const int32_t total = std::max((l.out_h - 1) * stride + span - in_h, 0);
    l.pad_top = total / 2;
  } else {
    l.out_h = (in_h - span) / stride + 1;
    l.pad_top = 0;
  }
  return l;
}

TEST(AotPatch, KnownRows) {
  // person_detect's first layer: 3x3, stride 2, SAME, 96 -> 48 rows.
  const PatchLayer l = Layer(96, 3, 2, 1, true);
  EXPECT_EQ(l.out_h, 48);
  EXPECT_EQ(l.pad_top, 0);
  RowRange r = InputRowsFor(l, {0, 1});
  EXPECT_EQ(r.begin, 0);
  EXPECT_EQ(r.end, 3);
  r = InputRowsFor(l, {47, 48});  // the bottom tap is padding
  EXPECT_EQ(r.begin, 94);
  EXPECT_EQ(r.end, 96);
  // 3x3 stride 1 SAME: one row of halo each side, none past the edges.
  const PatchLayer s1 = Layer(10, 3, 1, 1, true);
  r = InputRowsFor(s1, {0, 4});
  EXPECT_EQ(r.begin, 0);
  EXPECT_EQ(r.end, 5);
  r = InputRowsFor(s1, {4, 8});
  EXPECT_EQ(r.begin, 3);
  EXPECT_EQ(r.end, 9);
  // A chain: 3x3/s1 then 3x3/s2; the last band's rows back to the input.
  const std::vector<PatchLayer> chain = {Layer(16, 3, 1, 1, true),
                                         Layer(16, 3, 2, 1, true)};
  const std::vector<BandLayer> band = BandOf(chain, {2, 4});
  EXPECT_EQ(band[1].in.begin, 4);  // rows 4..8 of the first layer's output
  EXPECT_EQ(band[1].in.end, 9);
  EXPECT_EQ(band[0].out.begin, 4);
  EXPECT_EQ(band[0].in.begin, 3);
  EXPECT_EQ(band[0].in.end, 10);
  EXPECT_EQ(band[0].pad_top, 0);
  EXPECT_EQ(MaxBandRows(chain, 2), (std::vector<int32_t>{5, 2}));
  // Recomputed halo: the first layer computes 4 bands of 5, 5, 5, 4 rows
  // (first band 0..4, last 12..15) instead of 16.
  EXPECT_EQ(ComputedRows(chain, 2)[0], 5 + 5 + 5 + 4);
  EXPECT_EQ(ComputedRows(chain, 2)[1], 8);
}

TEST(AotPatch, RandomChainsReadExactlyTheirTaps) {
  std::mt19937 rng(12);
  auto pick = [&](int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
  };
  int32_t checked = 0;
  for (int32_t trial = 0; trial < 300; ++trial) {
    std::vector<PatchLayer> chain;
    int32_t h = pick(6, 40);
    const int32_t layers = pick(1, 4);
    for (int32_t k = 0; k < layers && h >= 1; ++k) {
      const PatchLayer l =
          Layer(h, pick(1, 5), pick(1, 2), pick(1, 2), pick(0, 1) == 1);
      if (l.out_h < 1) break;
      chain.push_back(l);
      h = l.out_h;
    }
    if (chain.empty()) continue;
    const int32_t rows = pick(1, chain.back().out_h);
    std::vector<int32_t> covered(chain.back().out_h, 0);
    for (const RowRange& r : SplitRows(chain.back().out_h, rows)) {
      const std::vector<BandLayer> band = BandOf(chain, r);
      for (int32_t y = r.begin; y < r.end; ++y) ++covered[y];
      for (size_t k = 0; k < chain.size(); ++k) {
        const PatchLayer& l = chain[k];
        const BandLayer& b = band[k];
        if (k + 1 < chain.size()) {
          EXPECT_EQ(b.out.begin, band[k + 1].in.begin);
          EXPECT_EQ(b.out.end, band[k + 1].in.end);
        }
        std::vector<bool> read(l.in_h, false);
        for (int32_t oy = b.out.begin; oy < b.out.end; ++oy) {
          for (int32_t ky = 0; ky < l.filter_h; ++ky) {
            const int32_t iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
            const int32_t band_iy =
                (oy - b.out.begin) * l.stride_h - b.pad_top + ky * l.dilation_h;
            if (iy < 0 || iy >= l.in_h) {
              // Padding in the whole call: outside the band's rows too.
              EXPECT_TRUE(band_iy < 0 || band_iy >= b.in.rows());
              continue;
            }
            read[iy] = true;
            ASSERT_GE(iy, b.in.begin) << "trial " << trial;
            ASSERT_LT(iy, b.in.end) << "trial " << trial;
            EXPECT_EQ(band_iy, iy - b.in.begin);
            ++checked;
          }
        }
        // No row beyond the first and last taps.
        if (b.in.rows() > 0) {
          EXPECT_TRUE(read[b.in.begin]) << "trial " << trial;
          EXPECT_TRUE(read[b.in.end - 1]) << "trial " << trial;
        }
      }
    }
    for (int32_t c : covered) EXPECT_EQ(c, 1);
  }
  EXPECT_GT(checked, 1000);
}

// A layer's int8 weights and requantization, run whole or on a band.
struct Int8Layer {
  bool depthwise = false;
  PatchLayer rows;
  int32_t in_c = 0, out_c = 0, width = 0, filter_w = 0, stride_w = 1,
          pad_left = 0;
  std::vector<int8_t> filter;
  std::vector<int32_t> bias, mult, shift;

  void Run(const int8_t* in, int32_t in_h, int32_t out_h, int32_t pad_top,
           int8_t* out) const {
    ref::QuantizedOutput q;
    q.output_offset = 3;
    q.act_lo = -128;
    q.act_hi = 127;
    q.multiplier = mult.data();
    q.shift = shift.data();
    const int32_t out_w = (width + stride_w - 1) / stride_w;
    if (depthwise) {
      ref::DepthwiseShape s;
      s.batches = 1, s.in_h = in_h, s.in_w = width, s.in_c = in_c;
      s.filter_h = rows.filter_h, s.filter_w = filter_w;
      s.depth_multiplier = out_c / in_c;
      s.out_h = out_h, s.out_w = out_w;
      s.stride_h = rows.stride_h, s.stride_w = stride_w;
      s.dilation_h = rows.dilation_h, s.dilation_w = 1;
      s.pad_top = pad_top, s.pad_left = pad_left;
      ref::DepthwiseConvQuantized<int32_t>(s, in, 5, filter.data(), 0,
                                           bias.data(), q, out);
    } else {
      ref::ConvShape s;
      s.batches = 1, s.in_h = in_h, s.in_w = width, s.in_c = in_c;
      s.filter_h = rows.filter_h, s.filter_w = filter_w;
      s.filter_in_c = in_c, s.out_c = out_c;
      s.out_h = out_h, s.out_w = out_w;
      s.stride_h = rows.stride_h, s.stride_w = stride_w;
      s.dilation_h = rows.dilation_h, s.dilation_w = 1;
      s.pad_top = pad_top, s.pad_left = pad_left;
      ref::ConvQuantized<int32_t>(s, in, 5, filter.data(), 0, bias.data(), q,
                                  out);
    }
  }
};

TEST(AotPatch, BandedInt8ChainsAreBitIdentical) {
  std::mt19937 rng(7);
  auto pick = [&](int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
  };
  for (int32_t trial = 0; trial < 40; ++trial) {
    std::vector<Int8Layer> net;
    int32_t h = pick(8, 24), w = pick(3, 9), c = pick(1, 3);
    const int32_t in_h = h, in_w = w, in_c = c;
    const int32_t layers = pick(2, 4);
    for (int32_t k = 0; k < layers; ++k) {
      Int8Layer l;
      l.depthwise = pick(0, 1) == 1;
      // Stride 2, SAME, a depthwise in most chains; dilation 2 sometimes.
      l.rows = Layer(h, pick(1, 3), pick(1, 2), pick(0, 3) == 0 ? 2 : 1, true);
      if (l.rows.out_h < 1) break;
      l.in_c = c;
      l.out_c = l.depthwise ? c * pick(1, 2) : pick(1, 4);
      l.width = w;
      l.filter_w = pick(1, 3);
      l.stride_w = pick(1, 2);
      const int32_t out_w = (w + l.stride_w - 1) / l.stride_w;
      l.pad_left = std::max((out_w - 1) * l.stride_w + l.filter_w - w, 0) / 2;
      const int32_t taps = l.rows.filter_h * l.filter_w *
                           (l.depthwise ? l.out_c : l.out_c * l.in_c);
      for (int32_t i = 0; i < taps; ++i)
        l.filter.push_back(static_cast<int8_t>(pick(-127, 127)));
      for (int32_t i = 0; i < l.out_c; ++i) {
        l.bias.push_back(pick(-2000, 2000));
        l.mult.push_back(pick(1 << 29, (1 << 30) - 1));
        l.shift.push_back(pick(-9, -6));
      }
      h = l.rows.out_h;
      w = out_w;
      c = l.out_c;
      net.push_back(l);
    }
    if (net.size() < 2) continue;
    std::vector<int8_t> input(static_cast<size_t>(in_h) * in_w * in_c);
    for (int8_t& v : input) v = static_cast<int8_t>(pick(-128, 127));
    // Whole tensors, layer after layer.
    std::vector<int8_t> x = input;
    for (const Int8Layer& l : net) {
      const int32_t out_w = (l.width + l.stride_w - 1) / l.stride_w;
      std::vector<int8_t> y(static_cast<size_t>(l.rows.out_h) * out_w *
                            l.out_c);
      l.Run(x.data(), l.rows.in_h, l.rows.out_h, l.rows.pad_top, y.data());
      x.swap(y);
    }
    // Band by band, each layer on just the rows the next one reads.
    std::vector<PatchLayer> chain;
    for (const Int8Layer& l : net) chain.push_back(l.rows);
    const int32_t rows = pick(1, chain.back().out_h);
    std::vector<int8_t> banded(x.size(), 0);
    for (const RowRange& r : SplitRows(chain.back().out_h, rows)) {
      const std::vector<BandLayer> band = BandOf(chain, r);
      const size_t in_row = static_cast<size_t>(in_w) * in_c;
      std::vector<int8_t> cur(input.begin() + band[0].in.begin * in_row,
                              input.begin() + band[0].in.end * in_row);
      for (size_t k = 0; k < net.size(); ++k) {
        const Int8Layer& l = net[k];
        const int32_t out_w = (l.width + l.stride_w - 1) / l.stride_w;
        std::vector<int8_t> next(static_cast<size_t>(band[k].out.rows()) *
                                 out_w * l.out_c);
        l.Run(cur.data(), band[k].in.rows(), band[k].out.rows(),
              band[k].pad_top, next.data());
        cur.swap(next);
      }
      std::copy(cur.begin(), cur.end(),
                banded.begin() + static_cast<size_t>(r.begin) *
                                     (banded.size() / chain.back().out_h));
    }
    EXPECT_EQ(banded, x) << "trial " << trial << " rows " << rows;
  }
}

}  // namespace
}  // namespace ember::cli
