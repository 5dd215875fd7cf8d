// Prepare-time choice of the x86 fast-op kernels (kernels/drivers/fast_ops.h)
// for the element-wise, activation, pooling, reduce and resize ops: which
// ISA's table to use (none when reference kernels are forced), the variant
// label for Node::kernel_variant, and the operand classification of the
// binary ops' fast broadcasting cases. Kept apart from fast_path.h, which
// serves the conv family.
#pragma once

#include <cstdint>

#include "kernels/drivers/fast_ops.h"
#include "ops/op_util.h"

namespace ember::ops {

// The fast-op kernels for this op, or nullptr (reference kernels forced, or
// no allowed ISA has them).
inline const x86::FastOpsKernels* SelectFastOps(const OpContext& ctx) {
  const x86::FastOpsEntry* e = x86::SelectFastOpsEntry(ctx.allowed_isas());
  return e != nullptr ? e->kernels() : nullptr;
}

using x86::FastFamily;

// Static label such as "x86_avx512_eltwise" (from fast_ops_kernels.def).
inline const char* FastVariantName(const x86::FastOpsKernels* k, FastFamily f) {
  return x86::FastOpsLabel(k, f);
}

// Classifies the operands of a broadcasting binary op for the fast kernels:
// each must be the full output (same element count), a single element, or
// one last-dimension row repeated (shape [1, ..., 1, C] with C the output's
// last dim). Returns false for every other broadcast (reference kernel).
inline bool ClassifyBinaryOperands(const Shape& a, const Shape& b,
                                   const Shape& out, x86::BinaryArgs* args) {
  const int64_t n = out.NumElements();
  const int64_t row = out.rank > 0 ? out.dims[out.rank - 1] : 1;
  auto classify = [&](const Shape& s, x86::Operand* kind) {
    const int64_t m = s.NumElements();
    if (m == n) {
      *kind = x86::Operand::kFull;
    } else if (m == 1) {
      *kind = x86::Operand::kScalar;
    } else if (s.rank > 0 && m == row && s.dims[s.rank - 1] == row) {
      *kind = x86::Operand::kRow;
    } else {
      return false;
    }
    return true;
  };
  if (!classify(a, &args->a_kind) || !classify(b, &args->b_kind)) return false;
  args->n = n;
  args->row = row > 0 ? row : 1;
  return true;
}

}  // namespace ember::ops
