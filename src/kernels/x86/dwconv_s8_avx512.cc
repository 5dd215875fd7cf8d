// AVX-512 (F+BW+VL) int8 depthwise convolution: 16 channels per zmm as
// int32 lanes, masked loads/stores for the channel tail. The loop nest is
// dwconv_s8_body.h. Built with -mavx512f -mavx512bw -mavx512vl -mfma only.
#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12 reports the undefined pass-through operand inside several
// AVX-512 intrinsics as maybe-uninitialized (false positive).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/x86/dwconv_s8_avx512_traits.h"

namespace ember::x86 {

void DwConvS8Avx512(const DwConvS8Args& args, int64_t row_begin,
                    int64_t row_end) {
  DwConvS8Rows<Avx512S8>(args, row_begin, row_end);
}

}  // namespace ember::x86
#endif  // __x86_64__
