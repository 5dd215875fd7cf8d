// AVX-512 (F/BW/VL) instantiation of the fast-op kernels. Built with that
// ISA's flags only; reached through FastOpsList() after CPU detection.
#if defined(__x86_64__)
#include "kernels/x86/fast_ops_kernels.h"

namespace ember::x86 {
namespace {

__attribute__((target("avx512vbmi"))) inline __m512i Lookup64(
    __m512i t0, __m512i t1, __m512i t2, __m512i t3, __m512i idx) {
  const __m512i lo = _mm512_permutex2var_epi8(t0, idx, t1);
  const __m512i hi = _mm512_permutex2var_epi8(t2, idx, t3);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), lo, hi);
}

// 64 lookups per step: two 128-entry permutes (VBMI) pick from the low and
// high halves of the table by the index's low 7 bits; bit 7 chooses.
__attribute__((target("avx512vbmi"))) void Lut8Vbmi(const uint8_t* table,
                                                    const uint8_t* in,
                                                    uint8_t* out, int64_t begin,
                                                    int64_t end) {
  const __m512i t0 = _mm512_loadu_si512(table);
  const __m512i t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128);
  const __m512i t3 = _mm512_loadu_si512(table + 192);
  int64_t i = begin;
  for (; i + 64 <= end; i += 64) {
    _mm512_storeu_si512(out + i,
                        Lookup64(t0, t1, t2, t3, _mm512_loadu_si512(in + i)));
  }
  if (i < end) {
    const __mmask64 m = (~uint64_t{0}) >> (64 - (end - i));
    _mm512_mask_storeu_epi8(
        out + i, m,
        Lookup64(t0, t1, t2, t3, _mm512_maskz_loadu_epi8(m, in + i)));
  }
}

}  // namespace

const FastOpsKernels* FastOpsAvx512() {
  static constexpr FastOpsKernels kKernels = MakeFastOps<Avx512>("avx512");
  return &kKernels;
}

__attribute__((target("avx512vbmi"))) void Lut8Avx512Vbmi(const uint8_t* table,
                                                          const uint8_t* in,
                                                          uint8_t* out,
                                                          int64_t begin,
                                                          int64_t end) {
  Lut8Vbmi(table, in, out, begin, end);
}

}  // namespace ember::x86
#endif
