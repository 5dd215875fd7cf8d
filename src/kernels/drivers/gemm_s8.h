// int8 GEMM for the x86 fast path of CONV_2D / FULLY_CONNECTED (int8 and
// hybrid). C[M, N] = epilogue(sum over taps t, k of A_t[m][k] * W[n][t, k]).
//
// Activations stay int8 in memory; the kernels flip them to uint8 (x + 128)
// on the fly because vpdpbusd multiplies unsigned by signed bytes. The
// 128 x column-sum correction (and the input zero-point term) is folded
// into a per-column int32 at pack time, so accumulators equal the
// reference kernel's exactly.
//
// A rows arrive as pointers, one per (tap, row): for a KxK convolution the
// driver builds them from an indirection table (input pixel offsets made
// at Prepare, -1 for padding, which reads a row of zero-point values); for
// a 1x1 convolution or FULLY_CONNECTED there is one tap and row m starts
// at a + m * lda.
//
// Weights are packed once into panels of NR columns:
//   header: 4 x NR int32 (slot 0: bias + corrections; 1..3: epilogue data)
//   then for each tap, ceil(tap_k / 4) groups of NR x 4 bytes: weight
//   (tap, k = 4g + i) of column j at byte j * 4 + i; zero past N and past
//   tap_k.
// Per-ISA microkernels live in gemm_s8_<isa>.cc (that ISA's flags only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "kernels/dispatch/registry.h"

namespace ember::x86 {

// What the epilogue writes.
enum class S8Output : int32_t {
  // int8 = clamp(zp + MultiplyByQuantizedMultiplier(acc)), the conv ops'
  // double rounding. Header slots: 1 multiplier, 2 left shift, 3 right shift.
  kInt8DoubleRounding,
  // int8 with FULLY_CONNECTED's single 64-bit rounding. Header slots:
  // 1 multiplier, 3 total right shift (31 - shift).
  kInt8SingleRounding,
  // float = clamp(float(acc + row_offset * colsum) * col_scale * row_scale
  // + col_bias). Header slot 1: the column sum of the weights.
  kFloat,
};

constexpr int32_t kS8HeaderSlots = 4;

struct S8PackLayout {
  int32_t n = 0;       // output columns
  int32_t nr = 0;      // columns per panel
  int32_t taps = 1;    // A pointers per row
  int32_t tap_k = 0;   // bytes of depth per tap
  int32_t tap_k4 = 0;  // tap_k rounded up to 4
  int32_t panels = 0;
  size_t panel_bytes = 0;
  size_t total_bytes = 0;
};

S8PackLayout MakeS8Layout(int32_t n, int32_t taps, int32_t tap_k, int32_t nr);

// Packs weights w[N][taps * tap_k] (row n at w + n * taps * tap_k) and
// zeroes the headers; big matrices are split by panels over `pool`
// (nullptr: the calling thread alone).
void PackS8Weights(const S8PackLayout& l, const int8_t* w, uint8_t* packed,
                   ThreadPool* pool = nullptr);

// Header slot `slot` of column `col` (col < N).
inline int32_t* S8Header(const S8PackLayout& l, uint8_t* packed, int32_t slot,
                         int32_t col) {
  uint8_t* panel = packed + static_cast<size_t>(col / l.nr) * l.panel_bytes;
  return reinterpret_cast<int32_t*>(panel) + slot * l.nr + col % l.nr;
}

// Sum of row `col` of w[N][k].
int32_t S8WeightSum(const int8_t* w, int32_t col, int64_t k);

// One MR x NR tile: the driver passes MR row pointers per tap (rows past
// `rows` repeat a valid row and are computed but not stored).
struct S8TileArgs {
  const int8_t* const* a = nullptr;  // [taps][mr]
  int32_t taps = 1;
  int32_t tap_k = 0;
  int32_t rows = 0;  // rows stored (<= mr)
  int32_t cols = 0;  // columns stored (<= nr)
  const uint8_t* panel = nullptr;
  void* c = nullptr;  // first output element of the tile
  int64_t ldc = 0;    // elements between output rows
  S8Output mode = S8Output::kInt8DoubleRounding;
  int32_t out_zp = 0, lo = -128, hi = 127;  // int8 outputs
  // kFloat only:
  const int32_t* row_offset = nullptr;  // [mr]: -input zero point of the row
  const float* row_scale = nullptr;     // [mr]: input scale of the row
  const float* col_scale = nullptr;     // [nr]: weight scale of the column
  const float* col_bias = nullptr;      // [nr] or nullptr
  float flo = 0.0f, fhi = 0.0f;
};

using S8TileFn = void (*)(const S8TileArgs& t);

// One entry of the int8 tile list (gemm_s8_kernels.def).
struct S8Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;     // nullptr: none available
  const char* gemm_label = nullptr;   // kernel_variant: rows read directly
  const char* igemm_label = nullptr;  // kernel_variant: indirection table
  int32_t mr = 0;
  int32_t nr = 0;
  // What the tile adds to every activation byte before multiplying: the
  // x86 ones flip int8 to uint8 (+128) for vpdpbusd / vpmaddubsw, the ARM
  // and WebAssembly ones multiply signed bytes as they are. The packed bias
  // absorbs
  // -(input_shift + input zero point) x column sum.
  int32_t input_shift = 0;
  S8TileFn fn = nullptr;
};

// Every int8 tile built for this architecture, best first.
std::span<const S8Kernel> S8Kernels();

// The first allowed one (nullptr: reference kernels).
inline const S8Kernel* SelectS8Kernel(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(S8Kernels(), allowed);
}

// A whole GEMM / convolution, run over the thread pool.
struct S8Problem {
  int64_t m = 0;  // output rows (all batches)
  // Direct mode (indirection == nullptr): one tap, row r at a + r * lda.
  const int8_t* a = nullptr;
  int64_t lda = 0;
  // Indirection mode: offsets[(r % rows_per_batch) * taps + t] is the byte
  // offset of row r's tap t in its batch (a + batch * batch_stride), or
  // -1 for padding, which reads zero_rows + batch * zero_row_stride.
  const int32_t* indirection = nullptr;
  int64_t rows_per_batch = 1;
  int64_t batch_stride = 0;
  const int8_t* zero_rows = nullptr;
  int64_t zero_row_stride = 0;
  int32_t taps = 1;
  int32_t tap_k = 0;
  const uint8_t* packed = nullptr;
  S8PackLayout layout;
  void* c = nullptr;
  int64_t ldc = 0;
  S8Output mode = S8Output::kInt8DoubleRounding;
  int32_t out_zp = 0, lo = -128, hi = 127;
  // kFloat: per batch (row / rows_per_batch) offset and scale, per column
  // scale (padded to whole panels) and optional bias (same padding).
  const int32_t* batch_offset = nullptr;
  const float* batch_scale = nullptr;
  const float* col_scale = nullptr;
  const float* col_bias = nullptr;
  float flo = 0.0f, fhi = 0.0f;
  // Grouped convolution: `groups` GEMMs over the same rows, each with its
  // own packed weights (`layout` describes one group; group g's panels
  // start g * layout.total_bytes into `packed`). Group g reads every A row
  // pointer g * group_a_offset bytes further, padding rows included (so a
  // padding row must hold (groups - 1) * group_a_offset + tap_k4 bytes),
  // writes columns [g * layout.n, (g + 1) * layout.n) of C and, for
  // kFloat, uses col_scale / col_bias from g * layout.panels * layout.nr on.
  int32_t groups = 1;
  int64_t group_a_offset = 0;
};

// Scratch (bytes) RunS8Gemm needs for `slots` workers: the per-tile
// pointer arrays (two per worker when grouped: the tile's and the group's).
inline size_t S8PointerScratchBytes(const S8Kernel& k, int32_t taps, int slots,
                                    int32_t groups = 1) {
  return sizeof(void*) * static_cast<size_t>(taps) * k.mr * slots *
         (groups > 1 ? 2 : 1);
}

void RunS8Gemm(ThreadPool* pool, int max_slots, const S8Kernel& kernel,
               const S8Problem& p, const int8_t** pointer_scratch);

// Hybrid kernels' per-batch input quantization, bit-exact with
// ref::SymmetricQuantizeToInt8 (asymmetric == false, *zero_point = 0) or
// ref::AsymmetricQuantizeToInt8: vectorized on AVX-512 and AVX2, else the
// reference.
void QuantizeS8Input(bool asymmetric, const float* x, int64_t n, int8_t* out,
                     float* scale, int32_t* zero_point);

// Defined in the per-ISA files (x86 builds only).
void QuantizeS8SymmetricAvx512(const float* x, int64_t n, int8_t* out,
                               float* scale);
void QuantizeS8AsymmetricAvx512(const float* x, int64_t n, int8_t* out,
                                float* scale, int32_t* zero_point);
void QuantizeS8SymmetricAvx2(const float* x, int64_t n, int8_t* out,
                             float* scale);
void QuantizeS8AsymmetricAvx2(const float* x, int64_t n, int8_t* out,
                              float* scale, int32_t* zero_point);
void S8TileAvx512Vnni(const S8TileArgs& t);
void S8TileAvxVnni(const S8TileArgs& t);
void S8TileAvx512(const S8TileArgs& t);
void S8TileAvx2(const S8TileArgs& t);

// WebAssembly SIMD128 builds only (kernels/wasm/gemm_s8_simd128.cc): signed
// activations as they are (input shift 0), like the ARM tiles.
constexpr int32_t kS8TileWasmSimd128Mr = 4;
constexpr int32_t kS8TileWasmSimd128Nr = 8;
void S8TileWasmSimd128(const S8TileArgs& t);

}  // namespace ember::x86
