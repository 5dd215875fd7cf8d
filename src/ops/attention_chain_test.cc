// The op chain of a ViT encoder block as TensorFlow's converter emits it
// (LayerNorm as MEAN / SQUARED_DIFFERENCE / RSQRT / broadcasting MUL,
// RESHAPE + TRANSPOSE into heads, BATCH_MATMUL with a runtime rhs and adj_y,
// SOFTMAX, BATCH_MATMUL, GELU), fp32 and int8:
//  - against LiteRT (fp32: its default kernels within 1e-5 x max(1, |y|) per
//    element, the polynomial exp/erf of the fast kernels included; int8: its
//    BUILTIN_REF kernels, bit-exact), with Ember's reference and optimized
//    kernels (ExpectMatchesLiteRt);
//  - optimized against Ember's own reference kernels on every ISA tier this
//    CPU allows at 1, 2 and 3 threads (fp32 within 1e-5 x max(1, max |ref|),
//    int8 bit-exact), checking that the fast kernels were picked.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/gemm_f32.h"
#include "runtime/interpreter.h"
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

constexpr int32_t kTokens = 37, kHeads = 3, kHeadDim = 16;
constexpr int32_t kChannels = kHeads * kHeadDim;

fb::BuiltinOptionsUnion KeepDims() {
  fb::ReducerOptionsT o;
  o.keep_dims = true;
  return Options(o);
}
fb::BuiltinOptionsUnion MatMul(bool adj_y) {
  fb::BatchMatMulOptionsT o;
  o.adj_y = adj_y;
  return Options(o);
}
fb::BuiltinOptionsUnion SoftmaxBeta(float beta) {
  fb::SoftmaxOptionsT o;
  o.beta = beta;
  return Options(o);
}
fb::BuiltinOptionsUnion Gelu(bool approximate) {
  fb::GeluOptionsT o;
  o.approximate = approximate;
  return Options(o);
}

std::vector<float> Ramp(int n, float lo, float hi) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = lo + (hi - lo) * i / std::max(1, n - 1);
  return v;
}

// Splits ln [1, T, C] into heads [1, H, T, D] (RESHAPE + TRANSPOSE), then
// p = softmax(q q^T * beta), out = p q. Returns the output tensor.
int AttentionTail(ModelBuilder& b, int ln, fb::TensorType t, QuantSpec qq,
                  QuantSpec qs, QuantSpec qp, QuantSpec qo) {
  const int shape4 = b.AddConstant<int32_t>(
      fb::TensorType::INT32, {4}, {1, kTokens, kHeads, kHeadDim}, "shape4");
  const int perm =
      b.AddConstant<int32_t>(fb::TensorType::INT32, {4}, {0, 2, 1, 3}, "perm");
  const int q = b.AddTensor(t, {1, kTokens, kHeads, kHeadDim}, "q", qq);
  const int qt = b.AddTensor(t, {1, kHeads, kTokens, kHeadDim}, "qt", qq);
  const int sc = b.AddTensor(t, {1, kHeads, kTokens, kTokens}, "scores", qs);
  const int p = b.AddTensor(t, {1, kHeads, kTokens, kTokens}, "probs", qp);
  const int o = b.AddTensor(t, {1, kHeads, kTokens, kHeadDim}, "o", qo);
  b.AddOp(Op::RESHAPE, {ln, shape4}, {q});
  b.AddOp(Op::TRANSPOSE, {q, perm}, {qt});
  b.AddOp(Op::BATCH_MATMUL, {qt, qt}, {sc}, MatMul(true));
  b.AddOp(Op::SOFTMAX, {sc}, {p}, SoftmaxBeta(0.25f));
  b.AddOp(Op::BATCH_MATMUL, {p, qt}, {o}, MatMul(false));
  return o;
}

// fp32: LayerNorm as the converter writes it, attention, GELU.
std::vector<uint8_t> FloatBlock(bool approximate_gelu) {
  ModelBuilder b;
  const std::vector<int32_t> tc = {1, kTokens, kChannels};
  const std::vector<int32_t> t1 = {1, kTokens, 1};
  const int x = b.AddTensor(kF32, tc, "x");
  const int axis =
      b.AddConstant<int32_t>(fb::TensorType::INT32, {1}, {-1}, "axis");
  const int eps = b.AddConstant<float>(kF32, {}, {1e-6f}, "eps");
  const int gamma = b.AddConstant<float>(kF32, {1, 1, kChannels},
                                         Ramp(kChannels, 0.5f, 1.5f), "gamma");
  const int beta = b.AddConstant<float>(kF32, {kChannels},
                                        Ramp(kChannels, -0.2f, 0.3f), "beta");
  int n = 0;
  auto T = [&](const std::vector<int32_t>& s) {
    return b.AddTensor(kF32, s, "t" + std::to_string(n++));
  };
  const int m = T(t1), d = T(tc), v = T(t1), ve = T(t1), r = T(t1);
  const int s = T(tc), u = T(tc), ms = T(tc), w = T(tc), ln = T(tc);
  b.AddOp(Op::MEAN, {x, axis}, {m}, KeepDims());
  b.AddOp(Op::SQUARED_DIFFERENCE, {x, m}, {d});
  b.AddOp(Op::MEAN, {d, axis}, {v}, KeepDims());
  b.AddOp(Op::ADD, {v, eps}, {ve}, Options(fb::AddOptionsT()));
  b.AddOp(Op::RSQRT, {ve}, {r});
  b.AddOp(Op::MUL, {r, gamma}, {s}, Options(fb::MulOptionsT()));
  b.AddOp(Op::MUL, {x, s}, {u}, Options(fb::MulOptionsT()));
  b.AddOp(Op::MUL, {m, s}, {ms}, Options(fb::MulOptionsT()));
  b.AddOp(Op::SUB, {u, ms}, {w}, Options(fb::SubOptionsT()));
  b.AddOp(Op::ADD, {w, beta}, {ln}, Options(fb::AddOptionsT()));
  const int o = AttentionTail(b, ln, kF32, {}, {}, {}, {});
  const int g = b.AddTensor(kF32, {1, kHeads, kTokens, kHeadDim}, "gelu");
  b.AddOp(Op::GELU, {o}, {g}, Gelu(approximate_gelu));
  b.SetInputs({x});
  b.SetOutputs({g, ln});
  return b.Build();
}

// int8: quantized LayerNorm pieces (MEAN, SQUARED_DIFFERENCE, MUL by a
// per-channel row and by a per-token column), attention with int8 BATCH_MATMUL
// and SOFTMAX.
std::vector<uint8_t> Int8Block() {
  ModelBuilder b;
  const std::vector<int32_t> tc = {1, kTokens, kChannels};
  const int x = b.AddTensor(kF32, tc, "x");
  const int xq = b.AddTensor(kI8, tc, "xq", Quant(0.02f, 3));
  const int axis =
      b.AddConstant<int32_t>(fb::TensorType::INT32, {1}, {-1}, "axis");
  std::vector<int8_t> gv(kChannels);
  for (int i = 0; i < kChannels; ++i)
    gv[i] = static_cast<int8_t>((i * 37) % 255 - 127);
  const int gamma = b.AddConstant<int8_t>(kI8, {1, 1, kChannels}, gv, "gamma",
                                          Quant(1.0f / 127, 0));
  const int m = b.AddTensor(kI8, {1, kTokens, 1}, "m", Quant(0.02f, -1));
  const int d = b.AddTensor(kI8, tc, "d", Quant(0.03f, -128));
  const int s = b.AddTensor(kI8, tc, "s", Quant(0.02f, 2));
  b.AddOp(Op::QUANTIZE, {x}, {xq});
  b.AddOp(Op::MEAN, {xq, axis}, {m}, KeepDims(), 2);
  b.AddOp(Op::SQUARED_DIFFERENCE, {xq, m}, {d}, {}, 2);
  b.AddOp(Op::MUL, {d, gamma}, {s}, Options(fb::MulOptionsT()), 2);
  // A [1, T, 1] column times [1, T, C] (the per-token scale of LayerNorm).
  const int sm = b.AddTensor(kI8, tc, "sm", Quant(0.02f, 2));
  b.AddOp(Op::MUL, {m, s}, {sm}, Options(fb::MulOptionsT()), 2);
  const int o = AttentionTail(b, sm, kI8, Quant(0.02f, 2), Quant(0.04f, -5),
                              Quant(1.0f / 256, -128), Quant(0.01f, 1));
  const int out = b.AddTensor(kF32, {1, kHeads, kTokens, kHeadDim}, "out");
  b.AddOp(Op::DEQUANTIZE, {o}, {out}, {}, 2);
  b.SetInputs({x});
  b.SetOutputs({out});
  return b.Build();
}

NpyArray Input(uint32_t seed) {
  return RandomArray(DataType::kFloat32, {1, kTokens, kChannels}, seed, -2, 2);
}

TEST(AttentionChain, MatchesLiteRt) {
  std::vector<OpTest> cases;
  for (const bool approx : {false, true}) {
    OpTest c;
    c.name = std::string("fp32 block, gelu approximate=") +
             (approx ? "true" : "false");
    c.model = FloatBlock(approx);
    c.inputs = {Input(approx ? 2 : 1)};
    CompareWithDefaultKernels(c, Tolerance::PerElement(1e-5));
    cases.push_back(std::move(c));
  }
  OpTest q;
  q.name = "int8 block";
  q.model = Int8Block();
  q.inputs = {Input(3)};
  q.tolerance = Tolerance::Exact();
  cases.push_back(std::move(q));
  ExpectMatchesLiteRt(cases);
}

struct Outputs {
  std::vector<std::string> variants;  // "OP:variant" per node
  std::vector<std::vector<uint8_t>> bytes;
};

Outputs RunModel(const std::vector<uint8_t>& bytes, const NpyArray& input,
                 bool force_ref, int threads) {
  Outputs r;
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
  for (const Node& node : sg.nodes()) {
    r.variants.push_back(std::string(node.reg ? node.reg->name : "?") + ":" +
                         (node.kernel_variant ? node.kernel_variant : "?"));
  }
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  EXPECT_EQ(in.bytes, input.data.size());
  std::memcpy(in.data, input.data.data(),
              std::min(in.bytes, input.data.size()));
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  for (int32_t t : sg.outputs()) {
    const Tensor& out = sg.tensors()[t];
    const auto* p = static_cast<const uint8_t*>(out.data);
    r.bytes.emplace_back(p, p + out.bytes);
  }
  return r;
}

bool Uses(const Outputs& o, const std::string& op_variant) {
  return std::find(o.variants.begin(), o.variants.end(), op_variant) !=
         o.variants.end();
}

bool AnyRef(const Outputs& o, const std::string& op) {
  return Uses(o, op + ":ref");
}

void CheckAgainstReference(const std::vector<uint8_t>& model, bool is_float,
                           const std::string& what) {
  const NpyArray input = Input(11);
  const Outputs ref = RunModel(model, input, /*force_ref=*/true, 1);
  ASSERT_FALSE(ref.bytes.empty()) << what;
  const auto isas =
      kernels::AllowedEntryIsas(x86::GemmF32Kernels(), kernels::AllowedIsas());
  if (!dispatch::EnvForcesReference()) {
    EXPECT_FALSE(isas.empty()) << "no fp32 GEMM tier on this CPU";
  }
  for (kernels::Isa isa : isas) {
    kernels::ScopedIsaOverride force(kernels::IsaName(isa));
    for (int threads = 1; threads <= 3; ++threads) {
      const std::string where = what + " isa=" + kernels::IsaName(isa) +
                                " threads=" + std::to_string(threads);
      const Outputs got = RunModel(model, input, false, threads);
      // The chain's heavy ops must leave the reference kernels (fp32
      // SOFTMAX and GELU have fast kernels on x86 only).
      std::vector<std::string> ops = {"BATCH_MATMUL", "MEAN",
                                      "SQUARED_DIFFERENCE", "MUL"};
#if defined(__x86_64__)
      ops.push_back("SOFTMAX");
      ops.push_back("GELU");
#else
      if (!is_float) ops.push_back("SOFTMAX");
#endif
      for (const std::string& op : ops)
        EXPECT_FALSE(AnyRef(got, op)) << where << ": " << op << " on ref";
      ASSERT_EQ(got.bytes.size(), ref.bytes.size()) << where;
      for (size_t k = 0; k < ref.bytes.size(); ++k) {
        ASSERT_EQ(got.bytes[k].size(), ref.bytes[k].size()) << where;
        if (!is_float) {
          EXPECT_TRUE(got.bytes[k] == ref.bytes[k])
              << where << " output " << k << " differs";
          continue;
        }
        const size_t n = ref.bytes[k].size() / sizeof(float);
        std::vector<float> r(n), g(n);
        std::memcpy(r.data(), ref.bytes[k].data(), n * sizeof(float));
        std::memcpy(g.data(), got.bytes[k].data(), n * sizeof(float));
        double scale = 1.0, worst = 0.0;
        for (float v : r) scale = std::max(scale, std::fabs(double{v}));
        for (size_t i = 0; i < n; ++i)
          worst = std::max(worst, std::fabs(double{r[i]} - g[i]));
        EXPECT_LE(worst, 1e-5 * scale) << where << " output " << k;
      }
    }
  }
}

TEST(AttentionChain, OptimizedMatchesReferenceOnEveryIsaAndThreadCount) {
  CheckAgainstReference(FloatBlock(false), true, "fp32 gelu");
  CheckAgainstReference(FloatBlock(true), true, "fp32 gelu approximate");
  CheckAgainstReference(Int8Block(), false, "int8");
}

}  // namespace
}  // namespace ember
