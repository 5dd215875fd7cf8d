// Kernel lists: each family (fp32 GEMM, int8 depthwise, ...) has one list,
// an X-macro file src/kernels/drivers/<family>_kernels.def, best kernel
// first. A line names the ISA, the function and the kernel_variant label;
// the same list drives the getter below, kernel_registry_test.cc (every
// entry against the reference kernel) and ember_kernel_bench (every entry
// timed). Adding an optimized kernel = its file + one line.
#pragma once

#include <span>
#include <vector>

#include "kernels/dispatch/isa.h"

namespace ember::kernels {

// The first entry of `list` whose ISA is allowed, or nullptr (reference).
template <typename Entry>
const Entry* FirstAllowed(std::span<const Entry> list, IsaSet allowed) {
  for (const Entry& e : list)
    if (allowed.contains(e.isa)) return &e;
  return nullptr;
}

// The entry of `list` for `isa` (nullptr if none): tests and benchmarks
// that run one ISA's kernel.
template <typename Entry>
const Entry* EntryFor(std::span<const Entry> list, Isa isa) {
  for (const Entry& e : list)
    if (e.isa == isa) return &e;
  return nullptr;
}

// The ISAs of the entries of `list` that `allowed` contains, best first.
template <typename Entry>
std::vector<Isa> AllowedEntryIsas(std::span<const Entry> list, IsaSet allowed) {
  std::vector<Isa> isas;
  for (const Entry& e : list)
    if (allowed.contains(e.isa)) isas.push_back(e.isa);
  return isas;
}

// Builds a family's list from its .def file: `static const Entry kList[] =
// {EXPANSION... {}}` ends in an empty entry so that the array is never empty
// (an architecture may build none of a family's kernels); the span leaves it
// out.
template <typename Entry, size_t N>
constexpr std::span<const Entry> ListWithoutEnd(const Entry (&list)[N]) {
  return std::span<const Entry>(list, N - 1);
}

}  // namespace ember::kernels
