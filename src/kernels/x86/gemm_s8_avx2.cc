// AVX2 int8 tile (4 x 16) for CPUs without VNNI. The u8 x s8 dot product
// of each 32-bit lane is done in int16 with vpmaddwd on the even and the
// odd bytes separately (widened exactly: u8 and s8 both fit int16, and a
// pair of products fits int32). vpmaddubsw is avoided on purpose: it
// saturates its int16 pair sums and would break bit-exactness.
#if defined(__x86_64__)
#include "kernels/x86/gemm_s8_ymm.h"

namespace ember::x86 {
namespace {

struct DotAvx2 {
  struct W {
    __m256i even, odd;  // sign-extended bytes 0, 2 / 1, 3 of each lane
  };
  static W Prep(__m256i w) {
    return {_mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8),
            _mm256_srai_epi16(w, 8)};
  }
  static __m256i Acc(__m256i acc, __m256i x, const W& w) {
    const __m256i x_even = _mm256_and_si256(x, _mm256_set1_epi16(0x00FF));
    const __m256i x_odd = _mm256_srli_epi16(x, 8);
    return _mm256_add_epi32(acc,
                            _mm256_add_epi32(_mm256_madd_epi16(x_even, w.even),
                                             _mm256_madd_epi16(x_odd, w.odd)));
  }
};

}  // namespace

void S8TileAvx2(const S8TileArgs& t) { YmmTile<4, DotAvx2>(t); }

}  // namespace ember::x86
#endif  // __x86_64__
