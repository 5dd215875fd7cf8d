// Graph passes (PAD folding, activation fusion, fused fp32 inverted-residual
// blocks) on small built models: every pattern that must fold is run with
// the passes on and off (InterpreterOptions::disable_fusion) and against
// the reference kernels. Tolerances: PAD folding and activation fusion
// compute the same arithmetic, so outputs must be identical (float and
// int8); the fused block uses the same fp32 kernels in the same order and
// must equal the unfused optimized graph bit for bit, and agree with the
// reference kernels within 1e-5 * sqrt(K) relative to max(1, max |ref|)
// (K = largest reduction depth). Near-misses must keep every node.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/gemm_f32.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

using testing::kF32;
using testing::kI32;
using testing::kI8;
using testing::ModelBuilder;
using testing::QuantSpec;
using A = fb::ActivationFunctionType;

std::vector<float> RandomFloats(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

struct RunOptions {
  bool fusion = true;
  bool force_ref = false;
  bool preserve_all = false;
  int threads = 1;
};

struct RunOutcome {
  bool ok = false;
  std::vector<std::vector<uint8_t>> outputs;  // raw bytes per output
  int live_nodes = 0;
  std::vector<std::string> live_ops;
  size_t arena_bytes = 0;
};

RunOutcome RunModel(const std::vector<uint8_t>& bytes, const RunOptions& o,
                    uint32_t seed = 7) {
  RunOutcome r;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  if (!Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model)
           .ok()) {
    ADD_FAILURE() << errors.message();
    return r;
  }
  InterpreterOptions options;
  options.disable_fusion = !o.fusion;
  options.force_reference_kernels = o.force_ref;
  options.preserve_all_tensors = o.preserve_all;
  options.num_threads = o.threads;
  // Test models are small: split them anyway to cover the threaded paths.
  options.split_small_work = true;
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok() ||
      !interp->AllocateTensors().ok()) {
    ADD_FAILURE() << errors.message() << " "
                  << (interp ? interp->errors().message() : "");
    return r;
  }
  Subgraph& sg = interp->primary();
  for (size_t i = 0; i < sg.inputs().size(); ++i) {
    Tensor& in = sg.tensors()[sg.inputs()[i]];
    if (in.type == DataType::kFloat32) {
      auto v = RandomFloats(static_cast<size_t>(in.NumElements()), seed + i);
      std::memcpy(in.data, v.data(), in.bytes);
    } else {
      std::mt19937 gen(seed + i);
      auto* p = static_cast<uint8_t*>(in.data);
      for (size_t k = 0; k < in.bytes; ++k) p[k] = static_cast<uint8_t>(gen());
    }
  }
  if (!interp->Invoke().ok()) {
    ADD_FAILURE() << interp->errors().message();
    return r;
  }
  for (int32_t t : sg.outputs()) {
    const Tensor& out = sg.tensors()[t];
    const auto* p = static_cast<const uint8_t*>(out.data);
    r.outputs.emplace_back(p, p + out.bytes);
  }
  for (size_t i = 0; i < sg.nodes().size(); ++i) {
    if (sg.node_folded(static_cast<int>(i))) continue;
    ++r.live_nodes;
    r.live_ops.push_back(sg.nodes()[i].reg->name);
  }
  r.arena_bytes = sg.arena_bytes();
  r.ok = true;
  return r;
}

std::vector<float> AsFloats(const std::vector<uint8_t>& bytes) {
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

void ExpectClose(const std::vector<float>& ref, const std::vector<float>& got,
                 double k, const std::string& what) {
  ASSERT_EQ(ref.size(), got.size()) << what;
  double scale = 1.0;
  for (float v : ref)
    scale = std::max(scale, static_cast<double>(std::fabs(v)));
  const double tol = 1e-5 * std::sqrt(std::max(k, 1.0)) * scale;
  double worst = 0.0;
  for (size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(ref[i]) - got[i]));
  EXPECT_LE(worst, tol) << what;
}

bool FastKernels() {
  return !dispatch::EnvForcesReference() && kernels::AllowedIsas().any_float();
}

fb::BuiltinOptionsUnion ConvOptions(fb::Padding padding, int stride, A act,
                                    int dilation = 1) {
  fb::Conv2DOptionsT opt;
  opt.padding = padding;
  opt.stride_h = opt.stride_w = stride;
  opt.dilation_h_factor = opt.dilation_w_factor = dilation;
  opt.fused_activation_function = act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  return u;
}

fb::BuiltinOptionsUnion DwOptions(fb::Padding padding, int stride, A act,
                                  int dilation = 1) {
  fb::DepthwiseConv2DOptionsT opt;
  opt.padding = padding;
  opt.stride_h = opt.stride_w = stride;
  opt.dilation_h_factor = opt.dilation_w_factor = dilation;
  opt.depth_multiplier = 1;
  opt.fused_activation_function = act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  return u;
}

// Float weights helper: constant [dims] with values from `seed`.
int Weights(ModelBuilder& b, std::vector<int32_t> dims, uint32_t seed,
            float scale = 0.5f) {
  size_t n = 1;
  for (int32_t d : dims) n *= static_cast<size_t>(d);
  return b.AddConstant(kF32, dims, RandomFloats(n, seed, scale));
}

// ---------------------------------------------------------------- PAD folding

struct PadCase {
  bool depthwise = false;
  fb::BuiltinOperator pad_op = fb::BuiltinOperator::PAD;
  float pad_value = 0.0f;  // PADV2 only
  std::vector<int32_t> paddings = {0, 0, 1, 2, 2, 1, 0, 0};
  fb::Padding conv_padding = fb::Padding::VALID;
  int stride = 1;
  bool second_reader = false;  // the padded tensor also feeds an ADD
  bool pad_is_output = false;  // the padded tensor is a graph output
};

std::vector<uint8_t> PadModel(const PadCase& c) {
  ModelBuilder b;
  const int h = 7, w = 6, ch = 4;
  const int x = b.AddTensor(kF32, {1, h, w, ch}, "x");
  const int paddings = b.AddConstant(kI32, {4, 2}, c.paddings, "paddings");
  const int ph = h + c.paddings[2] + c.paddings[3];
  const int pw = w + c.paddings[4] + c.paddings[5];
  const int pc = ch + c.paddings[6] + c.paddings[7];
  const int padded = b.AddTensor(kF32, {1, ph, pw, pc}, "padded");
  if (c.pad_op == fb::BuiltinOperator::PADV2) {
    const int value = b.AddConstant(kF32, {1}, std::vector<float>{c.pad_value});
    b.AddOp(fb::BuiltinOperator::PADV2, {x, paddings, value}, {padded});
  } else {
    b.AddOp(fb::BuiltinOperator::PAD, {x, paddings}, {padded});
  }
  const bool same = c.conv_padding == fb::Padding::SAME;
  const int oh =
      same ? (ph + c.stride - 1) / c.stride : (ph - 3) / c.stride + 1;
  const int ow =
      same ? (pw + c.stride - 1) / c.stride : (pw - 3) / c.stride + 1;
  const int y = b.AddTensor(kF32, {1, oh, ow, pc}, "y");
  if (c.depthwise) {
    b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D,
            {padded, Weights(b, {1, 3, 3, pc}, 3), Weights(b, {pc}, 4)}, {y},
            DwOptions(c.conv_padding, c.stride, A::RELU));
  } else {
    b.AddOp(fb::BuiltinOperator::CONV_2D,
            {padded, Weights(b, {5, 3, 3, pc}, 3), Weights(b, {5}, 4)}, {y},
            ConvOptions(c.conv_padding, c.stride, A::NONE));
  }
  std::vector<int32_t> outputs = {y};
  if (c.second_reader) {
    const int z = b.AddTensor(kF32, {1, ph, pw, pc}, "z");
    b.AddOp(fb::BuiltinOperator::ADD, {padded, padded}, {z});
    outputs.push_back(z);
  }
  if (c.pad_is_output) outputs.push_back(padded);
  if (!c.depthwise) b.tensor(y).shape[3] = 5;
  b.SetInputs({x});
  b.SetOutputs(outputs);
  return b.Build();
}

// Runs with passes on and off (and with reference kernels). Outputs must
// be identical when `exact`; else (float outputs) within 1e-5 * sqrt(k).
// Returns the live node count with passes on.
int CheckSameWithAndWithout(const std::vector<uint8_t>& model,
                            const std::string& what, bool exact = true,
                            double k = 27) {
  const RunOutcome off = RunModel(model, {.fusion = false});
  const RunOutcome on = RunModel(model, {.fusion = true});
  const RunOutcome ref_on =
      RunModel(model, {.fusion = true, .force_ref = true});
  const RunOutcome ref_off =
      RunModel(model, {.fusion = false, .force_ref = true});
  EXPECT_TRUE(off.ok && on.ok && ref_on.ok && ref_off.ok) << what;
  if (!(off.ok && on.ok && ref_on.ok && ref_off.ok)) return -1;
  if (exact) {
    EXPECT_EQ(on.outputs, off.outputs) << what;
    EXPECT_EQ(ref_on.outputs, ref_off.outputs) << what;
  } else {
    EXPECT_EQ(on.outputs.size(), off.outputs.size()) << what;
    for (size_t i = 0; i < on.outputs.size() && i < off.outputs.size(); ++i) {
      ExpectClose(AsFloats(off.outputs[i]), AsFloats(on.outputs[i]), k, what);
      ExpectClose(AsFloats(ref_off.outputs[i]), AsFloats(ref_on.outputs[i]), k,
                  what + " (reference kernels)");
    }
  }
  return on.live_nodes;
}

TEST(GraphPadFolding, FoldsZeroPadIntoValidConvAndDepthwise) {
  for (bool dw : {false, true}) {
    for (int stride : {1, 2}) {
      for (auto op : {fb::BuiltinOperator::PAD, fb::BuiltinOperator::PADV2}) {
        PadCase c;
        c.depthwise = dw;
        c.stride = stride;
        c.pad_op = op;
        const std::string what = std::string(dw ? "dw" : "conv") + " stride " +
                                 std::to_string(stride) + " " +
                                 fb::EnumNameBuiltinOperator(op);
        // Folded padding takes the kernels' edge paths (taps skipped
        // instead of multiplied by zero): equal up to rounding.
        EXPECT_EQ(CheckSameWithAndWithout(PadModel(c), what, false), 1) << what;
      }
    }
  }
}

TEST(GraphPadFolding, NearMissesKeepThePad) {
  std::vector<std::pair<std::string, PadCase>> cases;
  {
    PadCase c;
    c.pad_op = fb::BuiltinOperator::PADV2;
    c.pad_value = 0.5f;
    cases.push_back({"non-zero constant", c});
  }
  {
    PadCase c;
    c.depthwise = true;
    c.paddings = {0, 0, 1, 1, 1, 1, 1, 0};
    cases.push_back({"channel padding", c});
  }
  {
    PadCase c;
    c.conv_padding = fb::Padding::SAME;
    cases.push_back({"SAME conv", c});
  }
  {
    PadCase c;
    c.second_reader = true;
    cases.push_back({"two readers", c});
  }
  {
    PadCase c;
    c.pad_is_output = true;
    cases.push_back({"graph output", c});
  }
  for (const auto& [what, c] : cases) {
    const int expected = c.second_reader ? 3 : 2;
    EXPECT_EQ(CheckSameWithAndWithout(PadModel(c), what, false), expected)
        << what;
  }
  // preserve_all_tensors: every tensor stays readable, nothing is folded.
  const RunOutcome keep = RunModel(PadModel(PadCase{}), {.preserve_all = true});
  EXPECT_EQ(keep.live_nodes, 2);
}

TEST(GraphPadFolding, QuantizedPadUsesTheZeroPoint) {
  ModelBuilder b;
  const QuantSpec act{{0.05f}, {-7}};
  const int x = b.AddTensor(kI8, {1, 5, 5, 3}, "x", act);
  const int paddings =
      b.AddConstant(kI32, {4, 2}, std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0});
  const int padded = b.AddTensor(kI8, {1, 7, 7, 3}, "padded", act);
  b.AddOp(fb::BuiltinOperator::PAD, {x, paddings}, {padded});
  std::vector<int8_t> fw(4 * 9 * 3);
  std::mt19937 gen(5);
  for (auto& v : fw)
    v = static_cast<int8_t>(static_cast<int>(gen() % 255) - 127);
  const int f =
      b.AddConstant(kI8, {4, 3, 3, 3}, fw, "f",
                    QuantSpec{{0.01f, 0.02f, 0.015f, 0.03f}, {0, 0, 0, 0}});
  const int bias = b.AddConstant(
      fb::TensorType::INT32, {4}, std::vector<int32_t>{10, -20, 30, 0}, "b",
      QuantSpec{{0.0005f, 0.001f, 0.00075f, 0.0015f}, {0, 0, 0, 0}});
  const int y = b.AddTensor(kI8, {1, 5, 5, 4}, "y", QuantSpec{{0.1f}, {3}});
  b.AddOp(fb::BuiltinOperator::CONV_2D, {padded, f, bias}, {y},
          ConvOptions(fb::Padding::VALID, 1, A::NONE));
  b.SetInputs({x});
  b.SetOutputs({y});
  EXPECT_EQ(CheckSameWithAndWithout(b.Build(), "int8 pad"), 1);
}

// --------------------------------------------------------- activation fusion

enum class Producer { kConv, kDepthwise, kFullyConnected, kAdd, kMul };

std::vector<uint8_t> ActivationModel(Producer p, fb::BuiltinOperator act,
                                     bool second_reader, bool mid_is_output,
                                     A own = A::NONE) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 4, 4, 3}, "x");
  const int mid = b.AddTensor(kF32, {1, 4, 4, 3}, "mid");
  switch (p) {
    case Producer::kConv:
      b.AddOp(fb::BuiltinOperator::CONV_2D,
              {x, Weights(b, {3, 3, 3, 3}, 1, 1.0f), Weights(b, {3}, 2)}, {mid},
              ConvOptions(fb::Padding::SAME, 1, own));
      break;
    case Producer::kDepthwise:
      b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D,
              {x, Weights(b, {1, 3, 3, 3}, 1, 1.0f), Weights(b, {3}, 2)}, {mid},
              DwOptions(fb::Padding::SAME, 1, own));
      break;
    case Producer::kFullyConnected: {
      fb::FullyConnectedOptionsT opt;
      opt.fused_activation_function = own;
      opt.keep_num_dims = true;
      fb::BuiltinOptionsUnion u;
      u.Set(opt);
      b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED,
              {x, Weights(b, {3, 3}, 1, 1.0f), Weights(b, {3}, 2)}, {mid},
              std::move(u));
      break;
    }
    case Producer::kAdd:
    case Producer::kMul: {
      const int c = Weights(b, {1, 4, 4, 3}, 3, 2.0f);
      fb::BuiltinOptionsUnion u;
      if (p == Producer::kAdd) {
        fb::AddOptionsT opt;
        opt.fused_activation_function = own;
        u.Set(opt);
      } else {
        fb::MulOptionsT opt;
        opt.fused_activation_function = own;
        u.Set(opt);
      }
      b.AddOp(p == Producer::kAdd ? fb::BuiltinOperator::ADD
                                  : fb::BuiltinOperator::MUL,
              {x, c}, {mid}, std::move(u));
      break;
    }
  }
  const int y = b.AddTensor(kF32, {1, 4, 4, 3}, "y");
  b.AddOp(act, {mid}, {y});
  std::vector<int32_t> outputs = {y};
  if (second_reader) {
    const int z = b.AddTensor(kF32, {1, 4, 4, 3}, "z");
    b.AddOp(fb::BuiltinOperator::TANH, {mid}, {z});
    outputs.push_back(z);
  }
  if (mid_is_output) outputs.push_back(mid);
  b.SetInputs({x});
  b.SetOutputs(outputs);
  return b.Build();
}

TEST(GraphActivationFusion, FoldsReluFamilyIntoProducers) {
  for (Producer p :
       {Producer::kConv, Producer::kDepthwise, Producer::kFullyConnected,
        Producer::kAdd, Producer::kMul}) {
    for (auto act : {fb::BuiltinOperator::RELU, fb::BuiltinOperator::RELU6,
                     fb::BuiltinOperator::RELU_N1_TO_1}) {
      const std::string what = "producer " +
                               std::to_string(static_cast<int>(p)) + " " +
                               fb::EnumNameBuiltinOperator(act);
      EXPECT_EQ(
          CheckSameWithAndWithout(ActivationModel(p, act, false, false), what),
          1)
          << what;
    }
  }
}

TEST(GraphActivationFusion, NearMissesKeepTheActivation) {
  const auto relu = fb::BuiltinOperator::RELU6;
  EXPECT_EQ(
      CheckSameWithAndWithout(
          ActivationModel(Producer::kConv, relu, true, false), "two readers"),
      3);
  EXPECT_EQ(
      CheckSameWithAndWithout(
          ActivationModel(Producer::kConv, relu, false, true), "graph output"),
      2);
  EXPECT_EQ(CheckSameWithAndWithout(
                ActivationModel(Producer::kConv, relu, false, false, A::RELU),
                "producer has an activation"),
            2);
  EXPECT_EQ(CheckSameWithAndWithout(
                ActivationModel(Producer::kConv, fb::BuiltinOperator::TANH,
                                false, false),
                "not a clamp"),
            2);
  const RunOutcome keep =
      RunModel(ActivationModel(Producer::kConv, relu, false, false),
               {.preserve_all = true});
  EXPECT_EQ(keep.live_nodes, 2);
}

std::vector<uint8_t> QuantizedReluModel(const QuantSpec& relu_out) {
  ModelBuilder b;
  const QuantSpec in_q{{0.02f}, {5}};
  const QuantSpec mid_q{{0.05f}, {-10}};
  const int x = b.AddTensor(kI8, {1, 4, 4, 2}, "x", in_q);
  std::vector<int8_t> fw(3 * 9 * 2);
  std::mt19937 gen(9);
  for (auto& v : fw)
    v = static_cast<int8_t>(static_cast<int>(gen() % 255) - 127);
  const int f =
      b.AddConstant(kI8, {3, 3, 3, 2}, fw, "f", QuantSpec{{0.01f}, {0}});
  const int mid = b.AddTensor(kI8, {1, 4, 4, 3}, "mid", mid_q);
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f, -1}, {mid},
          ConvOptions(fb::Padding::SAME, 1, A::NONE));
  const int y = b.AddTensor(kI8, {1, 4, 4, 3}, "y", relu_out);
  b.AddOp(fb::BuiltinOperator::RELU6, {mid}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(GraphActivationFusion, QuantizedNeedsIdenticalQuantization) {
  EXPECT_EQ(
      CheckSameWithAndWithout(QuantizedReluModel(QuantSpec{{0.05f}, {-10}}),
                              "int8 same quantization"),
      1);
  EXPECT_EQ(
      CheckSameWithAndWithout(QuantizedReluModel(QuantSpec{{0.03f}, {-10}}),
                              "int8 other scale"),
      2);
}

// ------------------------------------------------- fused inverted residual

struct BlockCase {
  int n = 1, h = 9, w = 7, cin = 8, expand = 24, cout = 8;
  int stride = 1;
  fb::Padding dw_padding = fb::Padding::SAME;
  bool pad_before_dw = false;  // explicit PAD + VALID depthwise (Keras)
  bool residual = true;
  bool residual_first = false;  // ADD(x, y) instead of ADD(y, x)
  bool bias = true;
  A expand_act = A::RELU6, dw_act = A::RELU6;
  // Near misses.
  int expand_kernel = 1;
  int dw_dilation = 1;
  bool t1_is_output = false;
  bool t1_second_reader = false;
};

std::vector<uint8_t> BlockModel(const BlockCase& c) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {c.n, c.h, c.w, c.cin}, "x");
  auto bias = [&](int n, uint32_t seed) {
    return c.bias ? Weights(b, {n}, seed) : -1;
  };
  const int t1 = b.AddTensor(kF32, {c.n, c.h, c.w, c.expand}, "t1");
  b.AddOp(
      fb::BuiltinOperator::CONV_2D,
      {x, Weights(b, {c.expand, c.expand_kernel, c.expand_kernel, c.cin}, 11),
       bias(c.expand, 12)},
      {t1}, ConvOptions(fb::Padding::SAME, 1, c.expand_act));
  int dw_in = t1;
  int in_h = c.h, in_w = c.w;
  fb::Padding dw_padding = c.dw_padding;
  if (c.pad_before_dw) {
    const int paddings = b.AddConstant(
        kI32, {4, 2}, std::vector<int32_t>{0, 0, 0, 1, 0, 1, 0, 0});
    in_h += 1;
    in_w += 1;
    dw_in = b.AddTensor(kF32, {c.n, in_h, in_w, c.expand}, "t1_padded");
    b.AddOp(fb::BuiltinOperator::PAD, {t1, paddings}, {dw_in});
    dw_padding = fb::Padding::VALID;
  }
  const int eff = 2 * c.dw_dilation + 1;
  const bool same = dw_padding == fb::Padding::SAME;
  const int oh =
      same ? (in_h + c.stride - 1) / c.stride : (in_h - eff) / c.stride + 1;
  const int ow =
      same ? (in_w + c.stride - 1) / c.stride : (in_w - eff) / c.stride + 1;
  const int t2 = b.AddTensor(kF32, {c.n, oh, ow, c.expand}, "t2");
  b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D,
          {dw_in, Weights(b, {1, 3, 3, c.expand}, 13), bias(c.expand, 14)},
          {t2}, DwOptions(dw_padding, c.stride, c.dw_act, c.dw_dilation));
  const int y = b.AddTensor(kF32, {c.n, oh, ow, c.cout}, "y");
  b.AddOp(fb::BuiltinOperator::CONV_2D,
          {t2, Weights(b, {c.cout, 1, 1, c.expand}, 15), bias(c.cout, 16)}, {y},
          ConvOptions(fb::Padding::SAME, 1, A::NONE));
  std::vector<int32_t> outputs;
  if (c.residual) {
    const int z = b.AddTensor(kF32, {c.n, oh, ow, c.cout}, "z");
    b.AddOp(fb::BuiltinOperator::ADD,
            c.residual_first ? std::vector<int32_t>{x, y}
                             : std::vector<int32_t>{y, x},
            {z});
    outputs.push_back(z);
  } else {
    outputs.push_back(y);
  }
  if (c.t1_is_output) outputs.push_back(t1);
  if (c.t1_second_reader) {
    const int r = b.AddTensor(kF32, {c.n, c.h, c.w, c.expand}, "r");
    b.AddOp(fb::BuiltinOperator::RELU, {t1}, {r});
    outputs.push_back(r);
  }
  b.SetInputs({x});
  b.SetOutputs(outputs);
  return b.Build();
}

// Fused vs unfused (bit-exact) and vs reference (tolerance) at 1-3
// threads; returns the live ops of the fused run (1 thread).
std::vector<std::string> CheckBlock(const BlockCase& c,
                                    const std::string& what) {
  const auto model = BlockModel(c);
  const RunOutcome ref = RunModel(model, {.fusion = false, .force_ref = true});
  EXPECT_TRUE(ref.ok) << what;
  std::vector<std::string> ops;
  for (int threads = 1; threads <= 3; ++threads) {
    const RunOutcome off =
        RunModel(model, {.fusion = false, .threads = threads});
    const RunOutcome on = RunModel(model, {.fusion = true, .threads = threads});
    EXPECT_TRUE(off.ok && on.ok) << what;
    if (!off.ok || !on.ok || !ref.ok) return {};
    // A folded PAD moves padded taps to the depthwise edge path (rounding
    // differs); otherwise every value is computed exactly as unfused.
    if (!c.pad_before_dw) {
      EXPECT_EQ(on.outputs, off.outputs) << what << " threads " << threads;
    }
    const double k = std::max({c.cin, c.expand, 9});
    for (size_t i = 0; i < on.outputs.size(); ++i) {
      ExpectClose(AsFloats(ref.outputs[i]), AsFloats(on.outputs[i]), k,
                  what + " vs reference, threads " + std::to_string(threads));
      ExpectClose(AsFloats(off.outputs[i]), AsFloats(on.outputs[i]), k,
                  what + " vs unfused, threads " + std::to_string(threads));
    }
    if (threads == 1) {
      ops = on.live_ops;
      // On images taller than a few row groups the window is much smaller
      // than the expanded tensor it replaces.
      if (on.live_nodes == 1 && c.h >= 32)
        EXPECT_LT(on.arena_bytes, off.arena_bytes) << what;
    }
  }
  return ops;
}

TEST(GraphInvertedResidual, FusesBlocksAndMatchesUnfused) {
  if (!FastKernels()) GTEST_SKIP() << "needs the x86 fp32 kernels";
  std::vector<std::pair<std::string, BlockCase>> cases;
  cases.push_back({"stride 1 residual", BlockCase{}});
  {
    BlockCase c;
    c.residual_first = true;
    c.expand_act = A::RELU;
    c.dw_act = A::NONE;
    c.bias = false;
    cases.push_back({"residual first, no bias", c});
  }
  {
    BlockCase c;
    c.stride = 2;
    c.residual = false;
    c.cout = 12;
    cases.push_back({"stride 2 SAME", c});
  }
  {
    BlockCase c;
    c.stride = 2;
    c.residual = false;
    c.pad_before_dw = true;
    c.h = 10;
    c.w = 11;
    cases.push_back({"stride 2 PAD + VALID", c});
  }
  {
    BlockCase c;
    c.dw_padding = fb::Padding::VALID;
    c.residual = false;
    cases.push_back({"stride 1 VALID", c});
  }
  {
    BlockCase c;
    c.n = 2;
    c.h = 40;
    c.w = 33;
    c.cin = 16;
    c.expand = 96;
    c.cout = 16;
    cases.push_back({"batch 2, tall (several row groups)", c});
  }
  {
    BlockCase c;
    c.h = 2;
    c.w = 1;
    c.stride = 2;
    c.residual = false;
    cases.push_back({"tiny image", c});
  }
  for (const auto& [what, c] : cases) {
    const auto ops = CheckBlock(c, what);
    ASSERT_EQ(ops.size(), 1u) << what;
    EXPECT_EQ(ops[0], "FUSED_INVERTED_RESIDUAL") << what;
  }
}

TEST(GraphInvertedResidual, NearMissesStayUnfused) {
  std::vector<std::pair<std::string, BlockCase>> cases;
  {
    BlockCase c;
    c.expand_kernel = 3;
    cases.push_back({"3x3 expand", c});
  }
  {
    BlockCase c;
    c.dw_dilation = 2;
    cases.push_back({"dilated depthwise", c});
  }
  {
    BlockCase c;
    c.t1_is_output = true;
    cases.push_back({"expanded tensor is a graph output", c});
  }
  {
    BlockCase c;
    c.t1_second_reader = true;
    cases.push_back({"expanded tensor has two readers", c});
  }
  for (const auto& [what, c] : cases) {
    const auto ops = CheckBlock(c, what);
    for (const auto& op : ops) EXPECT_NE(op, "FUSED_INVERTED_RESIDUAL") << what;
    EXPECT_GE(ops.size(), 4u) << what;
  }
  // Reference kernels forced: never fused (it needs the fast kernels).
  const RunOutcome ref = RunModel(BlockModel(BlockCase{}), {.force_ref = true});
  EXPECT_EQ(ref.live_nodes, 4);
  const RunOutcome keep =
      RunModel(BlockModel(BlockCase{}), {.preserve_all = true});
  EXPECT_EQ(keep.live_nodes, 4);
}

TEST(GraphInvertedResidual, ResizeReplansTheFusedGraph) {
  if (!FastKernels()) GTEST_SKIP() << "needs the x86 fp32 kernels";
  const auto bytes = BlockModel(BlockCase{});
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok());
  std::vector<std::vector<float>> results;
  for (bool fusion : {true, false}) {
    InterpreterOptions options;
    options.disable_fusion = !fusion;
    std::unique_ptr<Interpreter> interp;
    ASSERT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                    errors, &interp)
                    .ok());
    ASSERT_TRUE(interp->AllocateTensors().ok());
    Shape s;
    s.rank = 4;
    s.dims[0] = 1;
    s.dims[1] = 12;
    s.dims[2] = 5;
    s.dims[3] = 8;
    ASSERT_TRUE(interp->ResizeInput(0, s).ok());
    ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
    Subgraph& sg = interp->primary();
    Tensor& in = sg.tensors()[sg.inputs()[0]];
    auto v = RandomFloats(static_cast<size_t>(in.NumElements()), 3);
    std::memcpy(in.data, v.data(), in.bytes);
    ASSERT_TRUE(interp->Invoke().ok()) << interp->errors().message();
    const Tensor& out = sg.tensors()[sg.outputs()[0]];
    EXPECT_EQ(out.shape, s);
    results.emplace_back(out.data_as<float>(),
                         out.data_as<float>() + out.NumElements());
  }
  EXPECT_EQ(results[0], results[1]);
}

}  // namespace
}  // namespace ember
