// The fast weight packers (word copies, split over a thread pool) against
// byte-by-byte oracles written from the layouts documented in gemm_s8.h and
// gemm_f32.h, on shapes that hit every edge: partial panels, tap depths
// that are not a multiple of 4, one column, many taps.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "base/thread_pool.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/drivers/gemm_s8.h"

namespace ember::x86 {
namespace {

// The documented int8 layout, one byte at a time.
std::vector<uint8_t> OracleS8(const S8PackLayout& l, const int8_t* w) {
  std::vector<uint8_t> out(l.total_bytes, 0);
  const int64_t k = static_cast<int64_t>(l.taps) * l.tap_k;
  for (int32_t col = 0; col < l.n; ++col) {
    const int32_t p = col / l.nr, j = col % l.nr;
    uint8_t* dst = out.data() + p * l.panel_bytes +
                   sizeof(int32_t) * kS8HeaderSlots * l.nr;
    for (int32_t t = 0; t < l.taps; ++t) {
      for (int32_t kk = 0; kk < l.tap_k; ++kk) {
        const int64_t group = static_cast<int64_t>(t) * (l.tap_k4 / 4) + kk / 4;
        dst[group * l.nr * 4 + j * 4 + kk % 4] =
            static_cast<uint8_t>(w[col * k + t * l.tap_k + kk]);
      }
    }
  }
  return out;
}

struct S8Case {
  int32_t n, taps, tap_k, nr;
};

TEST(WeightPack, S8MatchesDocumentedLayout) {
  const S8Case cases[] = {{1, 1, 1, 8},     {7, 1, 3, 8},    {33, 9, 5, 32},
                          {64, 9, 16, 32},  {48, 1, 27, 16}, {100, 4, 6, 16},
                          {512, 9, 256, 32}};
  std::mt19937 rng(3);
  ThreadPool pool(2);
  for (const S8Case& c : cases) {
    const S8PackLayout l = MakeS8Layout(c.n, c.taps, c.tap_k, c.nr);
    std::vector<int8_t> w(static_cast<size_t>(c.n) * c.taps * c.tap_k);
    for (int8_t& v : w) v = static_cast<int8_t>(rng());
    const std::vector<uint8_t> want = OracleS8(l, w.data());
    for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
      // Garbage first: the packer must write every byte itself.
      std::vector<uint8_t> got(l.total_bytes, 0xA5);
      PackS8Weights(l, w.data(), got.data(), p);
      EXPECT_EQ(got, want) << "n=" << c.n << " taps=" << c.taps
                           << " tap_k=" << c.tap_k << " nr=" << c.nr
                           << (p ? " pool" : "");
    }
  }
}

TEST(WeightPack, F32MatchesDocumentedLayout) {
  struct Case {
    int32_t n, k, nr;
    bool bias;
  };
  const Case cases[] = {{1, 1, 16, true},      {5, 7, 8, false},
                        {17, 9, 16, true},     {64, 64, 16, true},
                        {1000, 300, 16, true}, {33, 1153, 8, false}};
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  ThreadPool pool(2);
  for (const Case& c : cases) {
    std::vector<float> w(static_cast<size_t>(c.n) * c.k), b(c.n);
    for (float& v : w) v = dist(rng);
    for (float& v : b) v = dist(rng);
    const int32_t panels = GemmPanels(c.n, c.nr);
    std::vector<float> want(PackedGemmWeightsBytes(c.n, c.k, c.nr) / 4, 0.0f);
    for (int32_t col = 0; col < c.n; ++col) {
      float* panel =
          want.data() + static_cast<size_t>(col / c.nr) * (c.k + 1) * c.nr;
      const int32_t j = col % c.nr;
      panel[j] = c.bias ? b[col] : 0.0f;
      for (int32_t kk = 0; kk < c.k; ++kk)
        panel[(kk + 1) * c.nr + j] = w[static_cast<size_t>(col) * c.k + kk];
    }
    ASSERT_EQ(want.size(), static_cast<size_t>(panels) * (c.k + 1) * c.nr);
    for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
      std::vector<float> got(want.size(), 12345.0f);
      PackGemmWeightsF32(w.data(), c.bias ? b.data() : nullptr, c.n, c.k, c.nr,
                         got.data(), p);
      EXPECT_EQ(0, std::memcmp(got.data(), want.data(), 4 * want.size()))
          << "n=" << c.n << " k=" << c.k << " nr=" << c.nr
          << (p ? " pool" : "");
    }
  }
}

}  // namespace
}  // namespace ember::x86
