// AVX-512 VNNI int8 depthwise convolution: the AVX-512 kernel with each
// tap's multiply-add and accumulate fused into one vpdpwssd. Built with the
// AVX-512 VNNI flags (CMakeLists.txt: *_avx512vnni.cc); dispatched only
// when the CPU reports avx512vnni.
#if defined(__x86_64__)

#include <immintrin.h>

// GCC 12 false positive inside AVX-512 intrinsics (see the AVX-512 file).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/x86/dwconv_s8_avx512_traits.h"

namespace ember::x86 {
namespace {

struct Avx512VnniS8 : Avx512S8 {
  static Vec MulAcc(Vec acc, Vec x, Vec w) {
    return _mm512_dpwssd_epi32(acc, x, w);
  }
};

}  // namespace

void DwConvS8Avx512Vnni(const DwConvS8Args& args, int64_t row_begin,
                        int64_t row_end) {
  DwConvS8Rows<Avx512VnniS8>(args, row_begin, row_end);
}

}  // namespace ember::x86
#endif  // __x86_64__
