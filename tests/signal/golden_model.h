// Helpers of the signal ops' golden tests (tests/signal/golden_tests.h),
// shared by the host interpreter's and the micro runtime's suites: the
// ops' FlexBuffer options, the golden .npy files, and the one-op model a
// golden case runs.
#pragma once

#include <flatbuffers/flexbuffers.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/npy.h"
#include "util/model_builder.h"

namespace ember::testing::signal_golden {

using Options = std::function<void(flexbuffers::Builder&)>;

// A custom op's options as a FlexBuffer map filled by `fill`.
inline std::vector<uint8_t> Flex(const Options& fill) {
  flexbuffers::Builder fbb;
  const size_t start = fbb.StartMap();
  if (fill) fill(fbb);
  fbb.EndMap(start);
  fbb.Finish();
  return fbb.GetBuffer();
}

inline fb::TensorType ToFb(DataType t) {
  return static_cast<fb::TensorType>(static_cast<int>(t));
}

// The dims of `a` after its first `skip` (the frame axis).
inline std::vector<int32_t> Dims(const NpyArray& a, size_t skip) {
  std::vector<int32_t> d;
  for (size_t i = skip; i < a.shape.size(); ++i)
    d.push_back(static_cast<int32_t>(a.shape[i]));
  return d;
}

inline NpyArray Load(const std::string& path) {
  NpyArray a;
  ErrorReporter errors;
  EXPECT_TRUE(ReadNpy(path, &a, errors).ok())
      << path << ": " << errors.message();
  return a;
}

// A model with one custom op. Inputs flagged constant get `values` baked in;
// the others become subgraph inputs shaped like `values` minus the frame axis.
inline std::vector<uint8_t> OneOpModel(const std::string& code,
                                       const std::vector<NpyArray>& values,
                                       const std::vector<bool>& constant,
                                       const std::vector<NpyArray>& outputs,
                                       const std::vector<uint8_t>& options) {
  ModelBuilder b;
  std::vector<int32_t> ins, graph_ins, outs;
  for (size_t k = 0; k < values.size(); ++k) {
    if (constant[k]) {
      ins.push_back(b.AddConstant(ToFb(values[k].type), Dims(values[k], 0),
                                  values[k].data.data(),
                                  values[k].data.size()));
    } else {
      ins.push_back(b.AddTensor(ToFb(values[k].type), Dims(values[k], 1)));
      graph_ins.push_back(ins.back());
    }
  }
  for (const NpyArray& o : outputs)
    outs.push_back(b.AddTensor(ToFb(o.type), Dims(o, 1)));
  b.AddCustomOp(code, ins, outs, options);
  b.SetInputs(graph_ins);
  b.SetOutputs(outs);
  return b.Build();
}

}  // namespace ember::testing::signal_golden
