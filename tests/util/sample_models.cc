// Small valid models shared by the loader corpus tests and the fuzz seed
// generator (tests/fuzz/make_seeds.cc).
#include "util/sample_models.h"

#include <memory>

namespace ember::testing {

fb::BuiltinOptionsUnion AddOptions() {
  fb::BuiltinOptionsUnion u;
  u.Set(fb::AddOptionsT());
  return u;
}

// x -> ADD(x, c) -> t -> ADD(t, x) -> y (float, one constant).
ModelBuilder AddChain() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2, 3}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {3}, {1.f, 2.f, 3.f}, "c");
  const int t = b.AddTensor(testing::kF32, {2, 3}, "t");
  const int y = b.AddTensor(testing::kF32, {2, 3}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {t, x}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

// Two constants folded at allocate time, a variable, and an input.
ModelBuilder Constants() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4}, "x");
  const int c1 = b.AddConstant<float>(testing::kF32, {4}, {1, 2, 3, 4}, "c1");
  const int c2 = b.AddConstant<float>(testing::kF32, {1}, {0.5f}, "c2");
  const int v = b.AddTensor(testing::kF32, {4}, "v");
  b.SetVariable(v);
  const int f = b.AddTensor(testing::kF32, {4}, "folded");
  const int t = b.AddTensor(testing::kF32, {4}, "t");
  const int y = b.AddTensor(testing::kF32, {4}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {c1, c2}, {f}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {x, f}, {t}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {t, v}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b;
}

// int8 and int16 ADDs with broadcasting, plus an (unused) per-channel
// quantized int8 constant, as weights look in real models.
ModelBuilder Quantized() {
  ModelBuilder b;
  const int x =
      b.AddTensor(testing::kI8, {1, 4, 4, 2}, "x", QuantSpec{{0.05f}, {3}});
  const int c = b.AddConstant<int8_t>(testing::kI8, {2}, {-5, 17}, "c",
                                      QuantSpec{{0.02f}, {-1}});
  const int t =
      b.AddTensor(testing::kI8, {1, 4, 4, 2}, "t", QuantSpec{{0.07f}, {0}});
  const int w = b.AddConstant<int8_t>(
      testing::kI8, {4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}, "w",
      QuantSpec{{0.1f, 0.2f, 0.3f, 0.4f}, {0, 0, 0, 0}, 0});
  (void)w;
  const int s = b.AddTensor(testing::kI16, {3}, "s", QuantSpec{{0.001f}, {0}});
  const int s2 =
      b.AddTensor(testing::kI16, {3}, "s2", QuantSpec{{0.002f}, {0}});
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t}, AddOptions(), 2);
  b.AddOp(fb::BuiltinOperator::ADD, {s, s}, {s2}, AddOptions(), 3);
  b.SetInputs({x, s});
  b.SetOutputs({t, s2});
  return b;
}

// Float chain with two signatures.
ModelBuilder WithSignatures() {
  ModelBuilder b = AddChain();
  b.AddSignature("serving_default", 0, {{"input", 0}}, {{"output", 3}});
  b.AddSignature("second", 0, {{"in", 0}}, {{"mid", 3}});
  return b;
}

// Two subgraphs, each with an ADD (the second one is not called).
ModelBuilder TwoSubgraphs() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {3}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {3}, {1, 2, 3}, "c");
  const int y = b.AddTensor(testing::kF32, {3}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  b.AddSubgraph("aux");
  const int a = b.AddTensor(testing::kI32, {2, 1}, "a");
  const int d = b.AddTensor(testing::kI32, {1, 5}, "d");
  const int o = b.AddTensor(testing::kI32, {2, 5}, "o");
  b.AddOp(fb::BuiltinOperator::ADD, {a, d}, {o}, AddOptions());
  b.SetInputs({a, d});
  b.SetOutputs({o});
  b.SelectSubgraph(0);
  return b;
}

// Constant data stored after the flatbuffer (Buffer.offset / size), as
// files over 2 GB do.
std::vector<uint8_t> OffsetBufferModel(uint64_t offset_delta,
                                       uint64_t size_override) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4}, "x");
  const int c = b.AddTensor(testing::kF32, {4}, "c");
  const int y = b.AddTensor(testing::kF32, {4}, "y");
  b.model().buffers.push_back(std::make_unique<fb::BufferT>());
  b.tensor(c).buffer = static_cast<uint32_t>(b.model().buffers.size() - 1);
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  fb::BufferT& buffer = *b.model().buffers.back();
  // Non-default placeholders so that the final values keep the layout.
  buffer.offset = 0x1234;
  buffer.size = 0x1234;
  const size_t fb_size = b.Build().size();
  const size_t data_at = (fb_size + 15) / 16 * 16;
  const float values[4] = {10, 20, 30, 40};
  buffer.offset = data_at + offset_delta;
  buffer.size = size_override ? size_override : sizeof(values);
  std::vector<uint8_t> bytes = b.Build();
  if (bytes.size() != fb_size) return {};  // layout changed: caller fails
  bytes.resize(data_at, 0);
  const auto* p = reinterpret_cast<const uint8_t*>(values);
  bytes.insert(bytes.end(), p, p + sizeof(values));
  return bytes;
}

}  // namespace ember::testing
