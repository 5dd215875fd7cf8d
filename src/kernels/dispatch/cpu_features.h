// Run-time CPU feature detection and the switch that forces reference
// kernels. Ops consult these in Prepare to pick an optimized kernel
// variant; the reference kernels stay the oracle and the fallback.
#pragma once

namespace ember::dispatch {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512vbmi = false;  // byte permutes (8-bit table lookups)
  bool avx_vnni = false;
  // AArch64: Advanced SIMD is architectural (always true there); SDOT/UDOT
  // (FEAT_DotProd) and SMMLA (FEAT_I8MM) are optional and come from the
  // kernel's hwcaps.
  bool neon = false;
  bool dotprod = false;
  bool i8mm = false;
  // Convenience: the full sets the x86 kernels are compiled for (and the
  // OS saves the corresponding register state).
  bool has_avx2_fma() const { return avx2 && fma; }
  bool has_avx512() const { return avx512f && avx512bw && avx512vl && fma; }
};

// Detected once (cpuid + xgetbv on x86, getauxval on AArch64 Linux); all
// false elsewhere.
const CpuFeatures& GetCpuFeatures();

// True when the environment variable EMBER_FORCE_REF is set to a value
// other than "" or "0" (read once per process).
bool EnvForcesReference();

// Short description of the detected features, e.g. "avx2 fma avx512f ..."
// or "neon dotprod".
const char* CpuFeaturesString();

}  // namespace ember::dispatch
