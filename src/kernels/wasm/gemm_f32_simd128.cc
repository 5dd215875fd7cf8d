// WebAssembly SIMD128 fp32 GEMM: 6x8 register tile (12 v128 accumulators,
// two weight vectors and one broadcast: 15 of the 16 vector registers a
// wasm engine has on x86-64 and AArch64), bias taken from the packed panel,
// clamp fused before the store. wasm has no fused multiply-add (outside
// relaxed SIMD), so products are rounded before the add, as in the
// reference kernels. Built only where the compiler targets SIMD128
// (scripts/build_wasm.sh); engines without it cannot load such a module, so
// no run-time check is needed.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>

#include "kernels/drivers/gemm_f32.h"

namespace ember::x86 {
namespace {

constexpr int kNr = 8;
constexpr int kMr = 6;

inline v128_t Clamp(v128_t v, v128_t lo, v128_t hi) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(v, lo), hi);
}

template <int MR>
void Tile(int32_t nc, int32_t k, const float* a, int64_t lda, const float* w,
          float* c, int64_t ldc, v128_t lo, v128_t hi) {
  v128_t acc0[MR], acc1[MR];
  const v128_t bias0 = wasm_v128_load(w);
  const v128_t bias1 = wasm_v128_load(w + 4);
  for (int r = 0; r < MR; ++r) {
    acc0[r] = bias0;
    acc1[r] = bias1;
  }
  w += kNr;
  const float* ar[MR];
  for (int r = 0; r < MR; ++r) ar[r] = a + r * lda;
  for (int32_t kk = 0; kk < k; ++kk) {
    const v128_t w0 = wasm_v128_load(w);
    const v128_t w1 = wasm_v128_load(w + 4);
    w += kNr;
    for (int r = 0; r < MR; ++r) {
      const v128_t av = wasm_v128_load32_splat(ar[r] + kk);
      acc0[r] = wasm_f32x4_add(acc0[r], wasm_f32x4_mul(av, w0));
      acc1[r] = wasm_f32x4_add(acc1[r], wasm_f32x4_mul(av, w1));
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* cr = c + r * ldc;
    const v128_t v0 = Clamp(acc0[r], lo, hi);
    const v128_t v1 = Clamp(acc1[r], lo, hi);
    if (nc == kNr) {
      wasm_v128_store(cr, v0);
      wasm_v128_store(cr + 4, v1);
    } else {
      alignas(16) float tmp[kNr];
      wasm_v128_store(tmp, v0);
      wasm_v128_store(tmp + 4, v1);
      for (int32_t j = 0; j < nc; ++j) cr[j] = tmp[j];
    }
  }
}

using TileFn = void (*)(int32_t, int32_t, const float*, int64_t, const float*,
                        float*, int64_t, v128_t, v128_t);
constexpr TileFn kTiles[kMr + 1] = {nullptr, Tile<1>, Tile<2>, Tile<3>,
                                    Tile<4>, Tile<5>, Tile<6>};

}  // namespace

void GemmF32WasmSimd128(const GemmF32Args& g, int64_t m_begin, int64_t m_end,
                        int32_t p_begin, int32_t p_end) {
  const v128_t lo = wasm_f32x4_splat(g.lo);
  const v128_t hi = wasm_f32x4_splat(g.hi);
  const int64_t panel_floats = (static_cast<int64_t>(g.k) + 1) * kNr;
  const int64_t panel_bytes = panel_floats * 4;
  // Panels per block: keep the weights a block of rows reuses in cache.
  const int32_t block =
      static_cast<int32_t>(std::max<int64_t>(1, (256 * 1024) / panel_bytes));
  for (int32_t pb = p_begin; pb < p_end; pb += block) {
    const int32_t pe = std::min(p_end, pb + block);
    for (int64_t m = m_begin; m < m_end; m += kMr) {
      const int mr = static_cast<int>(std::min<int64_t>(kMr, m_end - m));
      const TileFn tile = kTiles[mr];
      const float* a = g.a + m * g.lda;
      for (int32_t p = pb; p < pe; ++p) {
        const int32_t n0 = p * kNr;
        const int32_t nc = std::min(kNr, g.n - n0);
        tile(nc, g.k, a, g.lda, g.packed + p * panel_floats,
             g.c + m * g.ldc + n0, g.ldc, lo, hi);
      }
    }
  }
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
