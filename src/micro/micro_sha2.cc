#include "micro/micro_sha2.h"

#include <cstring>

namespace ember::micro {
namespace {

// FIPS 180-4 4.2.3: the first 64 bits of the fractional parts of the cube
// roots of the first 80 primes.
constexpr uint64_t kRound512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
    0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242,
    0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
    0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275,
    0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f,
    0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc,
    0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6,
    0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
    0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
    0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc,
    0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915,
    0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba,
    0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

// FIPS 180-4 5.3.5: the fractional parts of the square roots of the first
// eight primes.
constexpr uint64_t kInitial512[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b,
                                     0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
                                     0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                     0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

// FIPS 180-4 4.2.2 and 5.3.3: the first 32 bits of the same roots.
constexpr uint32_t kRound256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
constexpr uint32_t kInitial256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                     0xa54ff53a, 0x510e527f, 0x9b05688c,
                                     0x1f83d9ab, 0x5be0cd19};

uint64_t Rotr64(uint64_t x, int n) { return x >> n | x << (64 - n); }
uint32_t Rotr32(uint32_t x, int n) { return x >> n | x << (32 - n); }

uint64_t LoadBe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}
uint32_t LoadBe32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 |
         p[3];
}
void StoreBe64(uint64_t v, uint8_t* p) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
void StoreBe32(uint32_t v, uint8_t* p) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

// Shared buffering of both hashes: whole blocks go straight from `data`.
template <size_t kBlock, typename Hash>
void Absorb(Hash* hash, uint8_t* buffer, size_t* buffered, const uint8_t* data,
            size_t size) {
  if (*buffered > 0) {
    const size_t take = size < kBlock - *buffered ? size : kBlock - *buffered;
    memcpy(buffer + *buffered, data, take);
    *buffered += take;
    data += take;
    size -= take;
    if (*buffered < kBlock) return;
    hash->BlockOf(buffer);
    *buffered = 0;
  }
  for (; size >= kBlock; data += kBlock, size -= kBlock) hash->BlockOf(data);
  if (size > 0) memcpy(buffer, data, size);
  *buffered = size;
}

}  // namespace

// ---- SHA-512 (FIPS 180-4 6.4) ------------------------------------------

MicroSha512::MicroSha512() { memcpy(state_, kInitial512, sizeof(state_)); }

void MicroSha512::Block(const uint8_t* block) {
  uint64_t w[80];
  for (int t = 0; t < 16; ++t) w[t] = LoadBe64(block + 8 * t);
  for (int t = 16; t < 80; ++t) {
    const uint64_t s0 =
        Rotr64(w[t - 15], 1) ^ Rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7);
    const uint64_t s1 =
        Rotr64(w[t - 2], 19) ^ Rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6);
    w[t] = s1 + w[t - 7] + s0 + w[t - 16];
  }
  uint64_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  uint64_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
  for (int t = 0; t < 80; ++t) {
    const uint64_t sum1 = Rotr64(e, 14) ^ Rotr64(e, 18) ^ Rotr64(e, 41);
    const uint64_t choose = (e & f) ^ (~e & g);
    const uint64_t t1 = h + sum1 + choose + kRound512[t] + w[t];
    const uint64_t sum0 = Rotr64(a, 28) ^ Rotr64(a, 34) ^ Rotr64(a, 39);
    const uint64_t majority = (a & b) ^ (a & c) ^ (b & c);
    const uint64_t t2 = sum0 + majority;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

namespace {
// Gives Absorb access to the private block functions.
struct Sha512Blocks {
  MicroSha512* hash;
  void (MicroSha512::*block)(const uint8_t*);
  void BlockOf(const uint8_t* p) { (hash->*block)(p); }
};
struct Sha256Blocks {
  MicroSha256* hash;
  void (MicroSha256::*block)(const uint8_t*);
  void BlockOf(const uint8_t* p) { (hash->*block)(p); }
};
}  // namespace

void MicroSha512::Update(const uint8_t* data, size_t size) {
  if (size == 0) return;
  total_bytes_ += size;
  Sha512Blocks blocks{this, &MicroSha512::Block};
  Absorb<128>(&blocks, buffer_, &buffered_, data, size);
}

void MicroSha512::Final(uint8_t digest[kSha512Bytes]) {
  // Padding (5.1.2): 0x80, zeros, then the length in bits as 128 bits.
  const uint64_t bits_low = total_bytes_ << 3;
  const uint64_t bits_high = total_bytes_ >> 61;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > 112) {
    memset(buffer_ + buffered_, 0, 128 - buffered_);
    Block(buffer_);
    buffered_ = 0;
  }
  memset(buffer_ + buffered_, 0, 112 - buffered_);
  StoreBe64(bits_high, buffer_ + 112);
  StoreBe64(bits_low, buffer_ + 120);
  Block(buffer_);
  for (int i = 0; i < 8; ++i) StoreBe64(state_[i], digest + 8 * i);
}

// ---- SHA-256 (FIPS 180-4 6.2) ------------------------------------------

MicroSha256::MicroSha256() { memcpy(state_, kInitial256, sizeof(state_)); }

void MicroSha256::Block(const uint8_t* block) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t) w[t] = LoadBe32(block + 4 * t);
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 =
        Rotr32(w[t - 15], 7) ^ Rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 =
        Rotr32(w[t - 2], 17) ^ Rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = s1 + w[t - 7] + s0 + w[t - 16];
  }
  uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t sum1 = Rotr32(e, 6) ^ Rotr32(e, 11) ^ Rotr32(e, 25);
    const uint32_t choose = (e & f) ^ (~e & g);
    const uint32_t t1 = h + sum1 + choose + kRound256[t] + w[t];
    const uint32_t sum0 = Rotr32(a, 2) ^ Rotr32(a, 13) ^ Rotr32(a, 22);
    const uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
    const uint32_t t2 = sum0 + majority;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

void MicroSha256::Update(const uint8_t* data, size_t size) {
  if (size == 0) return;
  total_bytes_ += size;
  Sha256Blocks blocks{this, &MicroSha256::Block};
  Absorb<64>(&blocks, buffer_, &buffered_, data, size);
}

void MicroSha256::Final(uint8_t digest[kSha256Bytes]) {
  const uint64_t bits = total_bytes_ << 3;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > 56) {
    memset(buffer_ + buffered_, 0, 64 - buffered_);
    Block(buffer_);
    buffered_ = 0;
  }
  memset(buffer_ + buffered_, 0, 56 - buffered_);
  StoreBe64(bits, buffer_ + 56);
  Block(buffer_);
  for (int i = 0; i < 8; ++i) StoreBe32(state_[i], digest + 4 * i);
}

}  // namespace ember::micro
