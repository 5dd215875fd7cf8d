#include "kernels/drivers/spmm_f32.h"

#include <algorithm>

#include "kernels/drivers/conv_f32.h"  // ParallelTasks

namespace ember::x86 {

SparsityStats MeasureSparsity(const float* w, int32_t n, int32_t k) {
  SparsityStats s;
  const int64_t total = static_cast<int64_t>(n) * k;
  if (total == 0) return s;
  int64_t zeros = 0, zero_blocks = 0;
  for (int32_t r = 0; r < n; ++r) {
    const float* row = w + static_cast<int64_t>(r) * k;
    for (int32_t i = 0; i < k; ++i) zeros += row[i] == 0.0f;
    if (k % 4 != 0) continue;
    for (int32_t i = 0; i < k; i += 4) {
      zero_blocks += row[i] == 0.0f && row[i + 1] == 0.0f &&
                     row[i + 2] == 0.0f && row[i + 3] == 0.0f;
    }
  }
  s.zero_weights = static_cast<double>(zeros) / static_cast<double>(total);
  if (k % 4 == 0)
    s.zero_blocks_1x4 =
        static_cast<double>(zero_blocks) * 4.0 / static_cast<double>(total);
  return s;
}

int32_t ChooseSparseBlock(const SparsityStats& stats,
                          double min_zero_fraction) {
  if (stats.zero_blocks_1x4 >= min_zero_fraction) return 4;
  // Single weights pay one broadcast FMA each: worth it only when clearly
  // sparser than the threshold.
  if (stats.zero_weights >= std::min(0.95, min_zero_fraction + 0.2)) return 1;
  return 0;
}

namespace {

bool BlockIsZero(const float* row, int32_t k0, int32_t block) {
  for (int32_t t = 0; t < block; ++t)
    if (row[k0 + t] != 0.0f) return false;
  return true;
}

int64_t CountBlocks(const float* w, int32_t n, int32_t k, int32_t block) {
  int64_t blocks = 0;
  for (int32_t r = 0; r < n; ++r)
    for (int32_t i = 0; i < k; i += block)
      blocks += !BlockIsZero(w + static_cast<int64_t>(r) * k, i, block);
  return blocks;
}

size_t Align64(size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace

size_t PackedSpmmF32Bytes(const float* w, int32_t n, int32_t k, int32_t block) {
  const int64_t blocks = CountBlocks(w, n, k, block);
  return Align64(sizeof(int32_t) * (static_cast<size_t>(n) + 1)) +
         Align64(sizeof(int32_t) * static_cast<size_t>(blocks)) +
         Align64(sizeof(float) * static_cast<size_t>(blocks * block)) +
         sizeof(float) * static_cast<size_t>(n);
}

SpmmF32Matrix PackSpmmF32(const float* w, const float* bias, int32_t n,
                          int32_t k, int32_t block, void* mem) {
  const int64_t blocks = CountBlocks(w, n, k, block);
  auto* bytes = static_cast<uint8_t*>(mem);
  auto* row_start = reinterpret_cast<int32_t*>(bytes);
  bytes += Align64(sizeof(int32_t) * (static_cast<size_t>(n) + 1));
  auto* block_k = reinterpret_cast<int32_t*>(bytes);
  bytes += Align64(sizeof(int32_t) * static_cast<size_t>(blocks));
  auto* values = reinterpret_cast<float*>(bytes);
  bytes += Align64(sizeof(float) * static_cast<size_t>(blocks * block));
  auto* bias_out = reinterpret_cast<float*>(bytes);
  int32_t j = 0;
  for (int32_t r = 0; r < n; ++r) {
    row_start[r] = j;
    const float* row = w + static_cast<int64_t>(r) * k;
    for (int32_t i = 0; i < k; i += block) {
      if (BlockIsZero(row, i, block)) continue;
      block_k[j] = i;
      for (int32_t t = 0; t < block; ++t)
        values[static_cast<int64_t>(j) * block + t] = row[i + t];
      ++j;
    }
    bias_out[r] = bias ? bias[r] : 0.0f;
  }
  row_start[n] = j;
  SpmmF32Matrix m;
  m.n = n;
  m.k = k;
  m.block = block;
  m.row_start = row_start;
  m.block_k = block_k;
  m.values = values;
  m.bias = bias_out;
  return m;
}

std::span<const SpmmF32Kernel> SpmmF32Kernels() {
  static const SpmmF32Kernel kList[] = {
#define EMBER_SPMM_F32(isa, fn, label_1x4, label_1x1, tile_rows) \
  {kernels::Isa::isa, #fn, label_1x4, label_1x1, tile_rows, fn},
#include "kernels/drivers/spmm_f32_kernels.def"
#undef EMBER_SPMM_F32
      {}};
  return kernels::ListWithoutEnd(kList);
}

void RunSpmmF32(ThreadPool* pool, int max_slots, const SpmmF32Kernel& kernel,
                const SpmmF32Matrix& w, const float* a, int64_t lda, int64_t m,
                float* c, int64_t ldc, float lo, float hi, float* scratch) {
  const int64_t tiles = (m + kernel.tile_rows - 1) / kernel.tile_rows;
  ParallelTasks(pool, tiles, max_slots, [&](int64_t t0, int64_t t1, int slot) {
    kernel.fn(w, a, lda, t0 * kernel.tile_rows,
              std::min(m, t1 * kernel.tile_rows), c, ldc, lo, hi,
              scratch + slot * SpmmScratchFloats(w.k, w.n));
  });
}

}  // namespace ember::x86
