// The x86 fast-op kernels (fast_ops.h) against the reference kernels, the
// oracle: randomized single-op models run once with force_reference_kernels
// and then with each ISA of the fast-op list this run allows, pinned with
// kernels::ScopedIsaOverride (its tier), on 1, 2 and 3 threads. Integer outputs
// must match bit for bit. Float tolerances, relative to
// max(1, max |reference output|):
//   ADD/SUB/MUL/MAX/MIN/PRELU, RELU family, LEAKY_RELU: exact (same IEEE op);
//   pooling, MEAN/SUM, bilinear resize, HARD_SWISH: 1e-5 (same order of
//     operations, but the compiler may fuse multiply-adds);
//   BATCH_MATMUL (GEMM, K <= 64, other summation order): 1e-5;
//   LOGISTIC / TANH / SOFTMAX: 2e-6 absolute (polynomial exp).
// Also checks that the fast variant is really picked (kernel_variant).
#include "kernels/drivers/fast_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::QuantSpec;

std::vector<kernels::Isa> SupportedIsas() {
  return kernels::AllowedEntryIsas(x86::FastOpsList(), kernels::AllowedIsas());
}

struct Rand {
  std::mt19937 gen;
  explicit Rand(uint32_t seed) : gen(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  }
  float Float(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen);
  }
  QuantSpec Quant(float lo = 0.01f, float hi = 0.1f) {
    return QuantSpec{{Float(lo, hi)}, {Int(-20, 20)}, 0};
  }
  fb::ActivationFunctionType Act() {
    switch (Int(0, 3)) {
      case 0:
        return fb::ActivationFunctionType::RELU;
      case 1:
        return fb::ActivationFunctionType::RELU6;
      case 2:
        return fb::ActivationFunctionType::RELU_N1_TO_1;
      default:
        return fb::ActivationFunctionType::NONE;
    }
  }
  std::vector<int32_t> Shape4(int max_hw = 12, int max_c = 40) {
    return {Int(1, 2), Int(1, max_hw), Int(1, max_hw), Int(1, max_c)};
  }
};

enum class Tol { kExact, kOrder, kTranscendental };

struct RunResult {
  std::vector<std::string> variants;
  std::vector<uint8_t> output;
  DataType type = DataType::kFloat32;
};

RunResult RunModel(const std::vector<uint8_t>& bytes, bool force_ref,
                   int threads, uint32_t seed) {
  RunResult r;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  EXPECT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  if (!model) return r;
  InterpreterOptions options;
  options.force_reference_kernels = force_ref;
  options.num_threads = threads;
  options.split_small_work = true;  // small test models: split anyway
  std::unique_ptr<Interpreter> interp;
  EXPECT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                  errors, &interp)
                  .ok())
      << errors.message();
  if (!interp) return r;
  EXPECT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  for (const Node& n : sg.nodes()) r.variants.push_back(n.kernel_variant);
  std::mt19937 gen(seed);
  for (int32_t idx : sg.inputs()) {
    Tensor& t = sg.tensors()[idx];
    if (t.type == DataType::kFloat32) {
      std::uniform_real_distribution<float> d(-5.0f, 5.0f);
      float* p = t.data_as<float>();
      for (int64_t i = 0; i < t.NumElements(); ++i) p[i] = d(gen);
    } else {
      uint8_t* p = static_cast<uint8_t*>(t.data);
      for (size_t i = 0; i < t.bytes; ++i) p[i] = static_cast<uint8_t>(gen());
    }
  }
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  r.type = out.type;
  const uint8_t* p = static_cast<const uint8_t*>(out.data);
  r.output.assign(p, p + out.bytes);
  return r;
}

void ExpectMatch(const RunResult& ref, const RunResult& got, Tol tol,
                 const std::string& what) {
  ASSERT_EQ(ref.output.size(), got.output.size()) << what;
  if (ref.type != DataType::kFloat32 || tol == Tol::kExact) {
    EXPECT_EQ(
        0, std::memcmp(ref.output.data(), got.output.data(), ref.output.size()))
        << what << ": outputs differ";
    if (ref.type != DataType::kFloat32) return;
  }
  const size_t n = ref.output.size() / 4;
  std::vector<float> a(n), b(n);
  std::memcpy(a.data(), ref.output.data(), n * 4);
  std::memcpy(b.data(), got.output.data(), n * 4);
  double scale = 1.0, worst = 0.0;
  for (float v : a) scale = std::max(scale, static_cast<double>(std::fabs(v)));
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      EXPECT_EQ(std::isnan(a[i]), std::isnan(b[i])) << what << " at " << i;
      continue;
    }
    worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]));
  }
  const double limit = tol == Tol::kTranscendental ? 2e-6 : 1e-5 * scale;
  EXPECT_LE(worst, limit) << what;
}

// Runs `bytes` on the reference, then on every ISA x {1, 2, 3} threads;
// node 0's variant must contain `variant` on the fast runs.
void CheckModel(const std::vector<uint8_t>& bytes, Tol tol,
                const std::string& variant, const std::string& what,
                uint32_t seed) {
  const RunResult ref = RunModel(bytes, true, 1, seed);
  ASSERT_FALSE(ref.variants.empty()) << what;
  EXPECT_EQ(ref.variants[0], "ref") << what;
  for (kernels::Isa isa : SupportedIsas()) {
    kernels::ScopedIsaOverride scoped(kernels::IsaName(isa));
    for (int threads = 1; threads <= 3; ++threads) {
      const RunResult got = RunModel(bytes, false, threads, seed);
      const std::string label = what + " isa " + kernels::IsaName(isa) +
                                " threads " + std::to_string(threads);
      if (!dispatch::EnvForcesReference() && !variant.empty()) {
        ASSERT_FALSE(got.variants.empty());
        EXPECT_NE(got.variants[0].find(variant), std::string::npos)
            << label << " picked " << got.variants[0];
        // The label names the ISA that really runs (LUTs are ISA-free).
        if (variant != "lut8" && variant != "blocked_transpose" &&
            got.variants[0] != "x86_avx512vbmi_lut8") {
          EXPECT_NE(got.variants[0].find(std::string("x86_") +
                                         kernels::IsaName(isa) + "_"),
                    std::string::npos)
              << label << " picked " << got.variants[0];
        }
      }
      ExpectMatch(ref, got, tol, label);
    }
  }
}

fb::TensorType TypeOf(bool s8) {
  return s8 ? fb::TensorType::INT8 : fb::TensorType::FLOAT32;
}

// The three element types of the pooling / mean tests: fp32, int8 and int16
// (int16 takes zero points of 0, as the reference requires).
enum class Elem { kF32, kS8, kS16 };
fb::TensorType TypeOf(Elem e) {
  return e == Elem::kS16 ? fb::TensorType::INT16 : TypeOf(e == Elem::kS8);
}
QuantSpec QuantOf(Elem e, Rand& rng, float lo = 0.01f, float hi = 0.1f) {
  if (e == Elem::kF32) return QuantSpec{};
  QuantSpec q = rng.Quant(lo, hi);
  if (e == Elem::kS16) q.zero_points = {0};
  return q;
}
const char* Suffix(Elem e) {
  return e == Elem::kS16 ? "_s16" : e == Elem::kS8 ? "_s8" : "";
}
const char* ElemName(Elem e) {
  return e == Elem::kS16 ? " int16" : e == Elem::kS8 ? " int8" : " f32";
}

// A broadcast partner for `out`: the same shape, a scalar, or a last-dim
// row (sometimes with fewer dims).
std::vector<int32_t> Partner(Rand& rng, const std::vector<int32_t>& out,
                             int kind) {
  if (kind == 0) return out;
  if (kind == 1)
    return rng.Int(0, 1) ? std::vector<int32_t>{1} : std::vector<int32_t>{};
  if (rng.Int(0, 1)) return {out.back()};
  return {1, 1, 1, out.back()};
}

TEST(FastOps, BinaryMatchesReference) {
  Rand rng(2024);
  const fb::BuiltinOperator ops[] = {
      fb::BuiltinOperator::ADD,     fb::BuiltinOperator::SUB,
      fb::BuiltinOperator::MUL,     fb::BuiltinOperator::MAXIMUM,
      fb::BuiltinOperator::MINIMUM, fb::BuiltinOperator::PRELU};
  for (int i = 0; i < 240; ++i) {
    const fb::BuiltinOperator op = ops[i % 6];
    const bool can_s8 = op == fb::BuiltinOperator::ADD ||
                        op == fb::BuiltinOperator::SUB ||
                        op == fb::BuiltinOperator::MUL;
    const bool s8 = can_s8 && rng.Int(0, 1) == 1;
    std::vector<int32_t> out = rng.Shape4(20, 70);
    if (i % 10 == 0)
      out = {1, 64, 64, 24};  // big enough to be split over threads
    const int a_kind = op == fb::BuiltinOperator::PRELU ? 0
                       : rng.Int(0, 4) == 0             ? 2
                                                        : 0;
    const int b_kind = a_kind != 0 ? 0 : rng.Int(0, 2);
    ModelBuilder b;
    const fb::TensorType t = TypeOf(s8);
    const QuantSpec qa = s8 ? rng.Quant() : QuantSpec{};
    const QuantSpec qb = s8 ? rng.Quant() : QuantSpec{};
    const QuantSpec qo = s8 ? rng.Quant(0.02f, 0.3f) : QuantSpec{};
    const int x = b.AddTensor(t, Partner(rng, out, a_kind), "a", qa);
    const int y = b.AddTensor(t, Partner(rng, out, b_kind), "b", qb);
    const int z = b.AddTensor(t, {}, "out", qo);
    fb::BuiltinOptionsUnion u;
    const auto act = rng.Act();
    if (op == fb::BuiltinOperator::ADD) {
      fb::AddOptionsT o;
      o.fused_activation_function = act;
      u.Set(o);
    } else if (op == fb::BuiltinOperator::SUB) {
      fb::SubOptionsT o;
      o.fused_activation_function = act;
      u.Set(o);
    } else if (op == fb::BuiltinOperator::MUL) {
      fb::MulOptionsT o;
      o.fused_activation_function = act;
      u.Set(o);
    }
    b.AddOp(op, {x, y}, {z}, std::move(u));
    b.SetInputs({x, y});
    b.SetOutputs({z});
    CheckModel(b.Build(), Tol::kExact, s8 ? "eltwise_s8" : "eltwise",
               std::string(fb::EnumNameBuiltinOperator(op)) + " case " +
                   std::to_string(i),
               static_cast<uint32_t>(i));
  }
}

TEST(FastOps, ActivationsMatchReference) {
  Rand rng(77);
  struct Kind {
    fb::BuiltinOperator op;
    Tol tol;
  };
  const Kind kinds[] = {{fb::BuiltinOperator::RELU, Tol::kExact},
                        {fb::BuiltinOperator::RELU6, Tol::kExact},
                        {fb::BuiltinOperator::RELU_N1_TO_1, Tol::kExact},
                        {fb::BuiltinOperator::LEAKY_RELU, Tol::kExact},
                        {fb::BuiltinOperator::HARD_SWISH, Tol::kOrder},
                        {fb::BuiltinOperator::LOGISTIC, Tol::kTranscendental},
                        {fb::BuiltinOperator::TANH, Tol::kTranscendental},
                        {fb::BuiltinOperator::ELU, Tol::kExact}};
  int case_id = 0;
  for (const Kind& k : kinds) {
    for (int rep = 0; rep < 8; ++rep, ++case_id) {
      // ELU has no fp32 fast kernel; it is exercised through the table.
      const bool s8 = k.op == fb::BuiltinOperator::ELU || rep % 2 == 1;
      std::vector<int32_t> shape = rng.Shape4(16, 50);
      if (rep % 4 == 2) shape = {1, 64, 64, 40};  // split over threads
      ModelBuilder b;
      const fb::TensorType t = TypeOf(s8);
      const int x =
          b.AddTensor(t, shape, "x", s8 ? rng.Quant(0.02f, 0.1f) : QuantSpec{});
      const int y =
          b.AddTensor(t, {}, "y", s8 ? rng.Quant(0.01f, 0.05f) : QuantSpec{});
      fb::BuiltinOptionsUnion u;
      if (k.op == fb::BuiltinOperator::LEAKY_RELU) {
        fb::LeakyReluOptionsT o;
        o.alpha = rng.Float(0.01f, 0.5f);
        u.Set(o);
      }
      b.AddOp(k.op, {x}, {y}, std::move(u));
      b.SetInputs({x});
      b.SetOutputs({y});
      CheckModel(b.Build(), s8 ? Tol::kExact : k.tol, s8 ? "lut8" : "act",
                 std::string(fb::EnumNameBuiltinOperator(k.op)) +
                     (s8 ? " int8" : " f32") + " case " +
                     std::to_string(case_id),
                 static_cast<uint32_t>(case_id));
    }
  }
}

TEST(FastOps, PoolingMatchesReference) {
  Rand rng(31);
  for (int i = 0; i < 180; ++i) {
    const bool max = i % 2 == 0;
    const Elem e = static_cast<Elem>((i / 2) % 3);
    std::vector<int32_t> shape = rng.Shape4(14, 70);
    if (i % 8 == 0) shape = {1, 48, 48, 32};
    ModelBuilder b;
    const fb::TensorType t = TypeOf(e);
    const QuantSpec q = QuantOf(e, rng);
    const int x = b.AddTensor(t, shape, "x", q);
    const int y = b.AddTensor(t, {}, "y", q);
    fb::Pool2DOptionsT o;
    o.padding = rng.Int(0, 1) ? fb::Padding::SAME : fb::Padding::VALID;
    o.filter_height = rng.Int(1, std::min(4, shape[1]));
    o.filter_width = rng.Int(1, std::min(4, shape[2]));
    o.stride_h = rng.Int(1, 3);
    o.stride_w = rng.Int(1, 3);
    o.fused_activation_function = rng.Act();
    fb::BuiltinOptionsUnion u;
    u.Set(o);
    b.AddOp(max ? fb::BuiltinOperator::MAX_POOL_2D
                : fb::BuiltinOperator::AVERAGE_POOL_2D,
            {x}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    CheckModel(b.Build(), Tol::kOrder, std::string("pool") + Suffix(e),
               std::string(max ? "max" : "avg") + ElemName(e) + " case " +
                   std::to_string(i),
               static_cast<uint32_t>(i));
  }
}

TEST(FastOps, MeanSumMatchReference) {
  Rand rng(5);
  for (int i = 0; i < 108; ++i) {
    const Elem e = static_cast<Elem>(i % 3);
    const bool sum = (i / 3) % 2 == 1;
    std::vector<int32_t> shape = rng.Shape4(12, 80);
    shape[3] = std::max(shape[3], 4);
    // Spatial axes {1, 2}, sometimes only one of them.
    std::vector<int32_t> axes = {1, 2};
    if (i % 6 == 4) axes = {1};
    if (i % 6 == 5) axes = {2};
    ModelBuilder b;
    const fb::TensorType t = TypeOf(e);
    const int x = b.AddTensor(t, shape, "x", QuantOf(e, rng));
    const int ax = b.AddConstant<int32_t>(fb::TensorType::INT32,
                                          {static_cast<int32_t>(axes.size())},
                                          axes, "axes");
    const int y = b.AddTensor(t, {}, "y", QuantOf(e, rng, 0.05f, 0.5f));
    fb::ReducerOptionsT o;
    o.keep_dims = rng.Int(0, 1) == 1;
    fb::BuiltinOptionsUnion u;
    u.Set(o);
    b.AddOp(sum ? fb::BuiltinOperator::SUM : fb::BuiltinOperator::MEAN, {x, ax},
            {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    CheckModel(b.Build(), Tol::kOrder, std::string("mean") + Suffix(e),
               std::string(sum ? "sum" : "mean") + ElemName(e) + " case " +
                   std::to_string(i),
               static_cast<uint32_t>(i));
  }
}

TEST(FastOps, ResizeBilinearMatchesReference) {
  Rand rng(9);
  for (int i = 0; i < 72; ++i) {
    const std::vector<int32_t> shape = rng.Shape4(10, 40);
    const std::vector<int32_t> size = {rng.Int(1, 24),
                                       rng.Int(1, i % 8 == 0 ? 300 : 24)};
    ModelBuilder b;
    const int x = b.AddTensor(fb::TensorType::FLOAT32, shape, "x");
    const int sz =
        b.AddConstant<int32_t>(fb::TensorType::INT32, {2}, size, "size");
    const int y = b.AddTensor(fb::TensorType::FLOAT32, {}, "y");
    fb::ResizeBilinearOptionsT o;
    const int mode = rng.Int(0, 2);
    o.align_corners = mode == 1;
    o.half_pixel_centers = mode == 2;
    fb::BuiltinOptionsUnion u;
    u.Set(o);
    b.AddOp(fb::BuiltinOperator::RESIZE_BILINEAR, {x, sz}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    CheckModel(b.Build(), Tol::kOrder, "resize_bilinear",
               "resize case " + std::to_string(i), static_cast<uint32_t>(i));
  }
}

TEST(FastOps, SoftmaxMatchesReference) {
  Rand rng(13);
  for (int i = 0; i < 60; ++i) {
    std::vector<int32_t> shape = {rng.Int(1, 40), rng.Int(1, 70)};
    if (i % 10 == 0) shape = {48, 1001};
    ModelBuilder b;
    const int x = b.AddTensor(fb::TensorType::FLOAT32, shape, "x");
    const int y = b.AddTensor(fb::TensorType::FLOAT32, {}, "y");
    fb::SoftmaxOptionsT o;
    o.beta = rng.Float(0.1f, 3.0f);
    fb::BuiltinOptionsUnion u;
    u.Set(o);
    b.AddOp(fb::BuiltinOperator::SOFTMAX, {x}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    CheckModel(b.Build(), Tol::kTranscendental, "softmax",
               "softmax case " + std::to_string(i), static_cast<uint32_t>(i));
  }
}

// BATCH_MATMUL fp32 with a constant rhs runs on the packed GEMM kernels.
TEST(FastOps, BatchMatMulConstantRhsMatchesReference) {
  Rand rng(21);
  for (int i = 0; i < 40; ++i) {
    const int32_t m = rng.Int(1, 30), k = rng.Int(1, 64), n = rng.Int(1, 50);
    const bool adj_y = rng.Int(0, 1) == 1;
    const int32_t lb = rng.Int(1, 3);
    const int32_t rb = rng.Int(0, 1) ? lb : 1;  // rhs batch broadcast sometimes
    std::vector<int32_t> lhs_shape = {lb, m, k};
    std::vector<int32_t> rhs_shape = {rb, adj_y ? n : k, adj_y ? k : n};
    if (i % 5 == 0) rhs_shape.erase(rhs_shape.begin());  // rank-2 rhs
    std::vector<float> w(static_cast<size_t>(rb) * k * n);
    for (auto& v : w) v = rng.Float(-1.0f, 1.0f);
    if (i % 5 == 0) w.resize(static_cast<size_t>(k) * n);
    ModelBuilder b;
    const int x = b.AddTensor(fb::TensorType::FLOAT32, lhs_shape, "x");
    const int y =
        b.AddConstant<float>(fb::TensorType::FLOAT32, rhs_shape, w, "w");
    const int z = b.AddTensor(fb::TensorType::FLOAT32, {}, "z");
    fb::BatchMatMulOptionsT o;
    o.adj_y = adj_y;
    fb::BuiltinOptionsUnion u;
    u.Set(o);
    b.AddOp(fb::BuiltinOperator::BATCH_MATMUL, {x, y}, {z}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({z});
    CheckModel(b.Build(), Tol::kOrder, "gemm",
               "batch_matmul case " + std::to_string(i),
               static_cast<uint32_t>(i));
  }
}

// TRANSPOSE: random permutations of rank 1..5, element sizes 1 / 4 / 8,
// must equal the reference copy exactly.
TEST(FastOps, TransposeMatchesReference) {
  Rand rng(17);
  const fb::TensorType types[] = {fb::TensorType::INT8, fb::TensorType::FLOAT32,
                                  fb::TensorType::INT64, fb::TensorType::INT16};
  for (int i = 0; i < 80; ++i) {
    const int rank = rng.Int(1, 5);
    std::vector<int32_t> shape(rank), perm(rank);
    for (int d = 0; d < rank; ++d) {
      shape[d] = rng.Int(1, rank <= 2 ? 70 : 12);
      perm[d] = d;
    }
    std::shuffle(perm.begin(), perm.end(), rng.gen);
    const fb::TensorType t = types[i % 4];
    ModelBuilder b;
    const QuantSpec q =
        t == fb::TensorType::INT8 ? QuantSpec{{0.1f}, {0}, 0} : QuantSpec{};
    const int x = b.AddTensor(t, shape, "x", q);
    const int pm =
        b.AddConstant<int32_t>(fb::TensorType::INT32, {rank}, perm, "perm");
    const int y = b.AddTensor(t, {}, "y", q);
    b.AddOp(fb::BuiltinOperator::TRANSPOSE, {x, pm}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    CheckModel(b.Build(), Tol::kExact, "blocked_transpose",
               "transpose case " + std::to_string(i), static_cast<uint32_t>(i));
  }
}

// The table lookups themselves, every byte value and ragged lengths.
TEST(FastOps, Lut8KernelsMatchTable) {
  Rand rng(3);
  uint8_t table[256];
  for (int v = 0; v < 256; ++v)
    table[v] = static_cast<uint8_t>(rng.Int(0, 255));
  for (kernels::Isa isa : SupportedIsas()) {
    const x86::FastOpsKernels* k =
        kernels::EntryFor(x86::FastOpsList(), isa)->kernels();
    for (x86::Lut8Fn fn :
         {k->lut8, x86::SelectLut8(kernels::AllowedIsas())->fn}) {
      for (int len : {1, 7, 63, 64, 65, 256, 1000}) {
        std::vector<uint8_t> in(len), out(len, 0), expect(len);
        for (int i = 0; i < len; ++i)
          in[i] = static_cast<uint8_t>(len == 256 ? i : rng.Int(0, 255));
        for (int i = 0; i < len; ++i) expect[i] = table[in[i]];
        const int begin = len > 3 ? 2 : 0;
        for (int i = 0; i < begin; ++i) expect[i] = 0;
        fn(table, in.data(), out.data(), begin, len);
        EXPECT_EQ(expect, out) << k->isa_name << " length " << len;
      }
    }
  }
}

// General broadcasts stay on the reference kernel.
TEST(FastOps, GeneralBroadcastKeepsReference) {
  ModelBuilder b;
  const int x = b.AddTensor(fb::TensorType::FLOAT32, {2, 5, 1, 3}, "x");
  const int y = b.AddTensor(fb::TensorType::FLOAT32, {1, 1, 4, 1}, "y");
  const int z = b.AddTensor(fb::TensorType::FLOAT32, {}, "z");
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z});
  b.SetInputs({x, y});
  b.SetOutputs({z});
  const RunResult r = RunModel(b.Build(), false, 1, 3);
  ASSERT_EQ(r.variants.size(), 1u);
  EXPECT_EQ(r.variants[0], "ref");
}

// InterpreterOptions::isa caps the kernels like EMBER_ISA; an unknown name
// fails Create with a message naming it.
TEST(FastOps, InterpreterOptionIsaCapsKernelChoice) {
  ModelBuilder b;
  const int x = b.AddTensor(fb::TensorType::FLOAT32, {2, 64}, "x");
  const int y = b.AddTensor(fb::TensorType::FLOAT32, {2, 64}, "y");
  const int z = b.AddTensor(fb::TensorType::FLOAT32, {2, 64}, "z");
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z});
  b.SetInputs({x, y});
  b.SetOutputs({z});
  const auto bytes = b.Build();
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok());
  auto variant = [&](const char* isa) -> std::string {
    InterpreterOptions options;
    options.isa = isa;
    std::unique_ptr<Interpreter> interp;
    ErrorReporter e;
    const Status st = Interpreter::Create(*model, OpResolver::Builtins(),
                                          options, e, &interp);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
      return std::string("error: ") + e.message();
    }
    EXPECT_TRUE(interp->AllocateTensors().ok());
    return interp->primary().nodes()[0].kernel_variant;
  };
  EXPECT_EQ(variant("ref"), "ref");
  EXPECT_NE(variant("avx3").find("unknown ISA 'avx3'"), std::string::npos)
      << variant("avx3");
  for (kernels::Isa isa : SupportedIsas()) {
    EXPECT_EQ(variant(kernels::IsaName(isa)),
              std::string("x86_") + kernels::IsaName(isa) + "_eltwise");
  }
}

}  // namespace
}  // namespace ember
