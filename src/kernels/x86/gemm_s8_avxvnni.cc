// AVX-VNNI int8 tile (6 x 16): the VEX-encoded vpdpbusd on ymm, for CPUs
// that have AVX-VNNI but no AVX-512.
#if defined(__x86_64__)
#include "kernels/x86/gemm_s8_ymm.h"

namespace ember::x86 {
namespace {

struct DotVnni {
  using W = __m256i;
  static W Prep(__m256i w) { return w; }
  static __m256i Acc(__m256i acc, __m256i x, const W& w) {
    return _mm256_dpbusd_avx_epi32(acc, x, w);
  }
};

}  // namespace

void S8TileAvxVnni(const S8TileArgs& t) { YmmTile<6, DotVnni>(t); }

}  // namespace ember::x86
#endif  // __x86_64__
