#include "kernels/drivers/gemm_s8.h"

#include <algorithm>
#include <cstring>

#include "kernels/drivers/arm_kernels.h"
#include "kernels/drivers/conv_f32.h"  // ParallelTasks
#include "kernels/ref/quant_util.h"

namespace ember::x86 {

S8PackLayout MakeS8Layout(int32_t n, int32_t taps, int32_t tap_k, int32_t nr) {
  S8PackLayout l;
  l.n = n;
  l.nr = nr;
  l.taps = taps;
  l.tap_k = tap_k;
  l.tap_k4 = (tap_k + 3) / 4 * 4;
  l.panels = (n + nr - 1) / nr;
  l.panel_bytes = sizeof(int32_t) * kS8HeaderSlots * nr +
                  static_cast<size_t>(taps) * l.tap_k4 * nr;
  l.total_bytes = l.panel_bytes * l.panels;
  return l;
}

namespace {

// Packs panel p: word copies (4 weight bytes of one column at a time), no
// per-byte index arithmetic; every byte of the panel is written, so the
// memory needs no clearing first.
void PackS8Panel(const S8PackLayout& l, const int8_t* w, int32_t p,
                 uint8_t* packed) {
  const int64_t k = static_cast<int64_t>(l.taps) * l.tap_k;
  uint8_t* panel = packed + p * l.panel_bytes;
  const size_t header = sizeof(int32_t) * kS8HeaderSlots * l.nr;
  std::memset(panel, 0, header);
  uint8_t* dst = panel + header;
  const int32_t cols = std::min(l.nr, l.n - p * l.nr);
  const int32_t full = l.tap_k / 4;
  const int32_t rem = l.tap_k % 4;
  const int32_t groups = l.tap_k4 / 4;
  const size_t group_bytes = static_cast<size_t>(l.nr) * 4;
  for (int32_t t = 0; t < l.taps; ++t) {
    uint8_t* tap_dst = dst + static_cast<size_t>(t) * groups * group_bytes;
    for (int32_t j = 0; j < cols; ++j) {
      const int8_t* src = w + static_cast<int64_t>(p * l.nr + j) * k +
                          static_cast<int64_t>(t) * l.tap_k;
      uint8_t* d = tap_dst + static_cast<size_t>(j) * 4;
      for (int32_t g = 0; g < full; ++g) {
        std::memcpy(d + g * group_bytes, src + 4 * g, 4);
      }
      if (rem != 0) {
        uint8_t word[4] = {0, 0, 0, 0};
        std::memcpy(word, src + 4 * full, rem);
        std::memcpy(d + full * group_bytes, word, 4);
      }
    }
    if (cols < l.nr) {
      for (int32_t g = 0; g < groups; ++g) {
        std::memset(tap_dst + g * group_bytes + static_cast<size_t>(cols) * 4,
                    0, static_cast<size_t>(l.nr - cols) * 4);
      }
    }
  }
}

}  // namespace

void PackS8Weights(const S8PackLayout& l, const int8_t* w, uint8_t* packed,
                   ThreadPool* pool) {
  // Workers only pay off for big matrices (waking one costs about as much
  // as packing a few hundred kilobytes).
  const int slots = static_cast<int>(std::clamp<size_t>(
      l.total_bytes / (size_t{1} << 19), 1, static_cast<size_t>(l.panels)));
  ParallelTasks(pool, l.panels, slots, [&](int64_t p0, int64_t p1, int) {
    for (int64_t p = p0; p < p1; ++p) {
      PackS8Panel(l, w, static_cast<int32_t>(p), packed);
    }
  });
}

int32_t S8WeightSum(const int8_t* w, int32_t col, int64_t k) {
  int32_t sum = 0;
  for (int64_t i = 0; i < k; ++i) sum += w[col * k + i];
  return sum;
}

std::span<const S8Kernel> S8Kernels() {
  static const S8Kernel kList[] = {
#define EMBER_S8_TILE(isa, fn, gemm_label, igemm_label, mr, nr, input_shift) \
  {kernels::Isa::isa, #fn, gemm_label, igemm_label, mr, nr, input_shift, fn},
#include "kernels/drivers/gemm_s8_kernels.def"
#undef EMBER_S8_TILE
      {}};
  return kernels::ListWithoutEnd(kList);
}

void QuantizeS8Input(bool asymmetric, const float* x, int64_t n, int8_t* out,
                     float* scale, int32_t* zero_point) {
#if defined(__x86_64__)
  // Bit-exact with the reference, so it follows the CPU alone (not the
  // allowed set); the AVX-512 file is built with the VNNI flags.
  const kernels::IsaSet cpu = kernels::DetectedIsas();
  if (cpu.contains(kernels::Isa::kAvx512Vnni)) {
    if (asymmetric) {
      QuantizeS8AsymmetricAvx512(x, n, out, scale, zero_point);
    } else {
      QuantizeS8SymmetricAvx512(x, n, out, scale);
      *zero_point = 0;
    }
    return;
  }
  if (cpu.contains(kernels::Isa::kAvx2)) {
    if (asymmetric) {
      QuantizeS8AsymmetricAvx2(x, n, out, scale, zero_point);
    } else {
      QuantizeS8SymmetricAvx2(x, n, out, scale);
      *zero_point = 0;
    }
    return;
  }
#endif
  if (asymmetric) {
    ref::AsymmetricQuantizeToInt8(x, n, out, scale, zero_point);
  } else {
    ref::SymmetricQuantizeToInt8(x, n, out, scale);
    *zero_point = 0;
  }
}

namespace {

// Fills the [taps][mr] pointer array of the tile starting at row m0.
void TilePointers(const S8Problem& p, int32_t mr, int64_t m0, int32_t rows,
                  const int8_t** ptrs) {
  for (int32_t r = 0; r < mr; ++r) {
    // Rows past the end repeat the tile's first row (computed, not stored).
    const int64_t row = m0 + (r < rows ? r : 0);
    if (p.indirection == nullptr) {
      ptrs[r] = p.a + row * p.lda;
      continue;
    }
    const int64_t batch = row / p.rows_per_batch;
    const int64_t pixel = row % p.rows_per_batch;
    const int8_t* base = p.a + batch * p.batch_stride;
    const int8_t* zero = p.zero_rows + batch * p.zero_row_stride;
    const int32_t* offs = p.indirection + pixel * p.taps;
    for (int32_t t = 0; t < p.taps; ++t) {
      ptrs[t * mr + r] = offs[t] < 0 ? zero : base + offs[t];
    }
  }
}

}  // namespace

void RunS8Gemm(ThreadPool* pool, int max_slots, const S8Kernel& kernel,
               const S8Problem& p, const int8_t** pointer_scratch) {
  const int32_t mr = kernel.mr;
  const int64_t tiles = (p.m + mr - 1) / mr;
  const int32_t panels = p.layout.panels;
  const int32_t groups = p.groups > 1 ? p.groups : 1;
  const int64_t group_tasks = static_cast<int64_t>(groups) * panels;
  const size_t out_elem = p.mode == S8Output::kFloat ? sizeof(float) : 1;
  const int64_t group_cols = static_cast<int64_t>(panels) * p.layout.nr;
  // Small products stay on fewer workers (base/work_split.h): waking one
  // costs more than about a million multiply-adds.
  const int64_t macs = p.m * static_cast<int64_t>(p.layout.n) * groups *
                       p.taps * static_cast<int64_t>(p.tap_k);
  const int slots = MacTasks(pool, macs, std::max(max_slots, 1));
  // Tile-major task order (then group, then panel): consecutive tasks of a
  // worker share A rows; a group's pointers are the tile's moved by the
  // group's channel offset (no indirection lookups again).
  const bool grouped = groups > 1;
  const int64_t ptr_count = static_cast<int64_t>(p.taps) * mr;
  ParallelTasks(
      pool, tiles * group_tasks, slots, [&](int64_t t0, int64_t t1, int slot) {
        const int8_t* local[2 * 16];
        const int8_t** ptrs =
            p.indirection
                ? pointer_scratch + slot * ptr_count * (grouped ? 2 : 1)
                : local;
        const int8_t** tile_ptrs = grouped ? ptrs + ptr_count : ptrs;
        int32_t row_offset[16];
        float row_scale[16];
        S8TileArgs t;
        t.a = ptrs;
        t.taps = p.taps;
        t.tap_k = p.tap_k;
        t.ldc = p.ldc;
        t.mode = p.mode;
        t.out_zp = p.out_zp;
        t.lo = p.lo;
        t.hi = p.hi;
        t.row_offset = row_offset;
        t.row_scale = row_scale;
        t.flo = p.flo;
        t.fhi = p.fhi;
        int64_t tile = t0 / group_tasks;
        int32_t group = static_cast<int32_t>(t0 % group_tasks / panels);
        int32_t panel = static_cast<int32_t>(t0 % panels);
        int64_t built_tile = -1;
        int32_t built_group = -1;
        for (int64_t task = t0; task < t1; ++task) {
          const int64_t m0 = tile * mr;
          const int32_t rows =
              static_cast<int32_t>(std::min<int64_t>(mr, p.m - m0));
          if (tile != built_tile) {
            TilePointers(p, mr, m0, rows, tile_ptrs);
            if (p.mode == S8Output::kFloat) {
              for (int32_t r = 0; r < mr; ++r) {
                const int64_t batch =
                    (m0 + (r < rows ? r : 0)) / p.rows_per_batch;
                row_offset[r] = p.batch_offset[batch];
                row_scale[r] = p.batch_scale[batch];
              }
            }
            built_tile = tile;
            built_group = -1;
          }
          if (grouped && group != built_group) {
            const int64_t off = group * p.group_a_offset;
            for (int64_t i = 0; i < ptr_count; ++i)
              ptrs[i] = tile_ptrs[i] + off;
            built_group = group;
          }
          const int32_t n0 = panel * p.layout.nr;
          const int64_t c0 = static_cast<int64_t>(group) * p.layout.n + n0;
          t.rows = rows;
          t.cols = std::min(p.layout.nr, p.layout.n - n0);
          t.panel = p.packed + group * p.layout.total_bytes +
                    panel * p.layout.panel_bytes;
          t.c = static_cast<uint8_t*>(p.c) + (m0 * p.ldc + c0) * out_elem;
          if (p.mode == S8Output::kFloat) {
            const int64_t col = group * group_cols + n0;
            t.col_scale = p.col_scale + col;
            t.col_bias = p.col_bias ? p.col_bias + col : nullptr;
          }
          kernel.fn(t);
          if (++panel == panels) {
            panel = 0;
            if (++group == groups) {
              group = 0;
              ++tile;
            }
          }
        }
      });
}

}  // namespace ember::x86
