// AArch64 kernels: run-time feature detection and the int8 GEMMs (SDOT and
// the baseline NEON fallback) against a scalar reference, bit-exact, over
// randomized shapes (depth tails, column tails, row tails, extreme values).
// The fp32 NEON kernels are covered by src/kernels/drivers/fast_f32_test.cc,
// which runs every ISA the CPU supports against the reference kernels.
//
// scripts/test_aarch64.sh runs this under qemu-aarch64 with -cpu max and
// -cpu cortex-a57 and sets EMBER_EXPECT_DOTPROD=1 / 0 so that the
// detection itself is checked, not only whatever it happens to report.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/arm/gemm_s8.h"
#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/gemm_f32.h"

namespace ember {
namespace {

#if defined(__aarch64__)

TEST(ArmCpuFeatures, DetectsNeonAndDotprod) {
  const dispatch::CpuFeatures& f = dispatch::GetCpuFeatures();
  EXPECT_TRUE(f.neon);
  EXPECT_TRUE(kernels::DetectedIsas().contains(kernels::Isa::kNeon));
  EXPECT_NE(std::string(dispatch::CpuFeaturesString()).find("neon"),
            std::string::npos);
  const char* expect = std::getenv("EMBER_EXPECT_DOTPROD");
  if (expect != nullptr && expect[0] != '\0') {
    EXPECT_EQ(f.dotprod, std::strcmp(expect, "0") != 0)
        << "features: " << dispatch::CpuFeaturesString();
  }
  const char* expect_i8mm = std::getenv("EMBER_EXPECT_I8MM");
  if (expect_i8mm != nullptr && expect_i8mm[0] != '\0') {
    EXPECT_EQ(f.i8mm, std::strcmp(expect_i8mm, "0") != 0)
        << "features: " << dispatch::CpuFeaturesString();
  }
}

TEST(ArmCpuFeatures, KernelChoiceFollowsFeatures) {
  const x86::GemmF32Kernel* f32 = x86::SelectGemmF32(kernels::DetectedIsas());
  ASSERT_NE(f32, nullptr);
  EXPECT_STREQ(f32->label, "arm_neon_gemm_4x16");
  const arm::GemmS8Kernel* s8 = arm::SelectGemmS8(kernels::DetectedIsas());
  ASSERT_NE(s8, nullptr);
  if (dispatch::GetCpuFeatures().i8mm) {
    EXPECT_EQ(s8->fn, &arm::GemmS8I8mm);
  } else if (dispatch::GetCpuFeatures().dotprod) {
    EXPECT_EQ(s8->fn, &arm::GemmS8Dotprod);
  } else {
    EXPECT_EQ(s8->fn, &arm::GemmS8Neon);
  }
  kernels::IsaSet neon_only;
  ASSERT_TRUE(kernels::ParseIsaList("neon", &neon_only, nullptr));
  EXPECT_EQ(arm::SelectGemmS8(kernels::DetectedIsas() & neon_only)->fn,
            &arm::GemmS8Neon);
}

// C[m][n] = bias[n] + sum_k a[m][k] * w[n][k], in int64 so the reference
// cannot overflow where the kernels would not.
std::vector<int32_t> ReferenceGemmS8(const std::vector<int8_t>& a, int64_t lda,
                                     const std::vector<int8_t>& w,
                                     const std::vector<int32_t>& bias,
                                     bool has_bias, int m, int n, int k) {
  std::vector<int32_t> c(static_cast<size_t>(m) * n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      int64_t acc = has_bias ? bias[j] : 0;
      for (int t = 0; t < k; ++t)
        acc += static_cast<int64_t>(a[i * lda + t]) *
               w[static_cast<size_t>(j) * k + t];
      c[static_cast<size_t>(i) * n + j] = static_cast<int32_t>(acc);
    }
  }
  return c;
}

std::vector<arm::GemmS8Fn> S8KernelsToTest() {
  std::vector<arm::GemmS8Fn> fns = {&arm::GemmS8Neon};
  if (dispatch::GetCpuFeatures().dotprod) fns.push_back(&arm::GemmS8Dotprod);
  if (dispatch::GetCpuFeatures().i8mm) fns.push_back(&arm::GemmS8I8mm);
  return fns;
}

TEST(ArmGemmS8, MatchesScalarReferenceBitExact) {
  std::mt19937 gen(4321);
  auto rnd = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  };
  const auto fns = S8KernelsToTest();
  for (int i = 0; i < 200; ++i) {
    const int m = rnd(1, 19);
    const int n = rnd(1, 41);
    // Mostly small depths (all tail paths), some long (the 16-wide block).
    const int k = i % 5 == 0 ? rnd(100, 600) : rnd(1, 40);
    const int64_t lda = k + rnd(0, 3);  // rows need not be packed
    // Every third case uses only the extremes -128 / 127, the worst case
    // for the 16-bit products of the fallback.
    const bool extremes = i % 3 == 0;
    auto value = [&]() -> int8_t {
      if (extremes) return static_cast<int8_t>(rnd(0, 1) ? 127 : -128);
      return static_cast<int8_t>(rnd(-128, 127));
    };
    std::vector<int8_t> a(static_cast<size_t>(m) * lda);
    for (auto& x : a) x = value();
    std::vector<int8_t> w(static_cast<size_t>(n) * k);
    for (auto& x : w) x = value();
    std::vector<int32_t> bias(n);
    for (auto& b : bias) b = rnd(-100000, 100000);
    const bool has_bias = i % 4 != 0;
    const auto expect = ReferenceGemmS8(a, lda, w, bias, has_bias, m, n, k);

    std::vector<int32_t> packed_mem(arm::PackedGemmWeightsS8Bytes(n, k) / 4 +
                                    1);
    int8_t* packed = reinterpret_cast<int8_t*>(packed_mem.data());
    arm::PackGemmWeightsS8(w.data(), has_bias ? bias.data() : nullptr, n, k,
                           packed);
    for (arm::GemmS8Fn fn : fns) {
      const std::string name = fn == &arm::GemmS8Dotprod ? "dotprod"
                               : fn == &arm::GemmS8I8mm  ? "i8mm"
                                                         : "neon";
      // A guard column on each side of every row catches stray writes.
      const int64_t ldc = n + 2;
      std::vector<int32_t> out(static_cast<size_t>(m) * ldc, 777);
      arm::GemmS8Args g;
      g.m = m;
      g.n = n;
      g.k = k;
      g.a = a.data();
      g.lda = lda;
      g.packed = packed;
      g.c = out.data() + 1;
      g.ldc = ldc;
      // Two calls over row and panel sub-ranges, as a threaded driver would.
      const int64_t m_split = rnd(0, m);
      const int32_t panels = arm::GemmS8Panels(n);
      const int32_t p_split = rnd(0, panels);
      fn(g, 0, m_split, 0, panels);
      fn(g, m_split, m, 0, p_split);
      fn(g, m_split, m, p_split, panels);
      for (int r = 0; r < m; ++r) {
        EXPECT_EQ(out[r * ldc], 777) << name << " case " << i;
        EXPECT_EQ(out[r * ldc + n + 1], 777) << name << " case " << i;
        for (int j = 0; j < n; ++j) {
          ASSERT_EQ(out[r * ldc + 1 + j],
                    expect[static_cast<size_t>(r) * n + j])
              << name << " case " << i << " m=" << m << " n=" << n << " k=" << k
              << " at (" << r << ", " << j << ")";
        }
      }
    }
  }
}

#else  // !__aarch64__

TEST(ArmGemmS8, NoKernelOffAarch64) {
  EXPECT_EQ(arm::SelectGemmS8(kernels::DetectedIsas()), nullptr);
  EXPECT_FALSE(dispatch::GetCpuFeatures().neon);
}

#endif

}  // namespace
}  // namespace ember
