// MediaPipe's custom pooling pair, used by its segmentation and detector
// models (U-Net style encoders that remember where each maximum was):
//   MaxPoolingWithArgmax2D: input [N, H, W, C] float -> the max pool and,
//     per pooled value, where in its window the maximum sat, as a float
//     (window row * filter_w + window column + 0.1, so that a truncating
//     float-to-int conversion reads it back exactly);
//   MaxUnpooling2D: (values [N, H, W, C], those indices) -> [N, H * filter_h,
//     W * filter_w, C], zeros except each value written back at its index.
// Both read custom_options as a raw little-endian TfLitePoolParams: int32
// padding (1 SAME, 2 VALID), stride_w, stride_h, filter_w, filter_h,
// activation (TfLiteFusedActivation), then fields the runtime fills in.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/conv_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct RawPoolParams {
  int32_t padding, stride_w, stride_h, filter_w, filter_h, activation;
};

struct ArgmaxPoolData {
  int32_t stride_h, stride_w, filter_h, filter_w;
  int32_t pad_top, pad_left;
  float lo, hi;
};

// TFLite's padding rule: half the excess of the covered span over the
// input, never negative.
int32_t LeadingPad(int32_t stride, int32_t in, int32_t filter, int32_t out) {
  const int64_t total = static_cast<int64_t>(out - 1) * stride + filter - in;
  return static_cast<int32_t>(std::max<int64_t>(0, total / 2));
}

Status ReadPoolParams(OpContext& ctx, RawPoolParams* p) {
  size_t size = 0;
  const uint8_t* raw = ctx.custom_options(&size);
  if (raw == nullptr || size < sizeof(RawPoolParams)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "custom_options must hold a TfLitePoolParams (6 int32: "
                     "padding, stride_w, stride_h, filter_w, filter_h, "
                     "activation), has %zu bytes",
                     size);
  }
  std::memcpy(p, raw, sizeof(*p));
  if (p->padding != 1 && p->padding != 2) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "padding %d is not SAME (1) or VALID (2)", p->padding);
  }
  if (p->stride_w <= 0 || p->stride_h <= 0 || p->filter_w <= 0 ||
      p->filter_h <= 0 || p->stride_w > 4096 || p->stride_h > 4096 ||
      p->filter_w > 4096 || p->filter_h > 4096) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "stride %d x %d and filter %d x %d must be in [1, 4096]",
                     p->stride_h, p->stride_w, p->filter_h, p->filter_w);
  }
  return Status::Ok();
}

Status CheckFloat4D(OpContext& ctx, const Tensor* t, const char* what) {
  EMBER_RETURN_IF_ERROR(CheckType(ctx, t, what, DataType::kFloat32));
  return CheckRank(ctx, t, what, 4);
}

// TfLiteFusedActivation numbers NONE, RELU, RELU_N1_TO_1 and RELU6 as the
// schema does; TFLite leaves the others unclamped here.
Status PoolActivation(OpContext& ctx, int32_t activation, float* lo,
                      float* hi) {
  if (activation < 0 || activation > 6) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "activation %d is not a TfLiteFusedActivation",
                     activation);
  }
  if (activation > 3) {
    *lo = std::numeric_limits<float>::lowest();
    *hi = std::numeric_limits<float>::max();
    return Status::Ok();
  }
  return FloatActivationRange(
      ctx, static_cast<fb::ActivationFunctionType>(activation), lo, hi);
}

Status PrepareArgmax(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 2));
  RawPoolParams p;
  EMBER_RETURN_IF_ERROR(ReadPoolParams(ctx, &p));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckFloat4D(ctx, in, "input"));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(0), "output", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(1), "indices", DataType::kFloat32));
  const int32_t h = in->shape.dims[1], w = in->shape.dims[2];
  auto out_size = [&](int32_t size, int32_t filter, int32_t stride) {
    return p.padding == 1 ? (size + stride - 1) / stride
                          : (size - filter + stride) / stride;
  };
  const int32_t out_h = out_size(h, p.filter_h, p.stride_h);
  const int32_t out_w = out_size(w, p.filter_w, p.stride_w);
  if (out_h <= 0 || out_w <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "a %d x %d window does not fit the %d x %d input",
                     p.filter_h, p.filter_w, h, w);
  }
  auto* d = ctx.op_data<ArgmaxPoolData>();
  *d = ArgmaxPoolData{p.stride_h,
                      p.stride_w,
                      p.filter_h,
                      p.filter_w,
                      LeadingPad(p.stride_h, h, p.filter_h, out_h),
                      LeadingPad(p.stride_w, w, p.filter_w, out_w),
                      0.0f,
                      0.0f};
  EMBER_RETURN_IF_ERROR(PoolActivation(ctx, p.activation, &d->lo, &d->hi));
  const Shape shape =
      MakeShape({in->shape.dims[0], out_h, out_w, in->shape.dims[3]});
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, shape));
  return ctx.ResizeOutput(1, shape);
}

// Input 0's [N, H, W, C] and output 0's H and W.
struct PoolDims {
  int32_t n, h, w, c, out_h, out_w;
};

PoolDims Dims(OpContext& ctx) {
  const Shape& in = ctx.input(0)->shape;
  const Shape& out = ctx.output(0)->shape;
  return {in.dims[0], in.dims[1],  in.dims[2],
          in.dims[3], out.dims[1], out.dims[2]};
}

Status EvalArgmax(OpContext& ctx) {
  const auto& d = *ctx.op_data<ArgmaxPoolData>();
  const PoolDims g = Dims(ctx);
  const int32_t n = g.n, h = g.h, w = g.w, c = g.c, out_h = g.out_h,
                out_w = g.out_w;
  const float* x = ctx.input(0)->data_as<float>();
  float* y = ctx.output(0)->data_as<float>();
  float* where = ctx.output(1)->data_as<float>();
  for (int32_t b = 0; b < n; ++b) {
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * d.stride_h - d.pad_top;
      const int32_t ky0 = std::max(0, -y0);
      const int32_t ky1 = std::min(d.filter_h, h - y0);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t x0 = ox * d.stride_w - d.pad_left;
        const int32_t kx0 = std::max(0, -x0);
        const int32_t kx1 = std::min(d.filter_w, w - x0);
        const int64_t o =
            ((static_cast<int64_t>(b) * out_h + oy) * out_w + ox) * c;
        for (int32_t ch = 0; ch < c; ++ch) {
          // The first maximum in row-major window order wins a tie.
          float best = std::numeric_limits<float>::lowest();
          int32_t best_ky = 0, best_kx = 0;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            for (int32_t kx = kx0; kx < kx1; ++kx) {
              const float v =
                  x[((static_cast<int64_t>(b) * h + y0 + ky) * w + x0 + kx) *
                        c +
                    ch];
              if (v > best) {
                best = v;
                best_ky = ky;
                best_kx = kx;
              }
            }
          }
          y[o + ch] = std::clamp(best, d.lo, d.hi);
          where[o + ch] =
              static_cast<float>(best_ky * d.filter_w + best_kx) + 0.1f;
        }
      }
    }
  }
  return Status::Ok();
}

Status PrepareUnpool(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  RawPoolParams p;
  EMBER_RETURN_IF_ERROR(ReadPoolParams(ctx, &p));
  const Tensor* in = ctx.input(0);
  const Tensor* where = ctx.input(1);
  EMBER_RETURN_IF_ERROR(CheckFloat4D(ctx, in, "input"));
  EMBER_RETURN_IF_ERROR(CheckFloat4D(ctx, where, "indices"));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(0), "output", DataType::kFloat32));
  if (where->shape != in->shape) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "indices must have the input's shape [%d, %d, %d, %d]",
                     in->shape.dims[0], in->shape.dims[1], in->shape.dims[2],
                     in->shape.dims[3]);
  }
  const int64_t out_h = static_cast<int64_t>(in->shape.dims[1]) * p.filter_h;
  const int64_t out_w = static_cast<int64_t>(in->shape.dims[2]) * p.filter_w;
  if (out_h > (1 << 20) || out_w > (1 << 20)) {
    return ctx.Error(
        StatusCode::kInvalidModel, "the unpooled size %lld x %lld is too large",
        static_cast<long long>(out_h), static_cast<long long>(out_w));
  }
  auto* d = ctx.op_data<ArgmaxPoolData>();
  *d = ArgmaxPoolData{p.stride_h,
                      p.stride_w,
                      p.filter_h,
                      p.filter_w,
                      LeadingPad(p.stride_h, static_cast<int32_t>(out_h),
                                 p.filter_h, in->shape.dims[1]),
                      LeadingPad(p.stride_w, static_cast<int32_t>(out_w),
                                 p.filter_w, in->shape.dims[2]),
                      0.0f,
                      0.0f};
  return ctx.ResizeOutput(
      0, MakeShape({in->shape.dims[0], static_cast<int32_t>(out_h),
                    static_cast<int32_t>(out_w), in->shape.dims[3]}));
}

Status EvalUnpool(OpContext& ctx) {
  const auto& d = *ctx.op_data<ArgmaxPoolData>();
  const PoolDims g = Dims(ctx);
  const int32_t n = g.n, h = g.h, w = g.w, c = g.c, out_h = g.out_h,
                out_w = g.out_w;
  const float* x = ctx.input(0)->data_as<float>();
  const float* where = ctx.input(1)->data_as<float>();
  float* y = ctx.output(0)->data_as<float>();
  std::fill(y, y + ctx.output(0)->shape.NumElements(), 0.0f);
  const float window = static_cast<float>(d.filter_h) * d.filter_w;
  for (int32_t b = 0; b < n; ++b) {
    for (int32_t iy = 0; iy < h; ++iy) {
      for (int32_t ix = 0; ix < w; ++ix) {
        const int64_t i = ((static_cast<int64_t>(b) * h + iy) * w + ix) * c;
        for (int32_t ch = 0; ch < c; ++ch) {
          // Indices come from the model's data: a NaN, negative or
          // out-of-window one names no place in the output and is skipped.
          const float f = where[i + ch];
          if (!(f >= 0.0f && f < window)) continue;
          const int32_t k = static_cast<int32_t>(f);
          const int32_t oy = iy * d.stride_h - d.pad_top + k / d.filter_w;
          const int32_t ox = ix * d.stride_w - d.pad_left + k % d.filter_w;
          if (oy < 0 || oy >= out_h || ox < 0 || ox >= out_w) continue;
          y[((static_cast<int64_t>(b) * out_h + oy) * out_w + ox) * c + ch] =
              x[i + ch];
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_MaxPoolingWithArgmax2D() {
  static const OpRegistration reg = {-1,
                                     "MaxPoolingWithArgmax2D",
                                     sizeof(ArgmaxPoolData),
                                     PrepareArgmax,
                                     EvalArgmax,
                                     kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_MaxUnpooling2D() {
  static const OpRegistration reg = {
      -1,         "MaxUnpooling2D", sizeof(ArgmaxPoolData), PrepareUnpool,
      EvalUnpool, kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
