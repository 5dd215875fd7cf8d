// MediaPipe's MaxPoolingWithArgmax2D and MaxUnpooling2D. LiteRT lacks both,
// so (1) the pooled values are checked bit-exact against LiteRT's
// MAX_POOL_2D with the same window, strides, padding and activation, (2) the
// indices against a direct search of each window written here (the first
// maximum in row-major order), and (3) the unpool of the pool, for windows
// that tile the input, against "each input value that is the first maximum
// of its window, zeros elsewhere". Bad options and hostile indices give
// errors or are skipped, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

struct PoolSpec {
  int n, h, w, c, fh, fw, sh, sw, act;
  bool same;
  int oh() const { return same ? (h + sh - 1) / sh : (h - fh + sh) / sh; }
  int ow() const { return same ? (w + sw - 1) / sw : (w - fw + sw) / sw; }
  int pad_top() const { return std::max(0, ((oh() - 1) * sh + fh - h) / 2); }
  int pad_left() const { return std::max(0, ((ow() - 1) * sw + fw - w) / 2); }
};

std::vector<uint8_t> PoolOptions(const PoolSpec& s) {
  // TfLitePoolParams: padding, stride_w, stride_h, filter_w, filter_h,
  // activation, then the runtime's computed padding (4 int32).
  const int32_t fields[10] = {s.same ? 1 : 2, s.sw, s.sh, s.fw, s.fh,
                              s.act,          0,    0,    0,    0};
  std::vector<uint8_t> bytes(sizeof(fields));
  std::memcpy(bytes.data(), fields, sizeof(fields));
  return bytes;
}

PoolSpec RandomSpec(Rng& rng, bool tiling) {
  PoolSpec s;
  s.n = rng.Int(1, 2);
  s.c = rng.Int(1, 5);
  s.fh = rng.Int(1, 3);
  s.fw = rng.Int(1, 3);
  if (tiling) {  // windows that tile the input exactly, as in U-Nets
    s.sh = s.fh;
    s.sw = s.fw;
    s.h = s.fh * rng.Int(1, 5);
    s.w = s.fw * rng.Int(1, 5);
    s.same = false;
  } else {
    s.sh = rng.Int(1, 3);
    s.sw = rng.Int(1, 3);
    s.h = rng.Int(s.fh, 9);
    s.w = rng.Int(s.fw, 9);
    s.same = rng.Bool();
  }
  const int acts[3] = {0, 1, 3};  // NONE, RELU, RELU6
  s.act = acts[rng.Int(0, 2)];
  return s;
}

// MaxPoolingWithArgmax2D, then MaxUnpooling2D when `unpool`; outputs the
// pooled values, the indices (unless `pooled_only`) and the unpooled map.
std::vector<uint8_t> ArgmaxModel(const PoolSpec& s, bool unpool,
                                 bool pooled_only = false) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {s.n, s.h, s.w, s.c}, "x");
  const int y = b.AddTensor(kF32, {s.n, s.oh(), s.ow(), s.c}, "y");
  const int idx = b.AddTensor(kF32, {s.n, s.oh(), s.ow(), s.c}, "indices");
  b.AddCustomOp("MaxPoolingWithArgmax2D", {x}, {y, idx}, PoolOptions(s));
  b.SetInputs({x});
  if (unpool) {
    const int z =
        b.AddTensor(kF32, {s.n, s.oh() * s.fh, s.ow() * s.fw, s.c}, "unpooled");
    b.AddCustomOp("MaxUnpooling2D", {y, idx}, {z}, PoolOptions(s));
    b.SetOutputs({y, idx, z});
  } else if (pooled_only) {
    b.SetOutputs({y});
  } else {
    b.SetOutputs({y, idx});
  }
  return b.Build();
}

std::vector<uint8_t> LiteRtMaxPool(const PoolSpec& s) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {s.n, s.h, s.w, s.c}, "x");
  const int y = b.AddTensor(kF32, {s.n, s.oh(), s.ow(), s.c}, "y");
  fb::Pool2DOptionsT opt;
  opt.padding = s.same ? fb::Padding::SAME : fb::Padding::VALID;
  opt.stride_h = s.sh;
  opt.stride_w = s.sw;
  opt.filter_height = s.fh;
  opt.filter_width = s.fw;
  opt.fused_activation_function =
      static_cast<fb::ActivationFunctionType>(s.act);
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::MAX_POOL_2D, {x}, {y}, std::move(u));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

std::string Name(const PoolSpec& s) {
  return "n" + std::to_string(s.n) + " " + std::to_string(s.h) + "x" +
         std::to_string(s.w) + "x" + std::to_string(s.c) + " f" +
         std::to_string(s.fh) + "x" + std::to_string(s.fw) + " s" +
         std::to_string(s.sh) + "x" + std::to_string(s.sw) +
         (s.same ? " SAME" : " VALID") + " act" + std::to_string(s.act);
}

TEST(MediaPipePooling, PooledValuesMatchLiteRtMaxPool) {
  Rng rng(77);
  std::vector<OpTest> cases;
  for (int i = 0; i < 40; ++i) {
    const PoolSpec s = RandomSpec(rng, i % 4 == 0);
    OpTest t;
    t.name = Name(s);
    t.model = LiteRtMaxPool(s);
    t.ember_model = ArgmaxModel(s, false, /*pooled_only=*/true);
    t.inputs = {RandomInput(kF32, {s.n, s.h, s.w, s.c}, rng.Seed())};
    cases.push_back(std::move(t));
  }
  ExpectMatchesLiteRt(Compared(cases, Tolerance::Exact(),
                               /*litert_reference=*/false));
}

float At(const NpyArray& a, int64_t i) {
  float v;
  std::memcpy(&v, a.data.data() + i * sizeof(float), sizeof(float));
  return v;
}

TEST(MediaPipePooling, IndicesNameTheFirstMaximumOfEachWindow) {
  Rng rng(78);
  for (int i = 0; i < 40; ++i) {
    const PoolSpec s = RandomSpec(rng, i % 4 == 0);
    // Few distinct values, so that ties happen and the first one must win.
    NpyArray x = RandomInput(kF32, {s.n, s.h, s.w, s.c}, rng.Seed());
    for (size_t k = 0; k < x.data.size() / 4; ++k) {
      float v = std::round(At(x, static_cast<int64_t>(k)) * 3.0f);
      std::memcpy(x.data.data() + k * 4, &v, 4);
    }
    const auto got = RunEmber(ArgmaxModel(s, false), {x});
    ASSERT_TRUE(got.ok) << Name(s) << ": " << got.error;
    const NpyArray& idx = got.outputs[1];
    for (int b = 0; b < s.n; ++b)
      for (int oy = 0; oy < s.oh(); ++oy)
        for (int ox = 0; ox < s.ow(); ++ox)
          for (int ch = 0; ch < s.c; ++ch) {
            float best = -std::numeric_limits<float>::infinity();
            int want = -1;
            for (int ky = 0; ky < s.fh; ++ky)
              for (int kx = 0; kx < s.fw; ++kx) {
                const int iy = oy * s.sh - s.pad_top() + ky;
                const int ix = ox * s.sw - s.pad_left() + kx;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                const float v =
                    At(x, ((int64_t{b} * s.h + iy) * s.w + ix) * s.c + ch);
                if (v > best) {
                  best = v;
                  want = ky * s.fw + kx;
                }
              }
            const float f =
                At(idx, ((int64_t{b} * s.oh() + oy) * s.ow() + ox) * s.c + ch);
            ASSERT_EQ(f, static_cast<float>(want) + 0.1f)
                << Name(s) << " at " << b << "," << oy << "," << ox << ","
                << ch;
          }
  }
}

TEST(MediaPipePooling, UnpoolOfPoolKeepsEachWindowsFirstMaximum) {
  Rng rng(79);
  for (int i = 0; i < 30; ++i) {
    PoolSpec s = RandomSpec(rng, true);
    s.act = 0;
    const NpyArray x = RandomInput(kF32, {s.n, s.h, s.w, s.c}, rng.Seed());
    const auto got = RunEmber(ArgmaxModel(s, true), {x});
    ASSERT_TRUE(got.ok) << Name(s) << ": " << got.error;
    const NpyArray& z = got.outputs[2];
    ASSERT_EQ(z.shape, (std::vector<int64_t>{s.n, s.h, s.w, s.c})) << Name(s);
    for (int b = 0; b < s.n; ++b)
      for (int y = 0; y < s.h; ++y)
        for (int xx = 0; xx < s.w; ++xx)
          for (int ch = 0; ch < s.c; ++ch) {
            // Is (y, xx) the first maximum of its (tiling) window?
            const int y0 = y / s.fh * s.fh, x0 = xx / s.fw * s.fw;
            int64_t first = -1;
            float best = -std::numeric_limits<float>::infinity();
            for (int wy = y0; wy < y0 + s.fh; ++wy)
              for (int wx = x0; wx < x0 + s.fw; ++wx) {
                const int64_t k =
                    ((int64_t{b} * s.h + wy) * s.w + wx) * s.c + ch;
                if (At(x, k) > best) {
                  best = At(x, k);
                  first = k;
                }
              }
            const int64_t k = ((int64_t{b} * s.h + y) * s.w + xx) * s.c + ch;
            ASSERT_EQ(At(z, k), k == first ? At(x, k) : 0.0f)
                << Name(s) << " at " << b << "," << y << "," << xx << "," << ch;
          }
  }
}

TEST(MediaPipePooling, HostileIndicesAreSkipped) {
  PoolSpec s{1, 4, 4, 2, 2, 2, 2, 2, 0, false};
  ModelBuilder b;
  const int v = b.AddTensor(kF32, {1, 2, 2, 2}, "values");
  const int idx = b.AddTensor(kF32, {1, 2, 2, 2}, "indices");
  const int z = b.AddTensor(kF32, {1, 4, 4, 2}, "z");
  b.AddCustomOp("MaxUnpooling2D", {v, idx}, {z}, PoolOptions(s));
  b.SetInputs({v, idx});
  b.SetOutputs({z});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> where = {3.1f, -1.0f, 4.0f, 1e30f,
                                    nan,  0.1f,  2.1f, -1e30f};
  const auto got = RunEmber(
      b.Build(), {MakeArray<float>(DataType::kFloat32, {1, 2, 2, 2},
                                   {1, 2, 3, 4, 5, 6, 7, 8}),
                  MakeArray<float>(DataType::kFloat32, {1, 2, 2, 2}, where)});
  ASSERT_TRUE(got.ok) << got.error;
  double sum = 0;
  for (int64_t k = 0; k < 32; ++k) sum += At(got.outputs[0], k);
  // Only 3.1 (value 1), 0.1 (value 6) and 2.1 (value 7) name a place.
  EXPECT_EQ(sum, 1 + 6 + 7);
}

TEST(MediaPipePooling, BadOptionsAreClearErrors) {
  PoolSpec s{1, 4, 4, 1, 2, 2, 2, 2, 0, false};
  auto model_with = [&](std::vector<uint8_t> options) {
    ModelBuilder b;
    const int x = b.AddTensor(kF32, {1, 4, 4, 1}, "x");
    const int y = b.AddTensor(kF32, {1, 2, 2, 1}, "y");
    const int idx = b.AddTensor(kF32, {1, 2, 2, 1}, "indices");
    b.AddCustomOp("MaxPoolingWithArgmax2D", {x}, {y, idx}, std::move(options));
    b.SetInputs({x});
    b.SetOutputs({y, idx});
    return b.Build();
  };
  const NpyArray x = RandomInput(kF32, {1, 4, 4, 1}, 5);
  auto expect_error = [&](std::vector<uint8_t> options, const char* words) {
    const auto got = RunEmber(model_with(std::move(options)), {x});
    EXPECT_FALSE(got.ok);
    EXPECT_NE(got.error.find(words), std::string::npos) << got.error;
  };
  std::vector<uint8_t> good = PoolOptions(s);
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 12),
               "TfLitePoolParams");
  std::vector<uint8_t> bad = good;
  bad[0] = 7;
  expect_error(bad, "padding 7");
  bad = good;
  std::memset(bad.data() + 12, 0, 4);  // filter_w = 0
  expect_error(bad, "must be in [1, 4096]");
  bad = good;
  bad[20] = 9;  // activation
  expect_error(bad, "activation 9");
  PoolSpec big = s;
  big.fh = big.fw = 5;  // VALID 5x5 on 4x4
  expect_error(PoolOptions(big), "does not fit");
}

}  // namespace
}  // namespace ember
