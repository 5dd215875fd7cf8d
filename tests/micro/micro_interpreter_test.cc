// The micro interpreter on the host: models built here (every op the micro
// runtime has, per-channel and per-tensor weights, variable state across
// invocations) give outputs bit-identical to Ember's host interpreter on
// its reference kernels; bad models, missing ops and small arenas give an
// error status naming the problem.
#include "micro/micro_interpreter.h"

#include <gtest/gtest.h>

#include <cstring>

#include "micro/micro_test_util.h"
#include "util/model_builder.h"
#include "util/rng.h"

namespace ember::testing {
namespace {

using micro::MicroStatus;
constexpr fb::TensorType kI8 = fb::TensorType::INT8;
constexpr fb::TensorType kI16 = fb::TensorType::INT16;

QuantSpec Q(float scale, int64_t zp) { return QuantSpec{{scale}, {zp}, 0}; }

QuantSpec PerChannel(Rng& rng, int channels, int dim, float lo, float hi) {
  QuantSpec q;
  q.dim = dim;
  for (int c = 0; c < channels; ++c) {
    q.scales.push_back(rng.Float(lo, hi));
    q.zero_points.push_back(0);
  }
  return q;
}

fb::BuiltinOptionsUnion FcOptions(fb::ActivationFunctionType act) {
  fb::FullyConnectedOptionsT opt;
  opt.fused_activation_function = act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  return u;
}

fb::BuiltinOptionsUnion SoftmaxOptions(float beta) {
  fb::SoftmaxOptionsT opt;
  opt.beta = beta;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  return u;
}

std::vector<std::vector<std::vector<uint8_t>>> RandomInputs(
    Rng& rng, const std::vector<size_t>& bytes, int invocations) {
  std::vector<std::vector<std::vector<uint8_t>>> all(invocations);
  for (auto& inv : all)
    for (size_t b : bytes) inv.push_back(rng.Ints<uint8_t>(b, 0, 255));
  return all;
}

// int8 FULLY_CONNECTED (per-channel weights, RELU) -> SOFTMAX int8.
std::vector<uint8_t> FcSoftmaxModel(Rng& rng, bool per_channel) {
  ModelBuilder b;
  const int depth = 24, units = 6, batches = 2;
  const int x = b.AddTensor(kI8, {batches, depth}, "x", Q(0.05f, 3));
  QuantSpec wq = per_channel ? PerChannel(rng, units, 0, 0.005f, 0.02f)
                             : QuantSpec{{0.01f}, {2}, 0};
  const int w = b.AddConstant(
      kI8, {units, depth}, rng.Ints<int8_t>(units * depth, -127, 127), "w", wq);
  const int bias = b.AddConstant(fb::TensorType::INT32, {units},
                                 rng.Ints<int32_t>(units, -2000, 2000), "b");
  const int h = b.AddTensor(kI8, {batches, units}, "h", Q(0.08f, -5));
  const int y =
      b.AddTensor(kI8, {batches, units}, "probs", Q(1.0f / 256, -128));
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w, bias}, {h},
          FcOptions(fb::ActivationFunctionType::RELU), 4);
  b.AddOp(fb::BuiltinOperator::SOFTMAX, {h}, {y}, SoftmaxOptions(1.0f), 2);
  b.SetInputs({x});
  b.SetOutputs({y, h});
  return b.Build();
}

// CONV_2D (stride 2, SAME, RELU6) -> DEPTHWISE (multiplier 2, VALID) ->
// AVERAGE_POOL -> MAX_POOL -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX (int16
// output).
std::vector<uint8_t> ConvStackModel(Rng& rng) {
  ModelBuilder b;
  const int x = b.AddTensor(kI8, {1, 9, 9, 2}, "image", Q(0.02f, -1));
  const int f1 =
      b.AddConstant(kI8, {4, 3, 3, 2}, rng.Ints<int8_t>(4 * 9 * 2, -127, 127),
                    "f1", PerChannel(rng, 4, 0, 0.004f, 0.02f));
  const int b1 = b.AddConstant(fb::TensorType::INT32, {4},
                               rng.Ints<int32_t>(4, -500, 500), "b1");
  const int c1 = b.AddTensor(kI8, {1, 5, 5, 4}, "c1", Q(0.03f, -128));
  fb::Conv2DOptionsT conv;
  conv.padding = fb::Padding::SAME;
  conv.stride_h = conv.stride_w = 2;
  conv.fused_activation_function = fb::ActivationFunctionType::RELU6;
  fb::BuiltinOptionsUnion cu;
  cu.Set(conv);
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f1, b1}, {c1}, cu, 3);

  const int f2 =
      b.AddConstant(kI8, {1, 3, 3, 8}, rng.Ints<int8_t>(9 * 8, -127, 127), "f2",
                    PerChannel(rng, 8, 3, 0.004f, 0.02f));
  const int b2 = b.AddConstant(fb::TensorType::INT32, {8},
                               rng.Ints<int32_t>(8, -500, 500), "b2");
  const int c2 = b.AddTensor(kI8, {1, 3, 3, 8}, "c2", Q(0.04f, 7));
  fb::DepthwiseConv2DOptionsT dw;
  dw.padding = fb::Padding::VALID;
  dw.stride_h = dw.stride_w = 1;
  dw.depth_multiplier = 2;
  fb::BuiltinOptionsUnion du;
  du.Set(dw);
  b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {c1, f2, b2}, {c2}, du, 3);

  fb::Pool2DOptionsT pool;
  pool.padding = fb::Padding::VALID;
  pool.stride_h = pool.stride_w = 1;
  pool.filter_height = pool.filter_width = 2;
  fb::BuiltinOptionsUnion pu;
  pu.Set(pool);
  const int p1 = b.AddTensor(kI8, {1, 2, 2, 8}, "avg", Q(0.04f, 7));
  b.AddOp(fb::BuiltinOperator::AVERAGE_POOL_2D, {c2}, {p1}, pu, 2);
  pool.padding = fb::Padding::SAME;
  pool.stride_h = pool.stride_w = 2;
  fb::BuiltinOptionsUnion mu;
  mu.Set(pool);
  const int p2 = b.AddTensor(kI8, {1, 1, 1, 8}, "max", Q(0.04f, 7));
  b.AddOp(fb::BuiltinOperator::MAX_POOL_2D, {p1}, {p2}, mu, 2);

  const int shape =
      b.AddConstant(fb::TensorType::INT32, {2}, std::vector<int32_t>{1, 8});
  const int flat = b.AddTensor(kI8, {1, 8}, "flat", Q(0.04f, 7));
  b.AddOp(fb::BuiltinOperator::RESHAPE, {p2, shape}, {flat});
  const int w = b.AddConstant(kI8, {3, 8}, rng.Ints<int8_t>(24, -127, 127), "w",
                              Q(0.01f, 0));
  const int logits = b.AddTensor(kI8, {1, 3}, "logits", Q(0.1f, 4));
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {flat, w, -1}, {logits},
          FcOptions(fb::ActivationFunctionType::NONE), 4);
  const int y = b.AddTensor(kI16, {1, 3}, "scores", Q(1.0f / 32768, 0));
  b.AddOp(fb::BuiltinOperator::SOFTMAX, {logits}, {y}, SoftmaxOptions(1.0f), 3);
  b.SetInputs({x});
  b.SetOutputs({y, c1});
  return b.Build();
}

// int16 -> QUANTIZE -> SVDF (state int16 or int8) -> FC -> SOFTMAX int16
// -> QUANTIZE int32, as the keyword_scrambled models.
std::vector<uint8_t> SvdfModel(Rng& rng, bool int8_state) {
  ModelBuilder b;
  const int in16 = b.AddTensor(kI16, {1, 12}, "audio", Q(0.000625f, 0));
  const int x = b.AddTensor(kI8, {1, 12}, "x", Q(0.02f, -3));
  b.AddOp(fb::BuiltinOperator::QUANTIZE, {in16}, {x});
  const int filters = 8, memory = 5, rank = 2;
  const int feature = b.AddConstant(kI8, {filters, 12},
                                    rng.Ints<int8_t>(filters * 12, -127, 127),
                                    "feature", Q(0.01f, 0));
  const fb::TensorType st = int8_state ? kI8 : kI16;
  const int64_t lim = int8_state ? 127 : 32767;
  std::vector<uint8_t> time_bytes;
  int time;
  if (int8_state) {
    time = b.AddConstant(kI8, {filters, memory},
                         rng.Ints<int8_t>(filters * memory, -lim, lim), "time",
                         Q(0.01f, 0));
  } else {
    time = b.AddConstant(kI16, {filters, memory},
                         rng.Ints<int16_t>(filters * memory, -lim, lim), "time",
                         Q(0.00005f, 0));
  }
  const int bias =
      b.AddConstant(fb::TensorType::INT32, {filters / rank},
                    rng.Ints<int32_t>(filters / rank, -300, 300), "bias");
  const int state = b.AddTensor(st, {1, filters * memory}, "state",
                                int8_state ? Q(0.05f, -4) : Q(0.0005f, 0));
  b.SetVariable(state);
  const int s_out =
      b.AddTensor(kI8, {1, filters / rank}, "svdf", Q(0.05f, -128));
  fb::SVDFOptionsT so;
  so.rank = rank;
  so.fused_activation_function = fb::ActivationFunctionType::RELU;
  fb::BuiltinOptionsUnion su;
  su.Set(so);
  b.AddOp(fb::BuiltinOperator::SVDF, {x, feature, time, bias, state}, {s_out},
          su, 3);
  const int w = b.AddConstant(kI8, {2, filters / rank},
                              rng.Ints<int8_t>(2 * filters / rank, -127, 127),
                              "w", Q(0.02f, 0));
  const int logits = b.AddTensor(kI8, {1, 2}, "logits", Q(0.05f, 1));
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {s_out, w, -1}, {logits},
          FcOptions(fb::ActivationFunctionType::NONE), 4);
  const int probs = b.AddTensor(kI16, {1, 2}, "probs", Q(1.0f / 32768, 0));
  b.AddOp(fb::BuiltinOperator::SOFTMAX, {logits}, {probs}, SoftmaxOptions(1.0f),
          3);
  const int out =
      b.AddTensor(fb::TensorType::INT32, {1, 2}, "out", Q(1.0f / 32768, 0));
  b.AddOp(fb::BuiltinOperator::QUANTIZE, {probs}, {out});
  b.SetInputs({in16});
  b.SetOutputs({out});
  return b.Build();
}

// Float FULLY_CONNECTED x2 (hello_world_float's shape), then QUANTIZE to
// int8 and DEQUANTIZE back.
std::vector<uint8_t> FloatModel(Rng& rng) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 1}, "x");
  const int w1 = b.AddConstant(kF32, {16, 1}, rng.Floats(16, -1, 1), "w1");
  const int b1 = b.AddConstant(kF32, {16}, rng.Floats(16, -1, 1), "b1");
  const int h = b.AddTensor(kF32, {1, 16}, "h");
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w1, b1}, {h},
          FcOptions(fb::ActivationFunctionType::RELU));
  const int w2 = b.AddConstant(kF32, {4, 16}, rng.Floats(64, -1, 1), "w2");
  const int y = b.AddTensor(kF32, {1, 4}, "y");
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {h, w2, -1}, {y},
          FcOptions(fb::ActivationFunctionType::NONE));
  const int q = b.AddTensor(kI8, {1, 4}, "q", Q(0.03f, 2));
  b.AddOp(fb::BuiltinOperator::QUANTIZE, {y}, {q});
  const int d = b.AddTensor(kF32, {1, 4}, "dq");
  b.AddOp(fb::BuiltinOperator::DEQUANTIZE, {q}, {d}, {}, 2);
  b.SetInputs({x});
  b.SetOutputs({y, d});
  return b.Build();
}

// ADD (RELU) of two inputs, then MUL by a one-element constant.
std::vector<uint8_t> AddMulModel(Rng& rng) {
  ModelBuilder b;
  const int x = b.AddTensor(kI8, {1, 4, 4, 3}, "x", Q(0.03f, -7));
  const int y = b.AddTensor(kI8, {1, 4, 4, 3}, "y", Q(0.05f, 10));
  const int s = b.AddTensor(kI8, {1, 4, 4, 3}, "sum", Q(0.06f, -20));
  fb::AddOptionsT add;
  add.fused_activation_function = fb::ActivationFunctionType::RELU;
  fb::BuiltinOptionsUnion au;
  au.Set(add);
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {s}, au);
  const int c =
      b.AddConstant(kI8, {1}, rng.Ints<int8_t>(1, -100, 100), "c", Q(0.02f, 3));
  const int p = b.AddTensor(kI8, {1, 4, 4, 3}, "prod", Q(0.01f, 0));
  fb::MulOptionsT mul;
  fb::BuiltinOptionsUnion mu;
  mu.Set(mul);
  b.AddOp(fb::BuiltinOperator::MUL, {s, c}, {p}, mu);
  b.SetInputs({x, y});
  b.SetOutputs({p, s});
  return b.Build();
}

TEST(MicroInterpreter, AddMulMatchHostBitForBit) {
  for (uint32_t seed : {1u, 2u}) {
    Rng rng(40 + seed);
    const auto model = AddMulModel(rng);
    const auto r = CompareMicroWithHost(model, RandomInputs(rng, {48, 48}, 3));
    EXPECT_TRUE(r.ok) << "seed " << seed << ": " << r.message;
  }
}

TEST(MicroInterpreter, FullyConnectedSoftmaxMatchesHostBitForBit) {
  for (bool per_channel : {false, true}) {
    Rng rng(11 + per_channel);
    const auto model = FcSoftmaxModel(rng, per_channel);
    const auto r = CompareMicroWithHost(model, RandomInputs(rng, {48}, 5));
    EXPECT_TRUE(r.ok) << r.message;
  }
}

TEST(MicroInterpreter, ConvStackMatchesHostBitForBit) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    Rng rng(seed);
    const auto model = ConvStackModel(rng);
    const auto r = CompareMicroWithHost(model, RandomInputs(rng, {162}, 4));
    EXPECT_TRUE(r.ok) << "seed " << seed << ": " << r.message;
  }
}

TEST(MicroInterpreter, SvdfStateMatchesHostAcrossInvocations) {
  for (bool int8_state : {false, true}) {
    Rng rng(21 + int8_state);
    const auto model = SvdfModel(rng, int8_state);
    // Eight invocations: the state rolls through its whole memory.
    const auto r = CompareMicroWithHost(model, RandomInputs(rng, {24}, 8));
    EXPECT_TRUE(r.ok) << "int8 state " << int8_state << ": " << r.message;
    EXPECT_GT(r.arena.tail_bytes, 0u);
  }
}

TEST(MicroInterpreter, FloatAndQuantizeMatchHost) {
  Rng rng(5);
  const auto model = FloatModel(rng);
  std::vector<std::vector<std::vector<uint8_t>>> inputs;
  for (float v : {-1.5f, 0.0f, 0.7f, 3.0f}) {
    std::vector<uint8_t> bytes(4);
    std::memcpy(bytes.data(), &v, 4);
    inputs.push_back({bytes});
  }
  const auto r = CompareMicroWithHost(model, inputs);
  EXPECT_TRUE(r.ok) << r.message;
}

// Runs `model` with every op and the given arena; returns the status.
struct MicroRun {
  std::vector<uint64_t> model_storage;
  std::vector<uint64_t> arena_storage;
  micro::MicroOpResolver<kAllMicroOps> resolver;
  MicroErrorLog log;
  std::unique_ptr<micro::MicroInterpreter> interp;

  MicroRun(const std::vector<uint8_t>& model, size_t model_size,
           size_t arena_size, bool all_ops = true) {
    model_storage.resize(model.size() / 8 + 2);
    std::memcpy(model_storage.data(), model.data(), model.size());
    arena_storage.resize(arena_size / 8 + 2);
    if (all_ops) AddAllMicroOps(resolver);
    interp = std::make_unique<micro::MicroInterpreter>(
        reinterpret_cast<const uint8_t*>(model_storage.data()), model_size,
        resolver, reinterpret_cast<uint8_t*>(arena_storage.data()), arena_size,
        MicroErrorLog::Callback, &log);
  }
};

TEST(MicroInterpreter, TruncatedModelIsAnInvalidModelError) {
  Rng rng(3);
  const auto model = ConvStackModel(rng);
  for (size_t cut :
       {size_t{0}, size_t{4}, size_t{64}, model.size() / 2, model.size() - 1}) {
    MicroRun run(model, cut, 64 * 1024);
    EXPECT_EQ(run.interp->AllocateTensors(), MicroStatus::kInvalidModel) << cut;
    ASSERT_FALSE(run.log.errors.empty());
    EXPECT_NE(std::string(run.log.errors.back().message).find("model"),
              std::string::npos)
        << run.log.errors.back().message;
    EXPECT_EQ(run.interp->Invoke(), MicroStatus::kNotAllocated);
  }
}

TEST(MicroInterpreter, GarbageBytesNeverCrash) {
  Rng rng(9);
  const auto good = FcSoftmaxModel(rng, true);
  for (int trial = 0; trial < 3000; ++trial) {
    auto bad = good;
    const int flips = rng.Int(1, 8);
    for (int k = 0; k < flips; ++k)
      bad[rng.Int(0, static_cast<int>(bad.size()) - 1)] =
          static_cast<uint8_t>(rng.Int(0, 255));
    MicroRun run(bad, bad.size(), 16 * 1024);
    if (run.interp->AllocateTensors() == MicroStatus::kOk) {
      // Whatever survived verification must run (or fail) cleanly.
      for (int32_t i = 0; i < run.interp->inputs_size(); ++i) {
        const auto t = run.interp->input(i);
        if (t.data) std::memset(t.data, 1, t.bytes);
      }
      run.interp->Invoke();
    } else {
      EXPECT_FALSE(run.log.errors.empty());
    }
  }
}

TEST(MicroInterpreter, MissingOpNamesTheOp) {
  Rng rng(4);
  const auto model = FcSoftmaxModel(rng, false);
  MicroRun run(model, model.size(), 16 * 1024, /*all_ops=*/false);
  run.resolver.AddFullyConnected();
  EXPECT_EQ(run.interp->AllocateTensors(), MicroStatus::kMissingOp);
  ASSERT_FALSE(run.log.errors.empty());
  EXPECT_STREQ(run.log.errors.back().message, "SOFTMAX");
  EXPECT_EQ(run.log.errors.back().op_index, 1);
}

TEST(MicroInterpreter, ArenaTooSmallSaysHowMuchIsNeeded) {
  Rng rng(6);
  const auto model = ConvStackModel(rng);
  size_t needed = 0;
  {
    MicroRun run(model, model.size(), 64 * 1024);
    ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk);
    needed = run.interp->arena_used_bytes();
    const auto& rep = run.interp->arena_report();
    EXPECT_EQ(rep.total_bytes, rep.head_bytes + rep.tail_bytes);
  }
  for (size_t size : {size_t{16}, size_t{200}, needed / 2, needed - 16}) {
    MicroRun run(model, model.size(), size);
    EXPECT_EQ(run.interp->AllocateTensors(), MicroStatus::kArenaTooSmall)
        << size;
    ASSERT_FALSE(run.log.errors.empty());
    EXPECT_NE(std::string(run.log.errors.back().message).find("arena"),
              std::string::npos);
    EXPECT_GT(run.log.errors.back().needed_bytes, size);
  }
  // The reported size is enough (the planner's temporary tables included).
  MicroRun exact(model, model.size(), std::max(needed, size_t{0}) + 0);
  const MicroStatus s = exact.interp->AllocateTensors();
  if (s != MicroStatus::kOk) {
    ASSERT_FALSE(exact.log.errors.empty());
    MicroRun again(model, model.size(), exact.log.errors.back().needed_bytes);
    EXPECT_EQ(again.interp->AllocateTensors(), MicroStatus::kOk);
  }
}

TEST(MicroInterpreter, ReshapeAliasesItsInputAndPlanReusesMemory) {
  Rng rng(8);
  const auto model = ConvStackModel(rng);
  MicroRun run(model, model.size(), 64 * 1024);
  ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk);
  auto by_name = [&](const char* name) {
    const auto* tensors = run.interp->model()->subgraphs()->Get(0)->tensors();
    for (uint32_t i = 0; i < tensors->size(); ++i)
      if (tensors->Get(i)->name()->str() == name)
        return run.interp->tensor(static_cast<int32_t>(i));
    return micro::MicroTensor{};
  };
  const auto max_out = by_name("max");
  const auto flat = by_name("flat");
  ASSERT_NE(max_out.data, nullptr);
  EXPECT_EQ(max_out.data, flat.data);
  // Outputs keep their own memory; the head is smaller than the sum of all
  // activations (162 + 100 + 72 + 32 + 8 + 3 + 6 bytes, each 16-aligned).
  const auto& rep = run.interp->arena_report();
  EXPECT_LT(rep.head_bytes, 176u + 112 + 80 + 32 + 16 + 16 + 16);
}

TEST(MicroInterpreter, ReadsOfflineMemoryAllocation) {
  Rng rng(12);
  ModelBuilder b;
  const int x = b.AddTensor(kI8, {1, 16}, "x", Q(0.05f, 0));
  const int w = b.AddConstant(kI8, {16, 16}, rng.Ints<int8_t>(256, -127, 127),
                              "w", Q(0.01f, 0));
  const int h = b.AddTensor(kI8, {1, 16}, "h", Q(0.05f, 0));
  const int y = b.AddTensor(kI8, {1, 16}, "y", Q(0.05f, 0));
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w, -1}, {h},
          FcOptions(fb::ActivationFunctionType::NONE), 4);
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {h, w, -1}, {y},
          FcOptions(fb::ActivationFunctionType::NONE), 4);
  b.SetInputs({x});
  b.SetOutputs({y});
  // Offsets: x at 256, h at 512, y online (-1); w constant (-1).
  const std::vector<int32_t> plan = {1, 0, 4, 256, -1, 512, -1};
  auto& m = b.model();
  auto buf = std::make_unique<fb::BufferT>();
  buf->data.resize(plan.size() * 4);
  std::memcpy(buf->data.data(), plan.data(), buf->data.size());
  m.buffers.push_back(std::move(buf));
  auto md = std::make_unique<fb::MetadataT>();
  md->name = "OfflineMemoryAllocation";
  md->buffer = static_cast<uint32_t>(m.buffers.size() - 1);
  m.metadata.push_back(std::move(md));
  const auto model = b.Build();
  MicroRun run(model, model.size(), 8 * 1024);
  ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk)
      << run.log.errors.back().message;
  EXPECT_TRUE(run.interp->arena_report().offline_plan);
  const auto* x_data = static_cast<uint8_t*>(run.interp->tensor(x).data);
  const auto* h_data = static_cast<uint8_t*>(run.interp->tensor(h).data);
  EXPECT_EQ(h_data - x_data, 256);
  EXPECT_GE(run.interp->arena_report().head_bytes, 512u + 16);
  // And it still computes what the host computes.
  const auto r = CompareMicroWithHost(model, RandomInputs(rng, {16}, 2));
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(MicroInterpreter, ResetRestoresTheState) {
  Rng rng(30);
  const auto model = SvdfModel(rng, false);
  MicroRun run(model, model.size(), 16 * 1024);
  ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk);
  const auto in = rng.Ints<uint8_t>(24, 0, 255);
  auto run_once = [&] {
    std::memcpy(run.interp->input(0).data, in.data(), in.size());
    EXPECT_EQ(run.interp->Invoke(), MicroStatus::kOk);
    const auto out = run.interp->output(0);
    return std::vector<uint8_t>(static_cast<uint8_t*>(out.data),
                                static_cast<uint8_t*>(out.data) + out.bytes);
  };
  const auto first = run_once();
  run_once();
  run_once();
  ASSERT_EQ(run.interp->Reset(), MicroStatus::kOk);
  EXPECT_EQ(run_once(), first);
}

}  // namespace
}  // namespace ember::testing
