#include "kernels/dispatch/cpu_features.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace ember::dispatch {
namespace {

#if defined(__x86_64__) || defined(__i386__)
uint64_t ReadXcr0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

CpuFeatures Detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  const unsigned max_leaf = a;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  const bool fma = (c >> 12) & 1;
  const bool avx = (c >> 28) & 1;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = ReadXcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;  // SSE + AVX state
  const bool zmm_state =
      (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!ymm_state || max_leaf < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  f.fma = fma;
  f.avx2 = (b >> 5) & 1;
  if (zmm_state) {
    f.avx512f = (b >> 16) & 1;
    f.avx512bw = (b >> 30) & 1;
    f.avx512vl = (b >> 31) & 1;
    f.avx512vnni = f.avx512f && ((c >> 11) & 1);
    f.avx512vbmi = f.avx512f && ((c >> 1) & 1);
  }
  unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
  __cpuid_count(7, 1, a1, b1, c1, d1);
  f.avx_vnni = f.avx2 && ((a1 >> 4) & 1);
  return f;
}
#elif defined(__aarch64__)
CpuFeatures Detect() {
  CpuFeatures f;
  f.neon = true;  // Advanced SIMD is mandatory in AArch64
#if defined(__linux__)
  // Bit numbers of the Linux arm64 ABI (asm/hwcap.h), spelled out so the
  // build does not depend on how new the libc headers are.
  constexpr unsigned long kHwcapAsimdDp = 1ul << 20;
  constexpr unsigned long kHwcap2I8mm = 1ul << 13;
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  f.dotprod = (hwcap & kHwcapAsimdDp) != 0;
  f.i8mm = (hwcap2 & kHwcap2I8mm) != 0;
#endif
  return f;
}
#else
CpuFeatures Detect() { return CpuFeatures(); }
#endif

}  // namespace

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = Detect();
  return features;
}

bool EnvForcesReference() {
  static const bool forced = [] {
    const char* v = std::getenv("EMBER_FORCE_REF");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
  }();
  return forced;
}

const char* CpuFeaturesString() {
  static char text[160];  // every feature name fits
  static const bool done = [] {
    const CpuFeatures& f = GetCpuFeatures();
    text[0] = '\0';
    auto add = [](bool on, const char* name) {
      if (!on) return;
      if (text[0] != '\0') std::strcat(text, " ");
      std::strcat(text, name);
    };
    add(f.avx2, "avx2");
    add(f.fma, "fma");
    add(f.avx512f, "avx512f");
    add(f.avx512bw, "avx512bw");
    add(f.avx512vl, "avx512vl");
    add(f.avx512vnni, "avx512vnni");
    add(f.avx512vbmi, "avx512vbmi");
    add(f.avx_vnni, "avxvnni");
    add(f.neon, "neon");
    add(f.dotprod, "dotprod");
    add(f.i8mm, "i8mm");
    if (text[0] == '\0') std::strcat(text, "none");
    return true;
  }();
  (void)done;
  return text;
}

}  // namespace ember::dispatch
