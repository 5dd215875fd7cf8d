// Seeded random numbers for tests: the op tests (op_test_harness.h) and
// the kernel tests, which build without the LiteRT oracle (cross builds),
// so this header depends on the standard library only.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace ember::testing {

class Rng {
 public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen_);
  }
  float Float(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen_);
  }
  bool Bool() { return Int(0, 1) == 1; }
  template <typename T>
  std::vector<T> Ints(size_t n, int64_t lo, int64_t hi) {
    std::uniform_int_distribution<int64_t> dist(lo, hi);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(dist(gen_));
    return v;
  }
  std::vector<float> Floats(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = Float(lo, hi);
    return v;
  }
  uint32_t Seed() { return static_cast<uint32_t>(gen_()); }

 private:
  std::mt19937 gen_;
};

}  // namespace ember::testing
