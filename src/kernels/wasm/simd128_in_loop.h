// InLoop(): an optimization barrier for the SIMD128 kernels' loop-invariant
// operands (see below). Included only by files built with -msimd128.
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <cstdint>

namespace ember::x86 {
namespace {

// Keeps a loop-invariant operand inside the loop body. Debian's emscripten
// 3.1.6 (clang 14) hoists the splat of a shift count and the sign extension
// of a multiplier out of a loop, after which its WebAssembly instruction
// selection (one basic block at a time) no longer sees them: a shift by
// one count becomes four scalar shifts with lane extracts, and
// i64x2.extmul becomes i64x2.mul, which V8 emulates on x86 (the int8 ADD
// and MUL of the fast-op table ran 2.1-2.8x slower, Node 20). An empty volatile
// asm statement cannot be hoisted, so the value is "produced" in the loop and
// the patterns match again; it emits no instruction.
inline v128_t InLoop(v128_t v) {
  __asm__ volatile("" : "+r"(v));
  return v;
}
inline uint32_t InLoop(uint32_t v) {
  __asm__ volatile("" : "+r"(v));
  return v;
}

}  // namespace
}  // namespace ember::x86
#endif  // __wasm_simd128__
