#include "micro/micro_ed25519.h"

#include <cstring>

#include "micro/micro_sha2.h"

// Field elements mod p = 2^255 - 19 are 16 signed 32-bit limbs of 16 bits
// (value = sum limb[i] * 2^(16 i)). Additions and subtractions do not
// carry; multiplications carry twice, leaving limbs in (-2^6, 2^17), so
// the limbs the formulas below multiply stay below 2^20: each limb product
// is one 32x32->64 multiply-accumulate (SMLAL on Cortex-M3/M4) and the
// schoolbook sum fits an int64 even after folding 2^256 = 38 (mod p). Points
// are extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, x y = T/Z, with the
// formulas of RFC 8032 5.1.4. All of it is variable time: verification sees
// only public data.
namespace ember::micro {
namespace {

using Fe = int32_t[16];

// d = -121665 / 121666, 2d, sqrt(-1) = 2^((p-1)/4), and the base point B
// (y = 4/5, x even), as 16-bit limbs; tests/micro checks each against its
// definition.
constexpr int32_t kD2[16] = {0xf159, 0x26b2, 0x9b94, 0xebd6, 0xb156, 0x8283,
                             0x149a, 0x00e0, 0xd130, 0xeef3, 0x80f2, 0x198e,
                             0xfce7, 0x56df, 0xd9dc, 0x2406};
constexpr int32_t kD[16] = {0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141,
                            0x0a4d, 0x0070, 0xe898, 0x7779, 0x4079, 0x8cc7,
                            0xfe73, 0x2b6f, 0x6cee, 0x5203};
constexpr int32_t kSqrtMinusOne[16] = {
    0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43,
    0xd7a7, 0x3dfb, 0x0099, 0x2b4d, 0xdf0b, 0x4fc1, 0x2480, 0x2b83};
constexpr int32_t kBaseX[16] = {0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525,
                                0xc760, 0x692c, 0xdc5c, 0xfdd6, 0xe231, 0xc0a4,
                                0x53fe, 0xcd6e, 0x36d3, 0x2169};
constexpr int32_t kBaseY[16] = {0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666,
                                0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666,
                                0x6666, 0x6666, 0x6666, 0x6666};
// The group order L = 2^252 + 27742317777372353535851937790883648493,
// little-endian.
constexpr uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
// dom2(1, "") of RFC 8032 5.1: Ed25519ph with an empty context (libsodium's
// crypto_sign_init/update/final_* use exactly this).
constexpr char kDom2[] = "SigEd25519 no Ed25519 collisions\x01";  // + 0x00

void FeCopy(Fe r, const int32_t* a) { memcpy(r, a, sizeof(Fe)); }
void FeSet(Fe r, int32_t v) {
  memset(r, 0, sizeof(Fe));
  r[0] = v;
}

// One carry pass: limbs 0..14 into [0, 2^16), the top carry folded into
// limb 0 as 38 (2^256 = 2 * 2^255 = 2 * 19 mod p).
void Carry(int64_t r[16]) {
  for (int i = 0; i < 16; ++i) {
    const int64_t c = r[i] >> 16;  // floor (arithmetic shift, C++20)
    r[i] &= 0xffff;
    if (i < 15) {
      r[i + 1] += c;
    } else {
      r[0] += 38 * c;
    }
  }
}

void FeAdd(Fe r, const Fe a, const Fe b) {
  for (int i = 0; i < 16; ++i) r[i] = a[i] + b[i];
}
void FeSub(Fe r, const Fe a, const Fe b) {
  for (int i = 0; i < 16; ++i) r[i] = a[i] - b[i];
}

// Product scanning: column k of the product and column k + 16 (folded in
// as 38 times it) accumulate in registers, one multiply-accumulate per
// limb pair.
void FeMul(Fe r, const Fe a, const Fe b) {
  int64_t t[16];
  for (int k = 0; k < 16; ++k) {
    int64_t low = 0, high = 0;
    for (int i = 0; i <= k; ++i) low += int64_t{a[i]} * b[k - i];
    for (int i = k + 1; i < 16; ++i) high += int64_t{a[i]} * b[k + 16 - i];
    t[k] = low + 38 * high;
  }
  Carry(t);
  Carry(t);
  for (int i = 0; i < 16; ++i) r[i] = static_cast<int32_t>(t[i]);
}

// Column c of a * a: each pair i < c - i once, doubled, plus the square.
int64_t SquareColumn(const Fe a, int c) {
  int64_t sum = 0;
  for (int i = c > 15 ? c - 15 : 0; i < c - i; ++i)
    sum += int64_t{a[i]} * a[c - i];
  sum *= 2;
  if (c % 2 == 0) sum += int64_t{a[c / 2]} * a[c / 2];
  return sum;
}

void FeSquare(Fe r, const Fe a) {
  int64_t t[16];
  for (int k = 0; k < 16; ++k)
    t[k] = SquareColumn(a, k) + (k < 15 ? 38 * SquareColumn(a, k + 16) : 0);
  Carry(t);
  Carry(t);
  for (int i = 0; i < 16; ++i) r[i] = static_cast<int32_t>(t[i]);
}

// The canonical 32-byte little-endian encoding (value mod p in [0, p)).
void FeToBytes(uint8_t out[32], const Fe a) {
  int64_t t[16];
  for (int i = 0; i < 16; ++i) t[i] = a[i];
  for (;;) {  // until every limb is in [0, 2^16): at most a few passes
    bool settled = true;
    for (int i = 0; i < 16; ++i) settled = settled && t[i] >= 0 && t[i] < 65536;
    if (settled) break;
    Carry(t);
  }
  // Now 0 <= t < 2^256 = 2p + 38: subtract p at most twice.
  for (int round = 0; round < 2; ++round) {
    int64_t m[16];
    int64_t borrow = 0;
    for (int i = 0; i < 16; ++i) {
      const int64_t limb_of_p = i == 0 ? 0xffed : (i == 15 ? 0x7fff : 0xffff);
      m[i] = t[i] - limb_of_p - borrow;
      borrow = m[i] < 0 ? 1 : 0;
      m[i] &= 0xffff;
    }
    if (borrow == 0) memcpy(t, m, sizeof(t));  // t >= p
  }
  for (int i = 0; i < 16; ++i) {
    out[2 * i] = static_cast<uint8_t>(t[i]);
    out[2 * i + 1] = static_cast<uint8_t>(t[i] >> 8);
  }
}

// The low 255 bits of `in` (no reduction: the caller checks y < p).
void FeFromBytes(Fe r, const uint8_t in[32]) {
  for (int i = 0; i < 16; ++i) r[i] = in[2 * i] | int32_t{in[2 * i + 1]} << 8;
  r[15] &= 0x7fff;
}

bool FeEqual(const Fe a, const Fe b) {
  uint8_t x[32], y[32];
  FeToBytes(x, a);
  FeToBytes(y, b);
  return memcmp(x, y, 32) == 0;
}

bool FeIsZero(const Fe a) {
  uint8_t x[32];
  FeToBytes(x, a);
  for (uint8_t v : x)
    if (v != 0) return false;
  return true;
}

bool FeIsOdd(const Fe a) {
  uint8_t x[32];
  FeToBytes(x, a);
  return (x[0] & 1) != 0;
}

// a^(p-2) = 1/a. p - 2 = 2^255 - 21: bits 254..0 set except bits 2 and 4.
void FeInvert(Fe r, const Fe a) {
  Fe t;
  FeSet(t, 1);
  for (int bit = 254; bit >= 0; --bit) {
    FeSquare(t, t);
    if (bit != 2 && bit != 4) FeMul(t, t, a);
  }
  FeCopy(r, t);
}

// a^((p-5)/8), (p-5)/8 = 2^252 - 3: bits 251..0 set except bit 1.
void FePowP58(Fe r, const Fe a) {
  Fe t;
  FeSet(t, 1);
  for (int bit = 251; bit >= 0; --bit) {
    FeSquare(t, t);
    if (bit != 1) FeMul(t, t, a);
  }
  FeCopy(r, t);
}

struct Point {
  Fe x, y, z, t;
};

void PointIdentity(Point* p) {
  FeSet(p->x, 0);
  FeSet(p->y, 1);
  FeSet(p->z, 1);
  FeSet(p->t, 0);
}

void PointBase(Point* p) {
  FeCopy(p->x, kBaseX);
  FeCopy(p->y, kBaseY);
  FeSet(p->z, 1);
  FeMul(p->t, p->x, p->y);
}

// RFC 8032 5.1.4, addition (complete for every pair of points).
void PointAdd(Point* r, const Point& p, const Point& q) {
  Fe a, b, c, d, e, f, g, h, t1, t2;
  FeSub(t1, p.y, p.x);
  FeSub(t2, q.y, q.x);
  FeMul(a, t1, t2);
  FeAdd(t1, p.y, p.x);
  FeAdd(t2, q.y, q.x);
  FeMul(b, t1, t2);
  FeMul(t1, p.t, q.t);
  FeMul(c, t1, kD2);
  FeMul(t1, p.z, q.z);
  FeAdd(d, t1, t1);
  FeSub(e, b, a);
  FeSub(f, d, c);
  FeAdd(g, d, c);
  FeAdd(h, b, a);
  FeMul(r->x, e, f);
  FeMul(r->y, g, h);
  FeMul(r->t, e, h);
  FeMul(r->z, f, g);
}

// RFC 8032 5.1.4, doubling.
void PointDouble(Point* r, const Point& p) {
  Fe a, b, c, e, f, g, h, t;
  FeSquare(a, p.x);
  FeSquare(b, p.y);
  FeSquare(t, p.z);
  FeAdd(c, t, t);
  FeAdd(h, a, b);
  FeAdd(t, p.x, p.y);
  FeSquare(t, t);
  FeSub(e, h, t);
  FeSub(g, a, b);
  FeAdd(f, c, g);
  FeMul(r->x, e, f);
  FeMul(r->y, g, h);
  FeMul(r->t, e, h);
  FeMul(r->z, f, g);
}

void PointNegate(Point* p) {
  Fe zero;
  FeSet(zero, 0);
  FeSub(p->x, zero, p->x);
  FeSub(p->t, zero, p->t);
}

void PointEncode(uint8_t out[32], const Point& p) {
  Fe zinv, x, y;
  FeInvert(zinv, p.z);
  FeMul(x, p.x, zinv);
  FeMul(y, p.y, zinv);
  FeToBytes(out, y);
  if (FeIsOdd(x)) out[31] |= 0x80;
}

// RFC 8032 5.1.3. False for y >= p, for x^2 without a square root, and for
// x = 0 with the sign bit set.
bool PointDecode(Point* p, const uint8_t in[32]) {
  const int sign = in[31] >> 7;
  Fe y;
  FeFromBytes(y, in);
  uint8_t canonical[32];
  FeToBytes(canonical, y);
  if (memcmp(canonical, in, 31) != 0 || canonical[31] != (in[31] & 0x7f))
    return false;  // y >= p
  // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1; candidate
  // x = u v^3 (u v^7)^((p-5)/8).
  Fe one, yy, u, v, v3, v7, x, t;
  FeSet(one, 1);
  FeSquare(yy, y);
  FeSub(u, yy, one);
  FeMul(v, yy, kD);
  FeAdd(v, v, one);
  FeSquare(v3, v);
  FeMul(v3, v3, v);
  FeSquare(v7, v3);
  FeMul(v7, v7, v);
  FeMul(t, u, v7);
  FePowP58(t, t);
  FeMul(x, u, v3);
  FeMul(x, x, t);
  Fe vxx, minus_u, zero;
  FeSquare(vxx, x);
  FeMul(vxx, vxx, v);
  FeSet(zero, 0);
  FeSub(minus_u, zero, u);
  if (!FeEqual(vxx, u)) {
    if (!FeEqual(vxx, minus_u)) return false;  // no square root
    FeMul(x, x, kSqrtMinusOne);
  }
  if (FeIsZero(x) && sign == 1) return false;
  if (static_cast<int>(FeIsOdd(x)) != sign) FeSub(x, zero, x);
  FeCopy(p->x, x);
  FeCopy(p->y, y);
  FeSet(p->z, 1);
  FeMul(p->t, x, y);
  return true;
}

bool PointIsIdentity(const Point& p) {
  return FeIsZero(p.x) && FeEqual(p.y, p.z);
}

// [8]P is the identity: P lies in the small (torsion) subgroup.
bool PointHasSmallOrder(const Point& p) {
  Point q;
  PointDouble(&q, p);
  PointDouble(&q, q);
  PointDouble(&q, q);
  return PointIsIdentity(q);
}

int Bit(const uint8_t* scalar, int i) {
  return (scalar[i >> 3] >> (i & 7)) & 1;
}

// s < L for a 32-byte little-endian s.
bool BelowOrder(const uint8_t s[32]) {
  for (int i = 31; i >= 0; --i) {
    if (s[i] != kOrder[i]) return s[i] < kOrder[i];
  }
  return false;  // equal
}

// out = in mod L for a 64-byte little-endian `in`: binary long division,
// one bit at a time (r < L throughout, so 2r + 1 < 2L needs at most one
// subtraction).
void ReduceModOrder(const uint8_t in[64], uint8_t out[32]) {
  uint32_t order[8], r[8] = {};
  for (int i = 0; i < 8; ++i) {
    order[i] = uint32_t{kOrder[4 * i]} | uint32_t{kOrder[4 * i + 1]} << 8 |
               uint32_t{kOrder[4 * i + 2]} << 16 |
               uint32_t{kOrder[4 * i + 3]} << 24;
  }
  for (int bit = 511; bit >= 0; --bit) {
    for (int i = 7; i > 0; --i) r[i] = r[i] << 1 | r[i - 1] >> 31;
    r[0] = r[0] << 1 | static_cast<uint32_t>(Bit(in, bit));
    bool at_least = true;  // r >= L
    for (int i = 7; i >= 0; --i) {
      if (r[i] != order[i]) {
        at_least = r[i] > order[i];
        break;
      }
    }
    if (!at_least) continue;
    uint64_t borrow = 0;
    for (int i = 0; i < 8; ++i) {
      const uint64_t d = uint64_t{r[i]} - order[i] - borrow;
      r[i] = static_cast<uint32_t>(d);
      borrow = d >> 63;
    }
  }
  for (int i = 0; i < 32; ++i)
    out[i] = static_cast<uint8_t>(r[i / 4] >> (8 * (i % 4)));
}

// [a]P + [b]Q by one shared chain of doublings (Straus), scalars of up to
// 256 bits.
void DoubleScalarMultiply(Point* r, const uint8_t a[32], const Point& p,
                          const uint8_t b[32], const Point& q) {
  Point sum;
  PointAdd(&sum, p, q);
  PointIdentity(r);
  bool started = false;
  for (int i = 255; i >= 0; --i) {
    if (started) PointDouble(r, *r);
    const int bits = Bit(a, i) | Bit(b, i) << 1;
    if (bits == 0) continue;
    const Point& add = bits == 1 ? p : (bits == 2 ? q : sum);
    PointAdd(r, *r, add);
    started = true;
  }
}

}  // namespace

void MicroEd25519BaseMultiple(const uint8_t scalar[32], uint8_t out[32]) {
  Point base, identity, r;
  PointBase(&base);
  PointIdentity(&identity);
  const uint8_t zero[32] = {};
  DoubleScalarMultiply(&r, scalar, base, zero, identity);
  PointEncode(out, r);
}

Ed25519Result MicroEd25519phVerify(const uint8_t prehash[64],
                                   const uint8_t signature[64],
                                   const uint8_t public_key[32]) {
  const uint8_t* r_bytes = signature;
  const uint8_t* s_bytes = signature + 32;
  if (!BelowOrder(s_bytes)) return Ed25519Result::kNonCanonicalS;
  Point a;
  if (!PointDecode(&a, public_key) || PointHasSmallOrder(a))
    return Ed25519Result::kBadPublicKey;
  // k = SHA-512(dom2(1, "") || R || A || PH(M)) mod L.
  MicroSha512 hash;
  hash.Update(reinterpret_cast<const uint8_t*>(kDom2), sizeof(kDom2));
  hash.Update(r_bytes, 32);
  hash.Update(public_key, 32);
  hash.Update(prehash, 64);
  uint8_t digest[64], k[32];
  hash.Final(digest);
  ReduceModOrder(digest, k);
  // R' = [S]B + [k](-A); valid when R' encodes to exactly R's bytes.
  Point base, check;
  PointBase(&base);
  PointNegate(&a);
  DoubleScalarMultiply(&check, s_bytes, base, k, a);
  uint8_t encoded[32];
  PointEncode(encoded, check);
  return memcmp(encoded, r_bytes, 32) == 0 ? Ed25519Result::kValid
                                           : Ed25519Result::kBadSignature;
}

}  // namespace ember::micro
