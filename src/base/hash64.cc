#include "base/hash64.h"

#include <cstring>

namespace ember {
namespace {

// Odd multipliers with well-mixed bits: 2^64 / golden ratio and the two of
// the splitmix64 finalizer.
constexpr uint64_t kPrime1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kPrime2 = 0xBF58476D1CE4E5B9ull;
constexpr uint64_t kPrime3 = 0x94D049BB133111EBull;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Round(uint64_t acc, uint64_t v) {
  return Rotl(acc ^ (v * kPrime2), 29) * kPrime1;
}

// Spreads every input bit over the whole result.
inline uint64_t Avalanche(uint64_t h) {
  h ^= h >> 30;
  h *= kPrime2;
  h ^= h >> 27;
  h *= kPrime3;
  h ^= h >> 31;
  return h;
}

}  // namespace

uint64_t Hash64(const void* data, size_t size, uint64_t seed) {
  const auto* p = static_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  // Four independent lanes keep the multipliers busy.
  uint64_t lane[4] = {seed + kPrime1 + kPrime2, seed + kPrime2, seed,
                      seed - kPrime1};
  while (end - p >= 32) {
    for (int i = 0; i < 4; ++i) lane[i] = Round(lane[i], Load64(p + 8 * i));
    p += 32;
  }
  uint64_t h = Rotl(lane[0], 1) + Rotl(lane[1], 7) + Rotl(lane[2], 12) +
               Rotl(lane[3], 18);
  for (int i = 0; i < 4; ++i) h = (h ^ Round(0, lane[i])) * kPrime1 + kPrime3;
  h += static_cast<uint64_t>(size);
  while (end - p >= 8) {
    h = Rotl(h ^ Round(0, Load64(p)), 27) * kPrime1 + kPrime3;
    p += 8;
  }
  while (p < end) {
    h = Rotl(h ^ (*p * kPrime3), 11) * kPrime1;
    ++p;
  }
  return Avalanche(h);
}

}  // namespace ember
