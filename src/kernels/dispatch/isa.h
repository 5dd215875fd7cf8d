// The instruction sets the optimized kernels are written for, one enum for
// every architecture, and the set of them a run may use:
//   allowed = detected CPU features ∩ EMBER_ISA ∩ InterpreterOptions::isa
//             ∩ the innermost ScopedIsaOverride
// (each source only narrows; an empty set means reference kernels
// everywhere, as do EMBER_FORCE_REF=1 and force_reference_kernels).
// Kernel getters pick the first entry of their family's list whose ISA is
// in the allowed set (kernels/dispatch/registry.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ember::kernels {

enum class Isa : uint8_t {
  // Optimized code in plain C++ (no intrinsics), e.g. the blocked transpose:
  // present on every CPU, absent only when reference kernels are forced.
  kPortable,
  kAvx2,        // AVX2 + FMA
  kAvx512,      // AVX-512 F/BW/VL + FMA
  kAvx512Vbmi,  // + byte permutes
  kAvx512Vnni,  // + vpdpbusd on zmm
  kAvxVnni,     // AVX2 + VEX vpdpbusd on ymm
  kNeon,
  kNeonDotprod,  // SDOT/UDOT (FEAT_DotProd)
  kNeonI8mm,     // SMMLA (FEAT_I8MM): the int8 GEMM and conv tiles
  // WebAssembly SIMD128: present whenever the module was built with it (an
  // engine without SIMD128 cannot load such a module).
  kWasmSimd128,
  kCount
};

// "avx512vnni", "neon", ... (the names EMBER_ISA accepts for single ISAs).
const char* IsaName(Isa isa);

class IsaSet {
 public:
  constexpr IsaSet() = default;
  static constexpr IsaSet None() { return IsaSet(); }
  static constexpr IsaSet All() {
    return IsaSet((1u << static_cast<uint32_t>(Isa::kCount)) - 1u);
  }
  // Bits as returned by bits() (values outside the enum are dropped).
  static constexpr IsaSet FromBits(uint32_t bits) {
    return IsaSet(bits & All().bits_);
  }
  static constexpr IsaSet Of(Isa isa) {
    return IsaSet(1u << static_cast<uint32_t>(isa));
  }

  constexpr bool contains(Isa isa) const {
    return (bits_ & Of(isa).bits_) != 0;
  }
  constexpr bool empty() const { return bits_ == 0; }
  // Whether any SIMD fp32 kernel set (AVX2, AVX-512, NEON or wasm SIMD128)
  // may run.
  constexpr bool any_float() const {
    return contains(Isa::kAvx2) || contains(Isa::kAvx512) ||
           contains(Isa::kNeon) || contains(Isa::kWasmSimd128);
  }
  constexpr IsaSet operator&(IsaSet o) const { return IsaSet(bits_ & o.bits_); }
  constexpr IsaSet operator|(IsaSet o) const { return IsaSet(bits_ | o.bits_); }
  constexpr bool operator==(const IsaSet&) const = default;
  constexpr uint32_t bits() const { return bits_; }

  // "portable avx2 avx512" ("ref" when empty).
  std::string ToString() const;

 private:
  constexpr explicit IsaSet(uint32_t bits) : bits_(bits) {}
  uint32_t bits_ = 0;
};

// What this CPU (and OS) can run; always contains kPortable.
IsaSet DetectedIsas();

// Parses an override: a comma list of tier names, each a cap that includes
// the tiers below it ("avx2", "avx512" = AVX2 + AVX-512 without VNNI/VBMI,
// "avx512vnni", "avx512vbmi", "avxvnni", "neon", "dotprod", "i8mm",
// "simd128"),
// "portable" (no SIMD kernels), "ref" / "none" (empty: reference kernels),
// or "all" / "native". Empty text = no cap (All). Returns false with a
// message naming the bad word and the accepted names.
bool ParseIsaList(std::string_view text, IsaSet* out, std::string* error);

// The cap from the environment variable EMBER_ISA (All when unset) and
// EMBER_FORCE_REF (None); read once. *error is set (and the cap is None)
// when EMBER_ISA holds an unknown name.
IsaSet EnvIsaCap(std::string* error = nullptr);

// The set allowed for an interpreter: detected ∩ env ∩ `option` ∩ scoped
// override; empty when `force_reference`. False (with *error) when
// `option` or EMBER_ISA names an unknown ISA.
bool ResolveAllowedIsas(std::string_view option, bool force_reference,
                        IsaSet* out, std::string* error);

// The same without interpreter options (kernel tests and benchmarks).
IsaSet AllowedIsas();

// Narrows the allowed set for interpreters created while it lives (tests).
// Nests; not thread-safe against concurrent interpreter creation.
class ScopedIsaOverride {
 public:
  explicit ScopedIsaOverride(IsaSet cap);
  // A tier list as for ParseIsaList; an unknown name aborts (test bug).
  explicit ScopedIsaOverride(std::string_view tiers);
  ~ScopedIsaOverride();
  ScopedIsaOverride(const ScopedIsaOverride&) = delete;
  ScopedIsaOverride& operator=(const ScopedIsaOverride&) = delete;

 private:
  uint32_t previous_;
};

}  // namespace ember::kernels
