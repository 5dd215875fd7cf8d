// Inputs for `ember run`: matching NAME=FILE.npy arguments to a subgraph's
// inputs, checking and resizing, and seeded random values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/npy.h"
#include "runtime/subgraph.h"

namespace ember::cli {

// Per input position: the .npy file named for it, or empty.
// Returns kExitOk, or prints the problem and returns kExitUsage (malformed
// spec, unknown name, the same input given twice).
int MatchInputSpecs(const std::vector<std::string>& specs, const Subgraph& sg,
                    std::vector<std::string>* files);

// Checks that `array` can feed input `position` (same type exactly) and
// resizes the input when the shapes differ. Prints the problem and returns
// kExitError if not. `source` names the array in messages.
int ApplyInputArray(const NpyArray& array, const std::string& source,
                    int position, Subgraph& sg);

// Fills an allocated tensor with uniform values from (seed, position); the
// ranges are described in main.cc's help text. Returns false (and prints)
// for types it cannot generate.
bool FillRandom(Tensor& tensor, uint64_t seed, int position);

}  // namespace ember::cli
