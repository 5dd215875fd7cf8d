// MediaPipe's TransformTensorBilinear (and its version 1, TransformTensor),
// TransformLandmarks and Landmarks2TransformMatrix. LiteRT has none of them,
// so each is checked against a direct evaluation of its definition written
// here in double precision and in a different form from the op (sample
// points mapped one by one, the four neighbours weighted by their distance,
// the matrix rebuilt from where it sends three points), over random shapes,
// matrices that send samples outside the image, and random landmarks; plus
// properties that need no oracle (an identity transform copies, a 2x
// downscale at pixel centres averages 2x2 blocks). Bad options and hostile
// matrices give errors or zeros, never a crash.
//
// signal_options.h first: it configures flexbuffers.h.
#include "ops/signal_options.h"
// (keep the order)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

float At(const NpyArray& a, int64_t i) {
  float v;
  std::memcpy(&v, a.data.data() + i * sizeof(float), sizeof(float));
  return v;
}

std::vector<float> Floats(const NpyArray& a) {
  std::vector<float> v(a.data.size() / sizeof(float));
  std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  return v;
}

NpyArray F32(std::vector<int64_t> shape, const std::vector<float>& values) {
  return MakeArray<float>(DataType::kFloat32, shape, values);
}

int AddVersionedCustomOp(ModelBuilder& b, const std::string& name,
                         std::vector<int32_t> ins, std::vector<int32_t> outs,
                         std::vector<uint8_t> options, int version) {
  const int op =
      b.AddCustomOp(name, std::move(ins), std::move(outs), std::move(options));
  b.model().operator_codes[b.op(op).opcode_index]->version = version;
  return op;
}

// ---- options ----

std::vector<uint8_t> BilinearOptions(int version, int out_h, int out_w) {
  flexbuffers::Builder fbb;
  const size_t map = fbb.StartMap();
  if (version == 2) {
    fbb.Int("output_height", out_h);
    fbb.Int("output_width", out_w);
  } else {
    fbb.String("mode", "bilinear");
    const size_t v = fbb.StartVector("output_size");
    fbb.Int(out_h);
    fbb.Int(out_w);
    fbb.EndVector(v, /*typed=*/true, /*fixed=*/false);
  }
  fbb.EndMap(map);
  fbb.Finish();
  return fbb.GetBuffer();
}

std::vector<uint8_t> LandmarksV1Options(int dimensions, float scale) {
  flexbuffers::Builder fbb;
  const size_t map = fbb.StartMap();
  fbb.Int("dimensions", dimensions);
  fbb.Float("scale", scale);
  fbb.EndMap(map);
  fbb.Finish();
  return fbb.GetBuffer();
}

struct MatrixV2Spec {
  std::vector<int> subset;
  int left = 0, right = 1;
  float target = 0.0f;
  int out_h = 8, out_w = 8;
  float scale_x = 1.0f, scale_y = 1.0f;
};

std::vector<uint8_t> MatrixV2Options(const MatrixV2Spec& s,
                                     const std::string& drop = "") {
  flexbuffers::Builder fbb;
  const size_t map = fbb.StartMap();
  if (drop != "subset_idxs") {
    const size_t v = fbb.StartVector("subset_idxs");
    for (int i : s.subset) fbb.Int(i);
    fbb.EndVector(v, /*typed=*/true, /*fixed=*/false);
  }
  if (drop != "left_rotation_idx") fbb.Int("left_rotation_idx", s.left);
  if (drop != "right_rotation_idx") fbb.Int("right_rotation_idx", s.right);
  if (drop != "target_rotation_radians")
    fbb.Float("target_rotation_radians", s.target);
  if (drop != "output_height") fbb.Int("output_height", s.out_h);
  if (drop != "output_width") fbb.Int("output_width", s.out_w);
  if (drop != "scale_x") fbb.Float("scale_x", s.scale_x);
  if (drop != "scale_y") fbb.Float("scale_y", s.scale_y);
  fbb.EndMap(map);
  fbb.Finish();
  return fbb.GetBuffer();
}

struct MatrixV1Spec {
  std::vector<int> subset;
  int left = 0, right = 1;
  int in_h = 64, in_w = 48, out_h = 16, out_w = 12;
  int range = 192;
  float multiplier = 1.5f;
};

std::vector<uint8_t> MatrixV1Options(const MatrixV1Spec& s) {
  flexbuffers::Builder fbb;
  const size_t map = fbb.StartMap();
  auto pair = [&](const char* key, int a, int b) {
    const size_t v = fbb.StartVector(key);
    fbb.Int(a);
    fbb.Int(b);
    fbb.EndVector(v, true, false);
  };
  pair("input_hw", s.in_h, s.in_w);
  pair("output_hw", s.out_h, s.out_w);
  fbb.Int("dimensions", 3);
  fbb.Int("landmarks_range", s.range);
  fbb.Float("bbox_size_multiplier", s.multiplier);
  fbb.Int("left_rotation_idx", s.left);
  fbb.Int("right_rotation_idx", s.right);
  const size_t v = fbb.StartVector("subset");
  for (int i : s.subset) fbb.Int(i);
  fbb.EndVector(v, true, false);
  fbb.EndMap(map);
  fbb.Finish();
  return fbb.GetBuffer();
}

// ---- TransformTensorBilinear ----

struct BilinearSpec {
  int n, h, w, c, out_h, out_w, version;
  bool per_batch;
};

std::vector<uint8_t> BilinearModel(const BilinearSpec& s,
                                   std::vector<uint8_t> options) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {s.n, s.h, s.w, s.c}, "x");
  const int m = b.AddTensor(kF32, {s.per_batch ? s.n : 1, 4, 4}, "matrix");
  const int y = b.AddTensor(kF32, {s.n, s.out_h, s.out_w, s.c}, "y");
  AddVersionedCustomOp(
      b, s.version == 2 ? "TransformTensorBilinear" : "TransformTensor", {x, m},
      {y}, std::move(options), s.version);
  b.SetInputs({x, m});
  b.SetOutputs({y});
  return b.Build();
}

// The definition, point by point: output pixel (ox, oy) reads the input at
// p = M (ox, oy, 0, 1) (version 2: p = M (ox + 1/2, oy + 1/2, 0, 1) - 1/2);
// a p outside [0, W-1] x [0, H-1] gives 0; inside, each of the four pixels
// around p contributes with weight (1 - |dx|)(1 - |dy|), pixels past the
// last row or column counting as 0.
std::vector<double> BilinearOracle(const BilinearSpec& s,
                                   const std::vector<float>& x,
                                   const std::vector<float>& m) {
  std::vector<double> y(static_cast<size_t>(s.n) * s.out_h * s.out_w * s.c);
  for (int b = 0; b < s.n; ++b) {
    const float* mb = m.data() + (s.per_batch ? 16 * b : 0);
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox) {
        const double shift = s.version == 2 ? 0.5 : 0.0;
        const double qx = ox + shift, qy = oy + shift;
        const double px =
            double{mb[0]} * qx + double{mb[1]} * qy + mb[3] - shift;
        const double py =
            double{mb[4]} * qx + double{mb[5]} * qy + mb[7] - shift;
        const bool inside =
            px >= 0 && px <= s.w - 1 && py >= 0 && py <= s.h - 1;
        for (int ch = 0; ch < s.c; ++ch) {
          double v = 0;
          if (inside) {
            for (int iy = static_cast<int>(std::floor(py));
                 iy <= static_cast<int>(std::floor(py)) + 1; ++iy)
              for (int ix = static_cast<int>(std::floor(px));
                   ix <= static_cast<int>(std::floor(px)) + 1; ++ix) {
                if (iy >= s.h || ix >= s.w) continue;
                const double wgt =
                    (1 - std::abs(px - ix)) * (1 - std::abs(py - iy));
                v += wgt *
                     x[((static_cast<size_t>(b) * s.h + iy) * s.w + ix) * s.c +
                       ch];
              }
          }
          y[((static_cast<size_t>(b) * s.out_h + oy) * s.out_w + ox) * s.c +
            ch] = v;
        }
      }
  }
  return y;
}

// A random affine matrix: rotation, anisotropic scale and a shift that
// sends part (sometimes all) of the crop outside the image.
std::vector<float> RandomAffine(Rng& rng, int h, int w) {
  const float angle = rng.Float(-3.2f, 3.2f);
  const float sx = rng.Float(0.2f, 2.5f), sy = rng.Float(0.2f, 2.5f);
  const float tx = rng.Float(-0.5f * w, 1.2f * w);
  const float ty = rng.Float(-0.5f * h, 1.2f * h);
  const float c = std::cos(angle), s = std::sin(angle);
  return {c * sx,
          -s * sy,
          rng.Float(-1, 1),
          tx,
          s * sx,
          c * sy,
          rng.Float(-1, 1),
          ty,
          0,
          0,
          1,
          0,
          0,
          0,
          0,
          1};
}

TEST(MediaPipeTransforms, BilinearMatchesDirectSampling) {
  Rng rng(141);
  int outside = 0, total = 0;
  for (int i = 0; i < 60; ++i) {
    BilinearSpec s;
    s.version = i % 3 == 0 ? 1 : 2;
    s.n = rng.Int(1, 2);
    s.h = rng.Int(1, 9);
    s.w = rng.Int(1, 9);
    s.c = rng.Int(1, 4);
    s.out_h = rng.Int(1, 8);
    s.out_w = rng.Int(1, 8);
    s.per_batch = s.n > 1 && rng.Bool();
    const NpyArray x = RandomInput(kF32, {s.n, s.h, s.w, s.c}, rng.Seed());
    std::vector<float> m;
    for (int b = 0; b < (s.per_batch ? s.n : 1); ++b) {
      const auto mb = RandomAffine(rng, s.h, s.w);
      m.insert(m.end(), mb.begin(), mb.end());
    }
    const auto got =
        RunEmber(BilinearModel(s, BilinearOptions(s.version, s.out_h, s.out_w)),
                 {x, F32({s.per_batch ? s.n : 1, 4, 4}, m)});
    const std::string name =
        "case " + std::to_string(i) + " v" + std::to_string(s.version);
    ASSERT_TRUE(got.ok) << name << ": " << got.error;
    ASSERT_EQ(got.outputs[0].shape,
              (std::vector<int64_t>{s.n, s.out_h, s.out_w, s.c}))
        << name;
    const auto want = BilinearOracle(s, Floats(x), m);
    for (size_t k = 0; k < want.size(); ++k) {
      ++total;
      if (want[k] == 0.0) ++outside;
      ASSERT_NEAR(At(got.outputs[0], static_cast<int64_t>(k)), want[k], 2e-5)
          << name << " element " << k;
    }
  }
  // The matrices must exercise both sides of the image border.
  EXPECT_GT(outside, total / 10);
  EXPECT_LT(outside, total * 9 / 10);
}

TEST(MediaPipeTransforms, BilinearIdentityCopiesAndHalfScaleAveragesBlocks) {
  const BilinearSpec same{1, 6, 8, 3, 6, 8, 2, false};
  const NpyArray x = RandomInput(kF32, {1, 6, 8, 3}, 9);
  const std::vector<float> identity = {1, 0, 0, 0, 0, 1, 0, 0,
                                       0, 0, 1, 0, 0, 0, 0, 1};
  auto got = RunEmber(BilinearModel(same, BilinearOptions(2, 6, 8)),
                      {x, F32({1, 4, 4}, identity)});
  ASSERT_TRUE(got.ok) << got.error;
  EXPECT_EQ(Floats(got.outputs[0]), Floats(x));
  // On the last column the right neighbour does not exist and must not be
  // read (here it would be the next batch's first pixel, an infinity that
  // turns its zero weight into NaN).
  {
    const BilinearSpec row{2, 1, 4, 1, 1, 4, 2, false};
    const NpyArray two_rows =
        F32({2, 1, 4, 1},
            {1, 2, 3, 4, std::numeric_limits<float>::infinity(), 6, 7, 8});
    const auto copy = RunEmber(BilinearModel(row, BilinearOptions(2, 1, 4)),
                               {two_rows, F32({1, 4, 4}, identity)});
    ASSERT_TRUE(copy.ok) << copy.error;
    EXPECT_EQ(Floats(copy.outputs[0]), Floats(two_rows));
  }
  // Version 2 samples pixel centres: a 2x downscale lands between the four
  // pixels of each 2x2 block, so each output is their mean.
  const BilinearSpec half{1, 6, 8, 3, 3, 4, 2, false};
  const std::vector<float> twice = {2, 0, 0, 0, 0, 2, 0, 0,
                                    0, 0, 1, 0, 0, 0, 0, 1};
  got = RunEmber(BilinearModel(half, BilinearOptions(2, 3, 4)),
                 {x, F32({1, 4, 4}, twice)});
  ASSERT_TRUE(got.ok) << got.error;
  const auto in = Floats(x);
  for (int oy = 0; oy < 3; ++oy)
    for (int ox = 0; ox < 4; ++ox)
      for (int ch = 0; ch < 3; ++ch) {
        double sum = 0;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx)
            sum += in[((2 * oy + dy) * 8 + 2 * ox + dx) * 3 + ch];
        EXPECT_NEAR(At(got.outputs[0], (oy * 4 + ox) * 3 + ch), sum / 4, 1e-6)
            << oy << "," << ox << "," << ch;
      }
}

TEST(MediaPipeTransforms, BilinearHostileMatricesGiveZeros) {
  const BilinearSpec s{1, 4, 4, 2, 3, 3, 2, false};
  const NpyArray x = RandomInput(kF32, {1, 4, 4, 2}, 3);
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const std::vector<float>& m : std::vector<std::vector<float>>{
           {nan, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1},
           {1, 0, inf, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1},
           {1e30f, 0, 0, -1e30f, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1},
           {1, 0, 0, 3e9f, 0, 1, 0, -3e9f, 0, 0, 1, 0, 0, 0, 0, 1}}) {
    const auto got = RunEmber(BilinearModel(s, BilinearOptions(2, 3, 3)),
                              {x, F32({1, 4, 4}, m)});
    ASSERT_TRUE(got.ok) << got.error;
    for (int64_t k = 0; k < 18; ++k) {
      EXPECT_EQ(At(got.outputs[0], k), 0.0f) << k;
    }
  }
}

// ---- TransformLandmarks ----

TEST(MediaPipeTransforms, LandmarksMatchDirectTransform) {
  Rng rng(142);
  for (int i = 0; i < 40; ++i) {
    const int version = i % 2 + 1;
    const int dims = rng.Int(2, 3);
    const int n = rng.Int(1, 2);
    const bool per_batch = n > 1 && rng.Bool();
    std::vector<int32_t> shape;
    std::vector<uint8_t> options;
    float scale = 1.0f;
    if (version == 1) {
      scale = rng.Bool() ? 1.0f : rng.Float(0.25f, 4.0f);
      shape = {n, rng.Int(1, 3), rng.Int(1, 3), dims * rng.Int(1, 5)};
      options = LandmarksV1Options(dims, scale);
    } else {
      shape = {n, rng.Int(1, 30), dims};
    }
    ModelBuilder b;
    const int lm = b.AddTensor(kF32, shape, "landmarks");
    const int m = b.AddTensor(kF32, {per_batch ? n : 1, 4, 4}, "matrix");
    const int y = b.AddTensor(kF32, shape, "y");
    AddVersionedCustomOp(b, "TransformLandmarks", {lm, m}, {y}, options,
                         version);
    b.SetInputs({lm, m});
    b.SetOutputs({y});
    const NpyArray x = RandomInput(kF32, shape, rng.Seed());
    std::vector<float> mat;
    for (int k = 0; k < (per_batch ? n : 1); ++k) {
      const auto mk = RandomAffine(rng, 100, 100);
      mat.insert(mat.end(), mk.begin(), mk.end());
    }
    const auto got =
        RunEmber(b.Build(), {x, F32({per_batch ? n : 1, 4, 4}, mat)});
    ASSERT_TRUE(got.ok) << "case " << i << ": " << got.error;
    const auto in = Floats(x);
    const size_t per = in.size() / n;
    for (size_t k = 0; k < in.size(); k += dims) {
      const float* mk = mat.data() + (per_batch ? 16 * (k / per) : 0);
      const double wx = double{mk[0]} * in[k] + double{mk[1]} * in[k + 1] +
                        double{mk[3]} * scale;
      const double wy = double{mk[4]} * in[k] + double{mk[5]} * in[k + 1] +
                        double{mk[7]} * scale;
      const double tol = 1e-5 * (1 + std::abs(wx) + std::abs(wy));
      ASSERT_NEAR(At(got.outputs[0], k), wx, tol) << "case " << i << " " << k;
      ASSERT_NEAR(At(got.outputs[0], k + 1), wy, tol) << "case " << i;
      if (dims == 3) {
        ASSERT_EQ(At(got.outputs[0], k + 2), in[k + 2]) << "case " << i;
      }
    }
  }
}

// ---- Landmarks2TransformMatrix ----

std::vector<float> RandomFace(Rng& rng, int count) {
  // Landmarks spread over a tilted ellipse in a 256-pixel image.
  std::vector<float> lm;
  const float tilt = rng.Float(-1.2f, 1.2f);
  const float cx = rng.Float(60, 190), cy = rng.Float(60, 190);
  for (int i = 0; i < count; ++i) {
    const float a = rng.Float(0, 6.3f), r = rng.Float(0.2f, 1.0f);
    const float ex = 50 * r * std::cos(a), ey = 70 * r * std::sin(a);
    lm.push_back(cx + ex * std::cos(tilt) - ey * std::sin(tilt));
    lm.push_back(cy + ex * std::sin(tilt) + ey * std::cos(tilt));
    lm.push_back(rng.Float(-20, 20));
  }
  return lm;
}

std::vector<int> RandomSubset(Rng& rng, int count) {
  std::vector<int> subset;
  const int k = rng.Int(1, 12);
  for (int i = 0; i < k; ++i) subset.push_back(rng.Int(0, count - 1));
  return subset;
}

// An affine map given as a function of a point, turned into the 4x4 layout
// the op writes (rows x' and y'; z untouched): read off where it sends
// (0, 0), (1, 0) and (0, 1).
template <typename Map>
std::vector<double> AffineOf(Map map) {
  double o[2], ex[2], ey[2];
  map(0.0, 0.0, o);
  map(1.0, 0.0, ex);
  map(0.0, 1.0, ey);
  return {ex[0] - o[0],
          ey[0] - o[0],
          0,
          o[0],
          ex[1] - o[1],
          ey[1] - o[1],
          0,
          o[1],
          0,
          0,
          1,
          0,
          0,
          0,
          0,
          1};
}

std::vector<double> MatrixV2Oracle(const MatrixV2Spec& s,
                                   const std::vector<float>& lm) {
  auto xy = [&](int i) {
    return std::pair<double, double>{lm[3 * i], lm[3 * i + 1]};
  };
  const auto [lx, ly] = xy(s.left);
  const auto [rx, ry] = xy(s.right);
  // Turning by `rot` makes the left-to-right line point at the target.
  const double rot = s.target - std::atan2(ry - ly, rx - lx);
  double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
  for (int i : s.subset) {
    const auto [px, py] = xy(i);
    const double qx = std::cos(rot) * px - std::sin(rot) * py;
    const double qy = std::sin(rot) * px + std::cos(rot) * py;
    lo_x = std::min(lo_x, qx);
    hi_x = std::max(hi_x, qx);
    lo_y = std::min(lo_y, qy);
    hi_y = std::max(hi_y, qy);
  }
  // Crop pixel (x, y): its offset from the crop centre, scaled to the box
  // (box size / crop size, times scale_x/y) in the turned frame, turned
  // back, added to the box centre turned back.
  return AffineOf([&](double x, double y, double* out) {
    const double u = (x - s.out_w / 2.0) * s.scale_x * (hi_x - lo_x) / s.out_w +
                     (hi_x + lo_x) / 2;
    const double v = (y - s.out_h / 2.0) * s.scale_y * (hi_y - lo_y) / s.out_h +
                     (hi_y + lo_y) / 2;
    out[0] = std::cos(rot) * u + std::sin(rot) * v;
    out[1] = -std::sin(rot) * u + std::cos(rot) * v;
  });
}

std::vector<uint8_t> MatrixModel(std::vector<int32_t> shape,
                                 std::vector<uint8_t> options, int version) {
  ModelBuilder b;
  const int lm = b.AddTensor(kF32, shape, "landmarks");
  const int y = b.AddTensor(kF32, {1, 4, 4}, "matrix");
  AddVersionedCustomOp(b, "Landmarks2TransformMatrix", {lm}, {y},
                       std::move(options), version);
  b.SetInputs({lm});
  b.SetOutputs({y});
  return b.Build();
}

void ExpectMatrixNear(const NpyArray& got, const std::vector<double>& want,
                      const std::string& name) {
  ASSERT_EQ(got.shape, (std::vector<int64_t>{1, 4, 4})) << name;
  double scale = 1;
  for (double v : want) scale = std::max(scale, std::abs(v));
  for (int k = 0; k < 16; ++k) {
    EXPECT_NEAR(At(got, k), want[k], 2e-5 * scale) << name << " entry " << k;
  }
}

TEST(MediaPipeTransforms, MatrixV2MatchesTheBoxItDescribes) {
  Rng rng(143);
  for (int i = 0; i < 40; ++i) {
    const int count = rng.Int(2, 40);
    MatrixV2Spec s;
    s.subset = RandomSubset(rng, count);
    s.left = rng.Int(0, count - 1);
    do {
      s.right = rng.Int(0, count - 1);
    } while (s.right == s.left);
    s.target = rng.Bool() ? 0.0f : rng.Float(-3.1f, 3.1f);
    s.out_h = rng.Int(16, 256);
    s.out_w = rng.Int(16, 256);
    s.scale_x = rng.Float(0.5f, 2.0f);
    s.scale_y = rng.Float(0.5f, 2.0f);
    const auto lm = RandomFace(rng, count);
    const auto got = RunEmber(MatrixModel({1, count, 3}, MatrixV2Options(s), 2),
                              {F32({1, count, 3}, lm)});
    ASSERT_TRUE(got.ok) << "case " << i << ": " << got.error;
    ExpectMatrixNear(got.outputs[0], MatrixV2Oracle(s, lm),
                     "case " + std::to_string(i));
  }
}

std::vector<double> MatrixV1Oracle(const MatrixV1Spec& s,
                                   const std::vector<float>& lm) {
  auto xy = [&](int i) {
    return std::pair<double, double>{lm[3 * i], lm[3 * i + 1]};
  };
  const auto [lx, ly] = xy(s.left);
  const auto [rx, ry] = xy(s.right);
  const double alpha = -std::atan((ry - ly) / (rx - lx));
  double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
  for (int i : s.subset) {
    const auto [px, py] = xy(i);
    const double qx = std::cos(alpha) * px - std::sin(alpha) * py;
    const double qy = std::sin(alpha) * px + std::cos(alpha) * py;
    lo_x = std::min(lo_x, qx);
    hi_x = std::max(hi_x, qx);
    lo_y = std::min(lo_y, qy);
    hi_y = std::max(hi_y, qy);
  }
  const double cx = (hi_x + lo_x) / 2, cy = (hi_y + lo_y) / 2;
  // Box centre back in the landmarks' frame, in [-1, 1] units of the range.
  const double bx = (std::cos(alpha) * cx + std::sin(alpha) * cy) / s.range;
  const double by = (-std::sin(alpha) * cx + std::cos(alpha) * cy) / s.range;
  return AffineOf([&](double x, double y, double* out) {
    // Crop pixel -> [-1, 1] -> box size (range units) -> turned back and
    // centred -> input pixels.
    const double u =
        (2 * x / (s.out_w - 1) - 1) * (hi_x - lo_x) * s.multiplier / s.range;
    const double v =
        (2 * y / (s.out_h - 1) - 1) * (hi_y - lo_y) * s.multiplier / s.range;
    const double gx = std::cos(alpha) * u + std::sin(alpha) * v + 2 * bx - 1;
    const double gy = -std::sin(alpha) * u + std::cos(alpha) * v + 2 * by - 1;
    out[0] = (gx + 1) * (s.in_w - 1) / 2;
    out[1] = (gy + 1) * (s.in_h - 1) / 2;
  });
}

TEST(MediaPipeTransforms, MatrixV1MatchesTheBoxItDescribes) {
  Rng rng(144);
  for (int i = 0; i < 40; ++i) {
    const int count = rng.Int(2, 40);
    MatrixV1Spec s;
    s.subset = RandomSubset(rng, count);
    s.left = rng.Int(0, count - 1);
    do {
      s.right = rng.Int(0, count - 1);
    } while (s.right == s.left);
    s.in_h = rng.Int(2, 300);
    s.in_w = rng.Int(2, 300);
    s.out_h = rng.Int(2, 64);
    s.out_w = rng.Int(2, 64);
    s.range = rng.Int(64, 300);
    s.multiplier = rng.Float(0.5f, 2.5f);
    const auto lm = RandomFace(rng, count);
    const auto got =
        RunEmber(MatrixModel({1, 1, 1, 3 * count}, MatrixV1Options(s), 1),
                 {F32({1, 1, 1, 3 * count}, lm)});
    ASSERT_TRUE(got.ok) << "case " << i << ": " << got.error;
    ExpectMatrixNear(got.outputs[0], MatrixV1Oracle(s, lm),
                     "case " + std::to_string(i));
  }
}

// The attention mesh's pattern: a matrix from landmarks, a crop of a
// feature map by it, and landmarks predicted in the crop mapped back by the
// same matrix. A crop that is the whole image (the box of the image's
// corners, no rotation) maps back onto itself.
std::vector<uint8_t> ChainModel() {
  ModelBuilder b;
  const int lm = b.AddTensor(kF32, {1, 4, 3}, "landmarks");
  const int image = b.AddTensor(kF32, {1, 8, 8, 2}, "image");
  const int crop_lm = b.AddTensor(kF32, {1, 3, 3}, "crop_landmarks");
  const int m = b.AddTensor(kF32, {1, 4, 4}, "matrix");
  const int crop = b.AddTensor(kF32, {1, 8, 8, 2}, "crop");
  const int back = b.AddTensor(kF32, {1, 3, 3}, "landmarks_back");
  MatrixV2Spec s;
  s.subset = {0, 1, 2, 3};
  s.left = 0;
  s.right = 1;
  s.out_h = s.out_w = 8;
  AddVersionedCustomOp(b, "Landmarks2TransformMatrix", {lm}, {m},
                       MatrixV2Options(s), 2);
  AddVersionedCustomOp(b, "TransformTensorBilinear", {image, m}, {crop},
                       BilinearOptions(2, 8, 8), 2);
  AddVersionedCustomOp(b, "TransformLandmarks", {crop_lm, m}, {back}, {}, 2);
  b.SetInputs({lm, image, crop_lm});
  b.SetOutputs({m, crop, back});
  return b.Build();
}

TEST(MediaPipeTransforms, ChainOfTheThreeCropsAndMapsBack) {
  // Corners of the 8x8 image's pixel area, left-to-right line horizontal.
  const std::vector<float> corners = {0, 0, 0, 8, 0, 0, 0, 8, 0, 8, 8, 0};
  const NpyArray image = RandomInput(kF32, {1, 8, 8, 2}, 21);
  const std::vector<float> crop_lm = {1.5f, 2.0f, 7, 4, 5, -1, 0, 8, 0.5f};
  const auto got = RunEmber(
      ChainModel(), {F32({1, 4, 3}, corners), image, F32({1, 3, 3}, crop_lm)});
  ASSERT_TRUE(got.ok) << got.error;
  ExpectMatrixNear(got.outputs[0],
                   {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1},
                   "identity");
  const auto crop = Floats(got.outputs[1]);
  const auto in = Floats(image);
  for (size_t k = 0; k < in.size(); ++k) EXPECT_NEAR(crop[k], in[k], 1e-5) << k;
  for (int k = 0; k < 9; ++k) {
    EXPECT_NEAR(At(got.outputs[2], k), crop_lm[k], 1e-5) << k;
  }
}

// ---- bad models ----

void ExpectError(const std::vector<uint8_t>& model,
                 const std::vector<NpyArray>& inputs,
                 const std::string& words) {
  const auto got = RunEmber(model, inputs);
  EXPECT_FALSE(got.ok) << "expected an error with: " << words;
  EXPECT_NE(got.error.find(words), std::string::npos) << got.error;
}

TEST(MediaPipeTransforms, BadOptionsAndShapesAreClearErrors) {
  const NpyArray x = RandomInput(kF32, {1, 4, 4, 1}, 5);
  const NpyArray eye =
      F32({1, 4, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  const BilinearSpec s{1, 4, 4, 1, 2, 2, 2, false};
  ExpectError(BilinearModel(s, {}), {x, eye}, "missing custom options");
  {
    flexbuffers::Builder fbb;
    const size_t map = fbb.StartMap();
    fbb.Int("output_height", 2);
    fbb.EndMap(map);
    fbb.Finish();
    ExpectError(BilinearModel(s, fbb.GetBuffer()), {x, eye},
                "'output_width' missing");
  }
  ExpectError(BilinearModel(s, BilinearOptions(2, 0, 2)), {x, eye},
              "'output_height' = 0");
  {
    BilinearSpec v1 = s;
    v1.version = 1;
    flexbuffers::Builder fbb;
    const size_t map = fbb.StartMap();
    fbb.String("mode", "nearest");
    fbb.EndMap(map);
    fbb.Finish();
    ExpectError(BilinearModel(v1, fbb.GetBuffer()), {x, eye}, "'mode'");
  }
  BilinearSpec v3 = s;
  v3.version = 3;
  ExpectError(BilinearModel(v3, BilinearOptions(2, 2, 2)), {x, eye},
              "version 3");
  ExpectError(BilinearModel(s, BilinearOptions(2, 2, 2)),
              {x, F32({1, 3, 3}, std::vector<float>(9, 1.0f))},
              "matrix must hold 16 floats");
  ExpectError(BilinearModel(s, {1, 2, 3, 4}), {x, eye},
              "custom options are not a");

  // TransformLandmarks: v2 wants [batch, count, 2 or 3].
  {
    ModelBuilder b;
    const int lm = b.AddTensor(kF32, {1, 5, 4}, "landmarks");
    const int m = b.AddTensor(kF32, {1, 4, 4}, "matrix");
    const int y = b.AddTensor(kF32, {1, 5, 4}, "y");
    AddVersionedCustomOp(b, "TransformLandmarks", {lm, m}, {y}, {}, 2);
    b.SetInputs({lm, m});
    b.SetOutputs({y});
    ExpectError(b.Build(), {RandomInput(kF32, {1, 5, 4}, 1), eye},
                "the last dimension is 4");
  }
  {
    ModelBuilder b;
    const int lm = b.AddTensor(kF32, {1, 1, 1, 7}, "landmarks");
    const int m = b.AddTensor(kF32, {1, 4, 4}, "matrix");
    const int y = b.AddTensor(kF32, {1, 1, 1, 7}, "y");
    AddVersionedCustomOp(b, "TransformLandmarks", {lm, m}, {y},
                         LandmarksV1Options(3, 1.0f), 1);
    b.SetInputs({lm, m});
    b.SetOutputs({y});
    ExpectError(b.Build(), {RandomInput(kF32, {1, 1, 1, 7}, 1), eye},
                "not a multiple of 'dimensions' 3");
  }

  // Landmarks2TransformMatrix: every field is named when missing, indices
  // must name a landmark.
  MatrixV2Spec m2;
  m2.subset = {0, 1, 2};
  const NpyArray lm = F32({1, 3, 3}, {0, 0, 0, 4, 1, 0, 2, 5, 0});
  for (const char* field :
       {"subset_idxs", "left_rotation_idx", "right_rotation_idx",
        "target_rotation_radians", "output_height", "output_width", "scale_x",
        "scale_y"}) {
    ExpectError(MatrixModel({1, 3, 3}, MatrixV2Options(m2, field), 2), {lm},
                std::string("'") + field + "' missing");
  }
  MatrixV2Spec bad = m2;
  bad.subset = {0, 3};
  ExpectError(MatrixModel({1, 3, 3}, MatrixV2Options(bad), 2), {lm},
              "'subset_idxs'[1] = 3 outside [0, 2]");
  bad = m2;
  bad.right = -1;
  ExpectError(MatrixModel({1, 3, 3}, MatrixV2Options(bad), 2), {lm},
              "'right_rotation_idx' = -1");
  bad = m2;
  bad.subset = {};
  ExpectError(MatrixModel({1, 3, 3}, MatrixV2Options(bad), 2), {lm},
              "'subset_idxs' is empty");
  bad = m2;
  bad.scale_x = 0;
  ExpectError(MatrixModel({1, 3, 3}, MatrixV2Options(bad), 2), {lm},
              "'scale_x' = 0");
  ExpectError(MatrixModel({1, 1, 1, 9}, MatrixV2Options(m2), 2),
              {F32({1, 1, 1, 9}, std::vector<float>(9, 0.0f))},
              "landmarks must have rank 3, got 4");
  MatrixV1Spec m1;
  m1.subset = {0, 1};
  m1.out_w = 1;
  ExpectError(MatrixModel({1, 1, 1, 9}, MatrixV1Options(m1), 1),
              {F32({1, 1, 1, 9}, std::vector<float>(9, 0.0f))},
              "'output_hw'[1] = 1 outside [2, 65536]");
}

// Degenerate landmarks (all equal, so the box is empty and the rotation
// line has no direction) give a finite or NaN matrix, not a crash.
TEST(MediaPipeTransforms, DegenerateLandmarksDoNotCrash) {
  MatrixV2Spec s;
  s.subset = {0, 1, 2};
  const auto got = RunEmber(MatrixModel({1, 3, 3}, MatrixV2Options(s), 2),
                            {F32({1, 3, 3}, std::vector<float>(9, 2.0f))});
  ASSERT_TRUE(got.ok) << got.error;
  // atan2(0, 0) = 0: no rotation, zero box, the matrix sends everything to
  // the landmark.
  EXPECT_EQ(At(got.outputs[0], 3), 2.0f);
  EXPECT_EQ(At(got.outputs[0], 7), 2.0f);
}

}  // namespace
}  // namespace ember
