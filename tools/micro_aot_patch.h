// Patch-based execution (MCUNetV2's idea) for `ember micro export --aot`:
// the row arithmetic. A chain of convolutions (each one's output the next
// one's only input) computes its final output in horizontal bands of rows;
// for each band every earlier layer computes just the rows the next layer
// reads, halo included (recomputed per band, as MCUNetV2 does), into a
// small band buffer. Only the chain's input and final output are whole
// tensors, so the full-size intermediates never sit in the arena.
//
// Header-only so that tests/micro/aot_patch_test.cc checks the same code
// the exporter runs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ember::cli {

// One layer's geometry along the height (rows); widths are unchanged.
struct PatchLayer {
  int32_t in_h = 0, out_h = 0;
  int32_t filter_h = 1, stride_h = 1, dilation_h = 1;
  int32_t pad_top = 0;  // as ComputePaddedDim gives it
};

struct RowRange {
  int32_t begin = 0, end = 0;  // [begin, end)
  int32_t rows() const { return end - begin; }
};

// The input rows output rows `out` read: from the first to the last tap
// that falls inside [0, in_h) (the others are padding, which the kernel
// skips; with dilation the extreme taps may be padding while inner ones
// are not). Empty when every tap is padding.
inline RowRange InputRowsFor(const PatchLayer& l, RowRange out) {
  int64_t lo = INT64_MAX, hi = -1;
  for (int64_t oy = out.begin; oy < out.end; ++oy) {
    for (int64_t ky = 0; ky < l.filter_h; ++ky) {
      const int64_t iy = oy * l.stride_h - l.pad_top + ky * l.dilation_h;
      if (iy < 0 || iy >= l.in_h) continue;
      lo = std::min(lo, iy);
      hi = std::max(hi, iy);
    }
  }
  if (hi < 0) return {0, 0};
  return {static_cast<int32_t>(lo), static_cast<int32_t>(hi + 1)};
}

// What one layer computes for one band: output rows `out` from input rows
// `in`, as a kernel call over an input of in.rows() rows and an output of
// out.rows() rows with `pad_top` (output row k of the band reads band input
// row k * stride - pad_top + tap * dilation, the same element as the full
// call; rows outside the band are exactly the padding or the rows the band
// does not need).
struct BandLayer {
  RowRange in, out;
  int32_t pad_top = 0;
};

// Every layer's part of the band whose final output rows are `final_out`,
// from the last layer back to the first.
inline std::vector<BandLayer> BandOf(const std::vector<PatchLayer>& chain,
                                     RowRange final_out) {
  std::vector<BandLayer> band(chain.size());
  RowRange out = final_out;
  for (size_t k = chain.size(); k-- > 0;) {
    BandLayer& b = band[k];
    b.out = out;
    b.in = InputRowsFor(chain[k], out);
    b.pad_top = chain[k].pad_top + b.in.begin - out.begin * chain[k].stride_h;
    out = b.in;  // the previous layer's output rows
  }
  return band;
}

// The final output's rows in bands of `rows` (the last one may be short).
inline std::vector<RowRange> SplitRows(int32_t out_h, int32_t rows) {
  std::vector<RowRange> bands;
  if (rows <= 0) return bands;
  for (int32_t r = 0; r < out_h; r += rows)
    bands.push_back({r, std::min(out_h, r + rows)});
  return bands;
}

// The most output rows layer k computes in any band: its band buffer
// holds that many rows (the last layer writes the full output instead).
inline std::vector<int32_t> MaxBandRows(const std::vector<PatchLayer>& chain,
                                        int32_t rows) {
  std::vector<int32_t> most(chain.size(), 0);
  for (const RowRange& r : SplitRows(chain.back().out_h, rows)) {
    const std::vector<BandLayer> band = BandOf(chain, r);
    for (size_t k = 0; k < chain.size(); ++k)
      most[k] = std::max(most[k], band[k].out.rows());
  }
  return most;
}

// Output rows each layer computes over all bands (out_h without patches):
// the difference is the halo recomputed.
inline std::vector<int64_t> ComputedRows(const std::vector<PatchLayer>& chain,
                                         int32_t rows) {
  std::vector<int64_t> total(chain.size(), 0);
  for (const RowRange& r : SplitRows(chain.back().out_h, rows)) {
    const std::vector<BandLayer> band = BandOf(chain, r);
    for (size_t k = 0; k < chain.size(); ++k) total[k] += band[k].out.rows();
  }
  return total;
}

}  // namespace ember::cli
