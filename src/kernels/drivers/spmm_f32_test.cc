// The block-sparse fp32 GEMM (spmm_f32) against dense reference math:
// randomized shapes and sparsity patterns (zero 1x4 blocks, zero 4x1
// blocks, unstructured), every ISA the CPU supports, 1/2/3 threads. Floats
// must agree within 1e-5 * sqrt(K) relative to max(1, max |expected|).
// Through the interpreter: pruned 1x1 CONV_2D / FULLY_CONNECTED models pick
// the sparse kernel and agree with force_reference_kernels.
#include "kernels/drivers/spmm_f32.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "kernels/dispatch/cpu_features.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

std::vector<kernels::Isa> SupportedIsas() {
  return kernels::AllowedEntryIsas(x86::SpmmF32Kernels(),
                                   kernels::AllowedIsas());
}

struct Rand {
  std::mt19937 gen;
  explicit Rand(uint32_t seed) : gen(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  }
  float Float() {
    return std::uniform_real_distribution<float>(-1.0f, 1.0f)(gen);
  }
  std::vector<float> Floats(size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = Float();
    return v;
  }
};

enum class Pattern { kBlocks1x4, kBlocks4x1, kUnstructured };

// Dense weights [n][k] with about `sparsity` of them zeroed in `pattern`.
std::vector<float> SparseWeights(Rand& rng, int32_t n, int32_t k,
                                 Pattern pattern, double sparsity) {
  std::vector<float> w = rng.Floats(static_cast<size_t>(n) * k);
  const int bh = pattern == Pattern::kBlocks4x1 ? 4 : 1;
  const int bw = pattern == Pattern::kBlocks1x4 ? 4 : 1;
  for (int32_t r = 0; r < n; r += bh) {
    for (int32_t c = 0; c < k; c += bw) {
      if (rng.Int(0, 999) >= sparsity * 1000) continue;
      for (int32_t i = r; i < std::min(n, r + bh); ++i)
        for (int32_t j = c; j < std::min(k, c + bw); ++j)
          w[static_cast<size_t>(i) * k + j] = 0.0f;
    }
  }
  return w;
}

TEST(SpmmF32, MatchesDenseReference) {
  const auto isas = SupportedIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/AVX-512 on this CPU";
  Rand rng(77);
  for (int i = 0; i < 60; ++i) {
    const Pattern pattern = static_cast<Pattern>(i % 3);
    const int32_t n = rng.Int(1, 70);
    const int32_t k =
        pattern == Pattern::kBlocks1x4 ? 4 * rng.Int(1, 40) : rng.Int(1, 150);
    // Every fourth case has the few rows of a batch-1 fully connected layer.
    const int64_t m = i % 4 == 1 ? rng.Int(1, 3) : rng.Int(1, 100);
    const double sparsity = i % 7 == 0 ? 1.0 : 0.4 + 0.1 * rng.Int(0, 5);
    const auto w = SparseWeights(rng, n, k, pattern, sparsity);
    const auto bias = rng.Floats(n);
    const bool has_bias = rng.Int(0, 3) != 0;
    const float lo = rng.Int(0, 1) ? 0.0f : -INFINITY;
    const float hi = rng.Int(0, 1) ? 6.0f : INFINITY;
    const auto a = rng.Floats(static_cast<size_t>(m) * k);
    std::vector<float> expect(static_cast<size_t>(m) * n);
    double scale = 1.0;
    for (int64_t r = 0; r < m; ++r) {
      for (int32_t c = 0; c < n; ++c) {
        double acc = has_bias ? bias[c] : 0.0;
        for (int32_t j = 0; j < k; ++j)
          acc += static_cast<double>(a[r * k + j]) *
                 w[static_cast<size_t>(c) * k + j];
        const float v = std::min(std::max(static_cast<float>(acc), lo), hi);
        expect[r * n + c] = v;
        scale = std::max(scale, static_cast<double>(std::fabs(v)));
      }
    }
    const double tol = 1e-5 * std::sqrt(static_cast<double>(k)) * scale;
    for (int32_t block : {1, 4}) {
      if (block == 4 && k % 4 != 0) continue;
      std::vector<uint8_t> mem(x86::PackedSpmmF32Bytes(w.data(), n, k, block));
      const x86::SpmmF32Matrix mat = x86::PackSpmmF32(
          w.data(), has_bias ? bias.data() : nullptr, n, k, block, mem.data());
      for (kernels::Isa isa : isas) {
        const x86::SpmmF32Kernel kern =
            *kernels::EntryFor(x86::SpmmF32Kernels(), isa);
        for (int threads = 1; threads <= 3; ++threads) {
          ThreadPool pool(threads);
          pool.set_split_small_work(true);  // small test shapes: split anyway
          std::vector<float> scratch(threads * x86::SpmmScratchFloats(k, n));
          std::vector<float> got(expect.size(), 12345.0f);
          x86::RunSpmmF32(&pool, threads, kern, mat, a.data(), k, m, got.data(),
                          n, lo, hi, scratch.data());
          double worst = 0.0;
          for (size_t j = 0; j < got.size(); ++j)
            worst = std::max(
                worst, std::fabs(static_cast<double>(expect[j]) - got[j]));
          ASSERT_LE(worst, tol) << kern.function << " block " << block
                                << " case " << i << " threads " << threads
                                << " m " << m << " n " << n << " k " << k;
        }
      }
    }
  }
}

TEST(SpmmF32, ChoosesBlockFromSparsity) {
  Rand rng(3);
  const auto dense = rng.Floats(64 * 64);
  EXPECT_EQ(
      x86::ChooseSparseBlock(x86::MeasureSparsity(dense.data(), 64, 64), 0.5),
      0);
  const auto b14 = SparseWeights(rng, 64, 64, Pattern::kBlocks1x4, 0.75);
  EXPECT_EQ(
      x86::ChooseSparseBlock(x86::MeasureSparsity(b14.data(), 64, 64), 0.5), 4);
  const auto b41 = SparseWeights(rng, 64, 64, Pattern::kBlocks4x1, 0.8);
  EXPECT_EQ(
      x86::ChooseSparseBlock(x86::MeasureSparsity(b41.data(), 64, 64), 0.5), 1);
}

// x [2, 6, 7, 24] -> 1x1 conv (pruned, 40 out) -> reshape-free FC over the
// channels (keep_num_dims) with pruned [16, 40] weights.
std::vector<uint8_t> PrunedNet(double sparsity) {
  testing::ModelBuilder b;
  Rand rng(9);
  const auto f32 = fb::TensorType::FLOAT32;
  const int x = b.AddTensor(f32, {2, 6, 7, 24}, "x");
  const int f1 = b.AddConstant<float>(
      f32, {40, 1, 1, 24},
      SparseWeights(rng, 40, 24, Pattern::kBlocks1x4, sparsity), "f1");
  const int b1 = b.AddConstant<float>(f32, {40}, rng.Floats(40), "b1");
  const int y1 = b.AddTensor(f32, {}, "y1");
  const int f2 = b.AddConstant<float>(
      f32, {16, 40}, SparseWeights(rng, 16, 40, Pattern::kBlocks1x4, sparsity),
      "f2");
  const int y2 = b.AddTensor(f32, {}, "y2");
  {
    fb::Conv2DOptionsT opt;
    opt.padding = fb::Padding::VALID;
    opt.stride_h = opt.stride_w = 1;
    opt.fused_activation_function = fb::ActivationFunctionType::RELU6;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f1, b1}, {y1}, std::move(u));
  }
  {
    fb::FullyConnectedOptionsT opt;
    opt.keep_num_dims = true;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {y1, f2, -1}, {y2},
            std::move(u));
  }
  b.SetInputs({x});
  b.SetOutputs({y2});
  return b.Build();
}

struct NetRun {
  std::vector<std::string> variants;
  std::vector<float> output;
};

NetRun RunNet(const std::vector<uint8_t>& bytes, bool force_ref, int threads) {
  NetRun r;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  EXPECT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  InterpreterOptions options;
  options.force_reference_kernels = force_ref;
  options.num_threads = threads;
  options.split_small_work = true;  // small test models: split anyway
  std::unique_ptr<Interpreter> interp;
  EXPECT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                  errors, &interp)
                  .ok())
      << errors.message();
  EXPECT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  for (const Node& n : sg.nodes()) r.variants.push_back(n.kernel_variant);
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  Rand rng(11);
  auto values = rng.Floats(static_cast<size_t>(in.NumElements()));
  std::memcpy(in.data, values.data(), in.bytes);
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  r.output.assign(out.data_as<float>(),
                  out.data_as<float>() + out.NumElements());
  return r;
}

TEST(SpmmF32, PrunedModelsUseSparseKernelAndMatchReference) {
  for (double sparsity : {0.75, 0.0}) {
    const auto bytes = PrunedNet(sparsity);
    const NetRun ref_run = RunNet(bytes, true, 1);
    for (int threads = 1; threads <= 3; ++threads) {
      const NetRun fast = RunNet(bytes, false, threads);
      ASSERT_EQ(fast.variants.size(), 2u);
      // The sparse kernels exist for x86 only; elsewhere (AArch64 NEON)
      // the dense fast path runs and only the numbers are checked.
      if (x86::SelectSpmmF32(kernels::AllowedIsas()) != nullptr) {
        for (const auto& v : fast.variants) {
          EXPECT_EQ(v.find("spmm") != std::string::npos, sparsity > 0.5) << v;
        }
      }
      ASSERT_EQ(fast.output.size(), ref_run.output.size());
      double worst = 0.0, scale = 1.0;
      for (size_t j = 0; j < fast.output.size(); ++j) {
        worst = std::max(worst, std::fabs(static_cast<double>(fast.output[j]) -
                                          ref_run.output[j]));
        scale =
            std::max(scale, static_cast<double>(std::fabs(ref_run.output[j])));
      }
      EXPECT_LE(worst, 1e-5 * std::sqrt(40.0) * scale) << "threads " << threads;
    }
  }
}

}  // namespace
}  // namespace ember
