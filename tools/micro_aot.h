// `ember micro export --aot`: the model compiled ahead of time into plain
// C++ (app/model_aot.cc): one function per model that calls the reference
// kernels (src/kernels/ref) op after op, with every tensor at a constant
// offset of one static arena (the micro planner's plan, computed here),
// the quantization multipliers and shapes as constants and the weights as
// const arrays. No interpreter, no flatbuffer, no model array in the image.
//
// The generator reads everything from a micro interpreter that has
// allocated the model on the host: the tensors' places (arena offsets,
// constants, variables), and, for each op, the parameters that op's
// Prepare/Eval derives, computed with the same helpers (micro_op_util.h)
// so the generated calls get the same arguments the interpreter passes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "micro/micro_interpreter.h"

namespace ember::cli {

struct AotModel {
  std::string source;         // app/model_aot.cc
  std::string header;         // app/model_aot.h
  std::string main;           // app/main.cc (the semihosting runner)
  std::string inputs;         // app/inputs.cc (the embedded inputs)
  std::string inputs_header;  // app/inputs.h
  size_t arena_bytes = 0;     // the static arena (activations, scratch)
  size_t variable_bytes = 0;  // variable tensors (RNN / SVDF state)
  size_t constant_bytes = 0;  // weights and precomputed parameters
  // Patch-based execution (micro_aot_patch.h): the leading chain of
  // convolutions run in bands of patch_rows output rows (0 layers: off,
  // or patches did not lower the peak); the arena the plain plan needs.
  int32_t patch_first_node = -1;
  int32_t patch_layers = 0;
  int32_t patch_rows = 0;
  size_t unpatched_arena_bytes = 0;
  // The ops run in another topological order than the model's (the one
  // with the smallest planned arena): `order`, node indices.
  bool reordered = false;
  std::vector<int32_t> order;
};

struct AotOptions {
  // Patch-based execution where it lowers the arena, in bands of
  // `patch_rows` rows when > 0 (else the height with the smallest arena).
  bool patches = true;
  int32_t patch_rows = 0;
  // Operator reordering where it lowers the arena (branching graphs).
  bool reorder = true;
};

// `interp` must have run AllocateTensors (its variables are reset here).
// `model` / `model_size`: the bytes it runs (constant tensors point into
// them); `arena`: the arena it was given; `output_names`: as the firmware
// prints them; `inputs`: the bytes embedded for each input. False with
// `error` set (naming the op) when an op or a tensor type has no AOT code.
bool GenerateAot(micro::MicroInterpreter& interp, const uint8_t* model,
                 size_t model_size, const uint8_t* arena,
                 const std::vector<std::string>& output_names,
                 const std::vector<std::vector<uint8_t>>& inputs,
                 const std::string& model_name, AotModel* out,
                 std::string* error, const AotOptions& options = {});

}  // namespace ember::cli
