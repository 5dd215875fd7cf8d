// NEON 8-bit table lookup (out[i] = table[in[i]]), 16 bytes per step. One
// TBL over four registers reaches 64 table entries, so the 256-entry table
// takes four rounds: TBL on the first quarter, then TBX on each later
// quarter with the index lowered by 64 per round. TBX leaves a lane alone
// when its index is out of range, and the lowered index of a lane that an
// earlier quarter already served has wrapped past 63, so every lane is
// written exactly once. Listed in kernels/drivers/lut8_kernels.def.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "kernels/drivers/fast_ops.h"

// The list's functions live in the drivers' namespace (fast_ops.cc declares
// them from lut8_kernels.def).
namespace ember::x86 {

namespace {

uint8x16x4_t LoadQuarter(const uint8_t* table) {
  uint8x16x4_t q;
  q.val[0] = vld1q_u8(table);
  q.val[1] = vld1q_u8(table + 16);
  q.val[2] = vld1q_u8(table + 32);
  q.val[3] = vld1q_u8(table + 48);
  return q;
}

}  // namespace

void Lut8Neon(const uint8_t* table, const uint8_t* in, uint8_t* out,
              int64_t begin, int64_t end) {
  const uint8x16x4_t q0 = LoadQuarter(table);
  const uint8x16x4_t q1 = LoadQuarter(table + 64);
  const uint8x16x4_t q2 = LoadQuarter(table + 128);
  const uint8x16x4_t q3 = LoadQuarter(table + 192);
  const uint8x16_t quarter = vdupq_n_u8(64);
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    uint8x16_t index = vld1q_u8(in + i);
    uint8x16_t result = vqtbl4q_u8(q0, index);
    index = vsubq_u8(index, quarter);
    result = vqtbx4q_u8(result, q1, index);
    index = vsubq_u8(index, quarter);
    result = vqtbx4q_u8(result, q2, index);
    index = vsubq_u8(index, quarter);
    result = vqtbx4q_u8(result, q3, index);
    vst1q_u8(out + i, result);
  }
  for (; i < end; ++i) out[i] = table[in[i]];
}

}  // namespace ember::x86
#endif  // __aarch64__
