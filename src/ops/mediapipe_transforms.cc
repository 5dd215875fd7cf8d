// MediaPipe's geometric custom ops, used by its attention face mesh
// (face_landmark_with_attention.tflite) and other models that crop a region
// of a feature map by a transform they compute themselves. All float32.
//
//   Landmarks2TransformMatrix: landmarks -> [1, 4, 4] matrix that maps crop
//     pixels to source coordinates (a rotated, scaled box fitted to a subset
//     of the landmarks). Version 1 reads [1, 1, 1, 3K], version 2 [1, K, 3]
//     (x, y, z per landmark; both read with a stride of 3).
//   TransformTensorBilinear (version 2) / TransformTensor (version 1):
//     (data [N, H, W, C], matrix) -> [N, out_h, out_w, C]; output pixel
//     (x, y) samples the data bilinearly at M * (x, y, 0, 1). Version 2
//     samples at pixel centres (M * (x + 0.5, y + 0.5) - 0.5); a sample
//     point outside [0, W - 1] x [0, H - 1] gives 0.
//   TransformLandmarks: (landmarks, matrix) -> landmarks with x, y mapped by
//     the matrix and z kept. Version 1: [N, H, W, C] with C a multiple of
//     `dimensions` and the translation scaled by `scale`; version 2:
//     [N, K, D] with D (2 or 3) landmarks' dimensions.
//
// The matrix is 16 floats, row-major; only rows 0 and 1 are read and column
// 2 multiplies a zero z. One matrix serves every batch, or a matrix input of
// N * 16 floats gives batch b its own (MediaPipe itself only runs batch 1).
//
// Options are FlexBuffers maps (see each Prepare for the fields). As in
// MediaPipe, the version in the operator code picks the variant.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

constexpr int32_t kMaxSide = 1 << 16;
// Landmark indices Landmarks2TransformMatrix's box is fitted to (the face
// mesh uses a few dozen).
constexpr int kMaxSubset = 1024;

Status CheckFloat(OpContext& ctx, const Tensor* t, const char* what, int rank) {
  EMBER_RETURN_IF_ERROR(CheckType(ctx, t, what, DataType::kFloat32));
  if (t->shape.rank != rank) {
    return ctx.Error(StatusCode::kInvalidModel, "%s must have rank %d, got %d",
                     what, rank, static_cast<int>(t->shape.rank));
  }
  return Status::Ok();
}

Status CheckVersion(OpContext& ctx) {
  if (ctx.version() != 1 && ctx.version() != 2) {
    return ctx.Error(StatusCode::kUnsupported,
                     "version %d is not 1 or 2 (the versions MediaPipe has)",
                     static_cast<int>(ctx.version()));
  }
  return Status::Ok();
}

// The matrix input: 16 floats for all batches, or 16 per batch.
Status CheckMatrix(OpContext& ctx, const Tensor* m, int32_t batches,
                   bool* per_batch) {
  EMBER_RETURN_IF_ERROR(CheckType(ctx, m, "matrix", DataType::kFloat32));
  const int64_t n = m->NumElements();
  if (n != 16 && n != int64_t{16} * batches) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "matrix must hold 16 floats (a 4x4 matrix) or 16 per "
                     "batch (%d), has %lld",
                     batches, static_cast<long long>(n));
  }
  *per_batch = n != 16;
  return Status::Ok();
}

// An integer list option: a FlexBuffers vector (typed, fixed or untyped) of
// integers in [lo, hi], at most `capacity` of them.
Status IntList(OpContext& ctx, const SignalOptions& opts, const char* key,
               int64_t lo, int64_t hi, int32_t* out, int capacity, int* count) {
  const flexbuffers::Reference r = opts.map()[key];
  if (r.IsNull()) {
    return ctx.Error(StatusCode::kInvalidModel, "custom option '%s' missing",
                     key);
  }
  auto read = [&](const auto& vec) -> Status {
    const size_t size = vec.size();
    if (size > static_cast<size_t>(capacity)) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option '%s' has %zu entries, at most %d", key,
                       size, capacity);
    }
    for (size_t i = 0; i < size; ++i) {
      const flexbuffers::Reference e = vec[i];
      if (!e.IsInt() && !e.IsUInt()) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "custom option '%s'[%zu] must be an integer", key, i);
      }
      const int64_t v = e.IsInt() ? e.AsInt64()
                                  : static_cast<int64_t>(std::min<uint64_t>(
                                        e.AsUInt64(), INT64_MAX));
      if (v < lo || v > hi) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "custom option '%s'[%zu] = %lld outside [%lld, %lld]",
                         key, i, static_cast<long long>(v),
                         static_cast<long long>(lo),
                         static_cast<long long>(hi));
      }
      out[i] = static_cast<int32_t>(v);
    }
    *count = static_cast<int>(size);
    return Status::Ok();
  };
  if (r.IsFixedTypedVector()) return read(r.AsFixedTypedVector());
  if (r.IsTypedVector()) return read(r.AsTypedVector());
  if (r.IsVector() && !r.IsMap()) return read(r.AsVector());
  return ctx.Error(StatusCode::kInvalidModel,
                   "custom option '%s' must be a vector of integers", key);
}

// Reads "KEY": [h, w].
Status HeightWidth(OpContext& ctx, const SignalOptions& opts, const char* key,
                   int32_t lo, int32_t* h, int32_t* w) {
  int32_t hw[2];
  int n = 0;
  EMBER_RETURN_IF_ERROR(IntList(ctx, opts, key, lo, kMaxSide, hw, 2, &n));
  if (n != 2) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "custom option '%s' must be [height, width], has %d "
                     "entries",
                     key, n);
  }
  *h = hw[0];
  *w = hw[1];
  return Status::Ok();
}

// ---- TransformTensorBilinear / TransformTensor ----

struct BilinearData {
  bool per_batch_matrix;
  bool pixel_centres;  // version 2
};

Status PrepareBilinear(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckVersion(ctx));
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckFloat(ctx, in, "input", 4));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(0), "output", DataType::kFloat32));
  auto* d = ctx.op_data<BilinearData>();
  EMBER_RETURN_IF_ERROR(
      CheckMatrix(ctx, ctx.input(1), in->shape.dims[0], &d->per_batch_matrix));
  d->pixel_centres = ctx.version() == 2;

  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  int32_t out_h = 0, out_w = 0;
  if (ctx.version() == 2) {
    EMBER_RETURN_IF_ERROR(
        opts.Int32(ctx, "output_height", 1, kMaxSide, &out_h));
    EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "output_width", 1, kMaxSide, &out_w));
  } else {
    if (opts.Has("mode")) {
      const flexbuffers::Reference mode = opts.map()["mode"];
      if (!mode.IsString() ||
          std::strcmp(mode.AsString().c_str(), "bilinear")) {
        return ctx.Error(StatusCode::kUnsupported,
                         "custom option 'mode' must be the string "
                         "\"bilinear\" (the only mode MediaPipe has)");
      }
    }
    EMBER_RETURN_IF_ERROR(
        HeightWidth(ctx, opts, "output_size", 1, &out_h, &out_w));
  }
  Shape shape = MakeShape({in->shape.dims[0], out_h, out_w, in->shape.dims[3]});
  int64_t count = 0;
  if (!CheckedNumElements(shape, &count)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "output [%d, %d, %d, %d] is too large", shape.dims[0],
                     out_h, out_w, shape.dims[3]);
  }
  return ctx.ResizeOutput(0, shape);
}

Status EvalBilinear(OpContext& ctx) {
  const auto& d = *ctx.op_data<BilinearData>();
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const int32_t n = in->shape.dims[0], h = in->shape.dims[1],
                w = in->shape.dims[2], c = in->shape.dims[3];
  const int32_t out_h = out->shape.dims[1], out_w = out->shape.dims[2];
  const float* x = in->data_as<float>();
  const float* matrices = ctx.input(1)->data_as<float>();
  float* y = out->data_as<float>();
  const float max_x = static_cast<float>(w - 1);
  const float max_y = static_cast<float>(h - 1);
  for (int32_t b = 0; b < n; ++b) {
    const float* m = matrices + (d.per_batch_matrix ? int64_t{16} * b : 0);
    float tx = m[3], ty = m[7];
    if (d.pixel_centres) {
      // Map centre to centre: M applied to (x + 0.5, y + 0.5), minus 0.5.
      tx += 0.5f * (m[0] + m[1]) - 0.5f;
      ty += 0.5f * (m[4] + m[5]) - 0.5f;
    }
    const float* image = x + static_cast<int64_t>(b) * h * w * c;
    auto pixel = [&](int64_t row, int64_t col) -> const float* {
      return image + (row * w + col) * c;
    };
    for (int32_t oy = 0; oy < out_h; ++oy) {
      for (int32_t ox = 0; ox < out_w; ++ox) {
        float* dst =
            y + ((static_cast<int64_t>(b) * out_h + oy) * out_w + ox) * c;
        // Column 2 multiplies the zero z, kept so that a non-finite entry
        // there spoils the point as it does in MediaPipe.
        const float sx = m[0] * ox + m[1] * oy + m[2] * 0.0f + tx;
        const float sy = m[4] * ox + m[5] * oy + m[6] * 0.0f + ty;
        // Written so that NaN is outside too.
        if (!(sx >= 0.0f && sx <= max_x && sy >= 0.0f && sy <= max_y)) {
          std::fill(dst, dst + c, 0.0f);
          continue;
        }
        const float fx0 = std::floor(sx), fy0 = std::floor(sy);
        const int64_t x0 = static_cast<int64_t>(fx0);
        const int64_t y0 = static_cast<int64_t>(fy0);
        const float right = sx - fx0, down = sy - fy0;
        // On the last row or column the far neighbour has weight 0 and
        // does not exist: it reads as 0.
        const bool has_right = x0 + 1 < w, has_down = y0 + 1 < h;
        const float* p00 = pixel(y0, x0);
        const float* p01 = has_right ? pixel(y0, x0 + 1) : nullptr;
        const float* p10 = has_down ? pixel(y0 + 1, x0) : nullptr;
        const float* p11 =
            has_right && has_down ? pixel(y0 + 1, x0 + 1) : nullptr;
        for (int32_t ch = 0; ch < c; ++ch) {
          const float q01 = p01 ? p01[ch] : 0.0f;
          const float q10 = p10 ? p10[ch] : 0.0f;
          const float q11 = p11 ? p11[ch] : 0.0f;
          const float upper = (1.0f - right) * p00[ch] + right * q01;
          const float lower = (1.0f - right) * q10 + right * q11;
          dst[ch] = down * lower + (1.0f - down) * upper;
        }
      }
    }
  }
  return Status::Ok();
}

// ---- TransformLandmarks ----

struct LandmarksData {
  bool per_batch_matrix;
  int32_t dimensions;  // 2 or 3
  float scale;         // of the translation (version 1)
};

Status PrepareLandmarks(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckVersion(ctx));
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  const int rank = ctx.version() == 1 ? 4 : 3;
  EMBER_RETURN_IF_ERROR(CheckFloat(ctx, in, "landmarks", rank));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(0), "output", DataType::kFloat32));
  auto* d = ctx.op_data<LandmarksData>();
  EMBER_RETURN_IF_ERROR(
      CheckMatrix(ctx, ctx.input(1), in->shape.dims[0], &d->per_batch_matrix));
  const int32_t last = in->shape.dims[rank - 1];
  if (ctx.version() == 1) {
    // Both fields are optional (dimensions 3, scale 1 by default).
    d->dimensions = 3;
    d->scale = 1.0f;
    size_t size = 0;
    ctx.custom_options(&size);
    if (size > 0) {
      SignalOptions opts;
      EMBER_RETURN_IF_ERROR(opts.Open(ctx));
      if (opts.Has("dimensions")) {
        EMBER_RETURN_IF_ERROR(
            opts.Int32(ctx, "dimensions", 2, 3, &d->dimensions));
      }
      if (opts.Has("scale")) {
        EMBER_RETURN_IF_ERROR(opts.Float(ctx, "scale", -1e30, 1e30, &d->scale));
        if (d->scale == 0.0f) {
          return ctx.Error(StatusCode::kInvalidModel,
                           "custom option 'scale' must not be 0");
        }
      }
    }
    if (last % d->dimensions != 0) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "landmarks' last dimension %d is not a multiple of "
                       "'dimensions' %d",
                       last, d->dimensions);
    }
  } else {
    if (last != 2 && last != 3) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "landmarks must be [batch, count, 2 or 3], the last "
                       "dimension is %d",
                       last);
    }
    d->dimensions = last;
    d->scale = 1.0f;
  }
  return ctx.ResizeOutput(0, in->shape);
}

Status EvalLandmarks(OpContext& ctx) {
  const auto& d = *ctx.op_data<LandmarksData>();
  const Tensor* in = ctx.input(0);
  const int32_t n = in->shape.dims[0];
  const int64_t per_batch = n > 0 ? in->NumElements() / n : 0;
  const float* x = in->data_as<float>();
  const float* matrices = ctx.input(1)->data_as<float>();
  float* y = ctx.output(0)->data_as<float>();
  for (int32_t b = 0; b < n; ++b) {
    const float* m = matrices + (d.per_batch_matrix ? int64_t{16} * b : 0);
    const float tx = m[3] * d.scale, ty = m[7] * d.scale;
    const float* src = x + b * per_batch;
    float* dst = y + b * per_batch;
    for (int64_t i = 0; i + d.dimensions <= per_batch; i += d.dimensions) {
      const float lx = src[i], ly = src[i + 1];
      const float z = d.dimensions == 3 ? src[i + 2] : 0.0f;
      dst[i] = m[0] * lx + m[1] * ly + m[2] * 0.0f + tx;
      dst[i + 1] = m[4] * lx + m[5] * ly + m[6] * 0.0f + ty;
      if (d.dimensions == 3) dst[i + 2] = z;
    }
  }
  return Status::Ok();
}

// ---- Landmarks2TransformMatrix ----

struct MatrixData {
  int32_t version;
  // Both versions.
  int32_t left, right;  // landmarks whose line sets the rotation
  int32_t subset_count;
  int32_t subset[kMaxSubset];  // landmark indices the box is fitted to
  // Version 1.
  int32_t in_h, in_w, out_h, out_w, landmarks_range;
  float bbox_multiplier;
  // Version 2.
  float target_rotation, scale_x, scale_y;
  int32_t out_height, out_width;
};

// MediaPipe reads the index list as pairs; an odd last entry pairs with
// itself, which changes nothing for a min/max, so the list is used as is.
Status ReadSubset(OpContext& ctx, const SignalOptions& opts, const char* key,
                  int32_t max_index, MatrixData* d) {
  int count = 0;
  EMBER_RETURN_IF_ERROR(
      IntList(ctx, opts, key, 0, max_index, d->subset, kMaxSubset, &count));
  if (count == 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "custom option '%s' is empty (no landmarks to fit the "
                     "box to)",
                     key);
  }
  d->subset_count = count;
  return Status::Ok();
}

Status PrepareMatrix(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckVersion(ctx));
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const int rank = ctx.version() == 1 ? 4 : 3;
  EMBER_RETURN_IF_ERROR(CheckFloat(ctx, in, "landmarks", rank));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(0), "output", DataType::kFloat32));
  if (in->shape.dims[0] != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "landmarks must have batch 1, has %d", in->shape.dims[0]);
  }
  // Landmarks are read as (x, y, z) triples whatever the shape says.
  const int64_t landmarks = in->NumElements() / 3;
  if (landmarks == 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "landmarks hold %lld floats, not one (x, y, z) landmark",
                     static_cast<long long>(in->NumElements()));
  }
  const int32_t max_index =
      static_cast<int32_t>(std::min<int64_t>(landmarks - 1, INT32_MAX));
  auto* d = ctx.op_data<MatrixData>();
  *d = MatrixData{};
  d->version = ctx.version();
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "left_rotation_idx", 0, max_index, &d->left));
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "right_rotation_idx", 0, max_index, &d->right));
  if (d->version == 1) {
    if (in->shape.dims[1] != 1 || in->shape.dims[2] != 1) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "version 1 landmarks must be [1, 1, 1, 3 * count]");
    }
    int32_t dimensions = 0;
    EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "dimensions", 3, 3, &dimensions));
    EMBER_RETURN_IF_ERROR(
        HeightWidth(ctx, opts, "input_hw", 1, &d->in_h, &d->in_w));
    // The crop's pixel grid is mapped to [-1, 1] through (size - 1).
    EMBER_RETURN_IF_ERROR(
        HeightWidth(ctx, opts, "output_hw", 2, &d->out_h, &d->out_w));
    EMBER_RETURN_IF_ERROR(
        opts.Int32(ctx, "landmarks_range", 1, INT32_MAX, &d->landmarks_range));
    EMBER_RETURN_IF_ERROR(opts.Float(ctx, "bbox_size_multiplier", -1e30, 1e30,
                                     &d->bbox_multiplier));
    if (d->bbox_multiplier == 0.0f) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option 'bbox_size_multiplier' must not be 0");
    }
    EMBER_RETURN_IF_ERROR(ReadSubset(ctx, opts, "subset", max_index, d));
  } else {
    EMBER_RETURN_IF_ERROR(opts.Float(ctx, "target_rotation_radians", -1e6, 1e6,
                                     &d->target_rotation));
    EMBER_RETURN_IF_ERROR(
        opts.Int32(ctx, "output_height", 1, kMaxSide, &d->out_height));
    EMBER_RETURN_IF_ERROR(
        opts.Int32(ctx, "output_width", 1, kMaxSide, &d->out_width));
    // MediaPipe rejects scales <= 0; the smallest positive float passes.
    EMBER_RETURN_IF_ERROR(opts.Float(ctx, "scale_x", 1e-38, 1e30, &d->scale_x));
    EMBER_RETURN_IF_ERROR(opts.Float(ctx, "scale_y", 1e-38, 1e30, &d->scale_y));
    EMBER_RETURN_IF_ERROR(ReadSubset(ctx, opts, "subset_idxs", max_index, d));
  }
  return ctx.ResizeOutput(0, MakeShape({1, 4, 4}));
}

struct Mat3 {
  float a[3][3];
  Mat3 operator*(const Mat3& o) const {
    Mat3 r{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k) r.a[i][j] += a[i][k] * o.a[k][j];
    return r;
  }
};

// Version 1: the box fitted in the frame rotated by alpha (which makes the
// left-right line horizontal), in landmark units of `landmarks_range`,
// mapped from the crop's [-1, 1] square to the input's pixels.
void MatrixV1(const MatrixData& d, const float* lm, float* out) {
  const float lx = lm[3 * d.left], ly = lm[3 * d.left + 1];
  const float rx = lm[3 * d.right], ry = lm[3 * d.right + 1];
  const float alpha = -std::atan((ry - ly) / (rx - lx));
  const float ca = std::cos(alpha), sa = std::sin(alpha);
  // MediaPipe starts the box at +-100000 rather than at the first point.
  float min_x = 100000.0f, min_y = 100000.0f;
  float max_x = -100000.0f, max_y = -100000.0f;
  for (int i = 0; i < d.subset_count; ++i) {
    const float px = lm[3 * d.subset[i]], py = lm[3 * d.subset[i] + 1];
    const float qx = px * ca - py * sa, qy = px * sa + py * ca;
    min_x = std::min(min_x, qx);
    max_x = std::max(max_x, qx);
    min_y = std::min(min_y, qy);
    max_y = std::max(max_y, qy);
  }
  const float range = static_cast<float>(d.landmarks_range);
  const float box_w = (max_x - min_x) * d.bbox_multiplier;
  const float box_h = (max_y - min_y) * d.bbox_multiplier;
  const float mid_x = (max_x + min_x) / 2.0f, mid_y = (max_y + min_y) / 2.0f;
  // Back to the landmarks' frame (rotation by -alpha).
  const float cb = std::cos(-alpha), sb = std::sin(-alpha);
  const float centre_x = mid_x * cb - mid_y * sb;
  const float centre_y = mid_x * sb + mid_y * cb;
  const Mat3 scale{{{box_w / range, 0, 0}, {0, box_h / range, 0}, {0, 0, 1}}};
  const Mat3 rotate{{{cb, -sb, centre_x / range * 2.0f - 1.0f},
                     {sb, cb, centre_y / range * 2.0f - 1.0f},
                     {0, 0, 1}}};
  const Mat3 to_unit{{{2.0f / (d.out_w - 1.0f), 0, -1.0f},
                      {0, 2.0f / (d.out_h - 1.0f), -1.0f},
                      {0, 0, 1}}};
  const float half_w = (d.in_w - 1.0f) / 2.0f, half_h = (d.in_h - 1.0f) / 2.0f;
  const Mat3 to_pixels{{{half_w, 0, half_w}, {0, half_h, half_h}, {0, 0, 1}}};
  const Mat3 t = to_pixels * rotate * scale * to_unit;
  // The 3x3 affine map as a 4x4 one over (x, y, z, 1); z is not mapped.
  const float rows[16] = {t.a[0][0], t.a[0][1], 0.0f,      t.a[0][2],
                          t.a[1][0], t.a[1][1], 0.0f,      t.a[1][2],
                          t.a[2][0], t.a[2][1], t.a[2][2], 0.0f,
                          0.0f,      0.0f,      0.0f,      1.0f};
  std::memcpy(out, rows, sizeof(rows));
}

struct Mat4 {
  float a[4][4];
  static Mat4 Identity() {
    return Mat4{{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}};
  }
  Mat4 operator*(const Mat4& o) const {
    Mat4 r{};
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        for (int k = 0; k < 4; ++k) r.a[i][j] += a[i][k] * o.a[k][j];
    return r;
  }
};

// Version 2: rotation = target - angle of the left-to-right line; the box
// is fitted in the frame rotated by it, and the matrix maps crop pixel
// (x, y) to: centre + R(-rotation) * (scaled box size / output size) *
// ((x, y) - output size / 2).
void MatrixV2(const MatrixData& d, const float* lm, float* out) {
  const float lx = lm[3 * d.left], ly = lm[3 * d.left + 1];
  const float rx = lm[3 * d.right], ry = lm[3 * d.right + 1];
  const float rotation = d.target_rotation - std::atan2(ry - ly, rx - lx);
  const float c = std::cos(rotation), s = std::sin(rotation);
  float min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  for (int i = 0; i < d.subset_count; ++i) {
    const float px = lm[3 * d.subset[i]], py = lm[3 * d.subset[i] + 1];
    const float qx = c * px - s * py, qy = s * px + c * py;
    if (i == 0) {
      min_x = max_x = qx;
      min_y = max_y = qy;
    } else {
      min_x = std::min(min_x, qx);
      max_x = std::max(max_x, qx);
      min_y = std::min(min_y, qy);
      max_y = std::max(max_y, qy);
    }
  }
  const float width = max_x - min_x, height = max_y - min_y;
  const float mx = (min_x + max_x) / 2.0f, my = (min_y + max_y) / 2.0f;
  // Rotate the box centre back (by -rotation).
  const float ci = std::cos(-rotation), si = std::sin(-rotation);
  const float centre_x = ci * mx - si * my, centre_y = si * mx + ci * my;
  Mat4 shift = Mat4::Identity();
  shift.a[0][3] = centre_x;
  shift.a[1][3] = centre_y;
  Mat4 rotate = Mat4::Identity();
  const float cr = std::cos(-rotation), sr = std::sin(-rotation);
  rotate.a[0][0] = cr;
  rotate.a[0][1] = -sr;
  rotate.a[1][0] = sr;
  rotate.a[1][1] = cr;
  Mat4 scale = Mat4::Identity();
  scale.a[0][0] = d.scale_x * width / d.out_width;
  scale.a[1][1] = d.scale_y * height / d.out_height;
  Mat4 recentre = Mat4::Identity();
  recentre.a[0][3] = -(d.out_width / 2.0f);
  recentre.a[1][3] = -(d.out_height / 2.0f);
  const Mat4 t = shift * rotate * scale * recentre;
  std::memcpy(out, t.a, sizeof(t.a));
}

Status EvalMatrix(OpContext& ctx) {
  const auto& d = *ctx.op_data<MatrixData>();
  const float* lm = ctx.input(0)->data_as<float>();
  float* out = ctx.output(0)->data_as<float>();
  if (d.version == 1) {
    MatrixV1(d, lm, out);
  } else {
    MatrixV2(d, lm, out);
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_TransformTensorBilinear() {
  static const OpRegistration reg = {-1,
                                     "TransformTensorBilinear",
                                     sizeof(BilinearData),
                                     PrepareBilinear,
                                     EvalBilinear,
                                     kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_TransformTensor() {
  static const OpRegistration reg = {
      -1,           "TransformTensor", sizeof(BilinearData), PrepareBilinear,
      EvalBilinear, kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_TransformLandmarks() {
  static const OpRegistration reg = {-1,
                                     "TransformLandmarks",
                                     sizeof(LandmarksData),
                                     PrepareLandmarks,
                                     EvalLandmarks,
                                     kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_Landmarks2TransformMatrix() {
  static const OpRegistration reg = {-1,
                                     "Landmarks2TransformMatrix",
                                     sizeof(MatrixData),
                                     PrepareMatrix,
                                     EvalMatrix,
                                     kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
