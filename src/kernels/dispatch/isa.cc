#include "kernels/dispatch/isa.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "kernels/dispatch/cpu_features.h"

namespace ember::kernels {
namespace {

constexpr IsaSet Set(std::initializer_list<Isa> isas) {
  IsaSet s;
  for (Isa isa : isas) s = s | IsaSet::Of(isa);
  return s;
}

struct Tier {
  const char* name;
  IsaSet isas;
};

// Each name caps at its tier and includes the tiers its kernels build on.
constexpr IsaSet kAvx2Tier = Set({Isa::kPortable, Isa::kAvx2});
constexpr IsaSet kAvx512Tier = kAvx2Tier | IsaSet::Of(Isa::kAvx512);
constexpr IsaSet kNeonTier = Set({Isa::kPortable, Isa::kNeon});
constexpr Tier kTiers[] = {
    {"ref", IsaSet::None()},
    {"none", IsaSet::None()},
    {"portable", IsaSet::Of(Isa::kPortable)},
    {"avx2", kAvx2Tier},
    {"avxvnni", kAvx2Tier | IsaSet::Of(Isa::kAvxVnni)},
    {"avx512", kAvx512Tier},
    {"avx512vbmi", kAvx512Tier | IsaSet::Of(Isa::kAvx512Vbmi)},
    {"avx512vnni", kAvx512Tier | IsaSet::Of(Isa::kAvx512Vnni)},
    {"neon", kNeonTier},
    {"dotprod", kNeonTier | IsaSet::Of(Isa::kNeonDotprod)},
    {"i8mm", kNeonTier | Set({Isa::kNeonDotprod, Isa::kNeonI8mm})},
    {"all", IsaSet::All()},
    {"native", IsaSet::All()},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The innermost ScopedIsaOverride's cap (All when none is active).
std::atomic<uint32_t> g_scoped_cap{IsaSet::All().bits()};

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable:
      return "portable";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx512Vbmi:
      return "avx512vbmi";
    case Isa::kAvx512Vnni:
      return "avx512vnni";
    case Isa::kAvxVnni:
      return "avxvnni";
    case Isa::kNeon:
      return "neon";
    case Isa::kNeonDotprod:
      return "dotprod";
    case Isa::kNeonI8mm:
      return "i8mm";
    case Isa::kCount:
      break;
  }
  return "?";
}

std::string IsaSet::ToString() const {
  if (empty()) return "ref";
  std::string s;
  for (uint32_t i = 0; i < static_cast<uint32_t>(Isa::kCount); ++i) {
    if (!contains(static_cast<Isa>(i))) continue;
    if (!s.empty()) s += ' ';
    s += IsaName(static_cast<Isa>(i));
  }
  return s;
}

IsaSet DetectedIsas() {
  static const IsaSet detected = [] {
    const dispatch::CpuFeatures& f = dispatch::GetCpuFeatures();
    IsaSet s = IsaSet::Of(Isa::kPortable);
    auto add = [&s](bool on, Isa isa) {
      if (on) s = s | IsaSet::Of(isa);
    };
#if defined(__x86_64__)
    add(f.has_avx2_fma(), Isa::kAvx2);
    add(f.has_avx512(), Isa::kAvx512);
    add(f.has_avx512() && f.avx512vbmi, Isa::kAvx512Vbmi);
    add(f.has_avx512() && f.avx512vnni, Isa::kAvx512Vnni);
    add(f.has_avx2_fma() && f.avx_vnni, Isa::kAvxVnni);
#elif defined(__aarch64__)
    add(f.neon, Isa::kNeon);
    add(f.neon && f.dotprod, Isa::kNeonDotprod);
    add(f.neon && f.i8mm, Isa::kNeonI8mm);
#endif
    (void)f;
    (void)add;
    return s;
  }();
  return detected;
}

bool ParseIsaList(std::string_view text, IsaSet* out, std::string* error) {
  text = Trim(text);
  if (text.empty()) {
    *out = IsaSet::All();
    return true;
  }
  IsaSet result;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view word = Trim(text.substr(0, comma));
    const Tier* found = nullptr;
    for (const Tier& t : kTiers)
      if (word == t.name) found = &t;
    if (found == nullptr) {
      if (error != nullptr) {
        *error = "unknown ISA '" + std::string(word) + "' (known:";
        for (const Tier& t : kTiers) *error += std::string(" ") + t.name;
        *error += ")";
      }
      return false;
    }
    result = result | found->isas;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  *out = result;
  return true;
}

IsaSet EnvIsaCap(std::string* error) {
  static std::string env_error;
  static const IsaSet cap = [] {
    if (dispatch::EnvForcesReference()) return IsaSet::None();
    const char* v = std::getenv("EMBER_ISA");
    IsaSet s = IsaSet::All();
    if (v != nullptr && !ParseIsaList(v, &s, &env_error)) {
      env_error = "EMBER_ISA: " + env_error;
      return IsaSet::None();
    }
    return s;
  }();
  if (error != nullptr) *error = env_error;
  return cap;
}

bool ResolveAllowedIsas(std::string_view option, bool force_reference,
                        IsaSet* out, std::string* error) {
  *out = IsaSet::None();
  std::string env_error;
  EnvIsaCap(&env_error);
  if (!env_error.empty()) {
    *error = env_error;
    return false;
  }
  IsaSet from_option;
  if (!ParseIsaList(option, &from_option, error)) {
    *error = "InterpreterOptions::isa: " + *error;
    return false;
  }
  if (force_reference) return true;
  *out = AllowedIsas() & from_option;
  return true;
}

IsaSet AllowedIsas() {
  return DetectedIsas() & EnvIsaCap() & IsaSet::FromBits(g_scoped_cap.load());
}

ScopedIsaOverride::ScopedIsaOverride(IsaSet cap)
    : previous_(g_scoped_cap.exchange(g_scoped_cap.load() & cap.bits())) {}

ScopedIsaOverride::ScopedIsaOverride(std::string_view tiers)
    : previous_(g_scoped_cap.load()) {
  IsaSet cap;
  std::string error;
  if (!ParseIsaList(tiers, &cap, &error)) {
    std::fprintf(stderr, "ScopedIsaOverride: %s\n", error.c_str());
    std::abort();
  }
  g_scoped_cap.store(previous_ & cap.bits());
}

ScopedIsaOverride::~ScopedIsaOverride() { g_scoped_cap.store(previous_); }

}  // namespace ember::kernels
