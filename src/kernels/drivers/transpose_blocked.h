// Fast TRANSPOSE (ISA-neutral, cache-blocked): the permutation is first
// simplified (size-1 dims dropped, dims that stay adjacent merged); if the
// output's innermost dim is contiguous in the input, whole runs are copied
// with memcpy, otherwise the two dims that are innermost in the input and
// in the output are moved in 16 x 16 tiles so reads and writes both stay
// within a few cache lines. Bit-exact (a copy) by construction.
#pragma once

#include <cstddef>

#include "kernels/ref/strided_copy.h"

namespace ember::x86 {

// Handles element sizes 1, 2, 4 and 8 with zero offsets; returns false
// (nothing written) for anything else, leaving the caller's reference copy.
bool TransposeBlocked(const void* src, void* dst, size_t elem_size,
                      const ref::StridedCopyParams& p);

}  // namespace ember::x86
