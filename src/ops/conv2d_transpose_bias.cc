// MediaPipe custom op "Convolution2DTransposeBias": a float transposed
// convolution with a mandatory bias. Inputs: input [N, H, W, I], weights
// [O, KH, KW, I], bias [O]. custom_options is a raw little-endian struct of
// three int32: padding (0 unknown, 1 SAME, 2 VALID), stride_width,
// stride_height. Output size (MediaPipe's rule): VALID gives
// stride * (in - 1) + k; SAME removes pad = max(0, k - (in - 1) % stride - 1)
// from that, with pad / 2 of it before the first row/column.
#include <cstring>

#include "kernels/ref/transpose_conv.h"
#include "ops/conv_util.h"
#include "ops/transpose_conv_fast.h"

namespace ember::ops {
namespace {

struct TransposeBiasData {
  ref::TransposeConvShape shape;
  TconvF32Fast fast;  // TRANSPOSE_CONV's fp32 fast path
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 1));
  const Tensor* input = ctx.input(0);
  const Tensor* weights = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  Tensor* output = ctx.output(0);
  size_t size = 0;
  const uint8_t* raw = ctx.custom_options(&size);
  if (raw == nullptr || size < 3 * sizeof(int32_t)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "custom_options must hold 3 int32 (padding, stride_w, "
                     "stride_h), has %zu bytes",
                     size);
  }
  int32_t fields[3];
  std::memcpy(fields, raw, sizeof(fields));
  const int32_t padding = fields[0];
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, input, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, weights, "weights", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, bias, "bias", 1));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, input, "input", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, weights, "weights", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, output, "output", DataType::kFloat32));
  auto* d = ctx.op_data<TransposeBiasData>();
  ref::TransposeConvShape& s = d->shape;
  s = ref::TransposeConvShape{};
  s.batches = input->shape.dims[0];
  s.in_h = input->shape.dims[1];
  s.in_w = input->shape.dims[2];
  s.in_c = input->shape.dims[3];
  s.out_c = weights->shape.dims[0];
  s.filter_h = weights->shape.dims[1];
  s.filter_w = weights->shape.dims[2];
  s.stride_w = fields[1];
  s.stride_h = fields[2];
  if (weights->shape.dims[3] != s.in_c) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "weights have %d input channels, input has %d",
                     weights->shape.dims[3], s.in_c);
  }
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, s.out_c, DataType::kFloat32));
  if (s.stride_h <= 0 || s.stride_w <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "strides %d x %d must be positive", s.stride_h,
                     s.stride_w);
  }
  if (padding != 1 && padding != 2) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "padding %d is not SAME (1) or VALID (2)", padding);
  }
  if (s.in_h <= 0 || s.in_w <= 0 || s.filter_h <= 0 || s.filter_w <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input and weights need non-empty spatial dims");
  }
  int32_t pad_h = 0, pad_w = 0;
  if (padding == 1) {
    pad_h = std::max(0, s.filter_h - (s.in_h - 1) % s.stride_h - 1);
    pad_w = std::max(0, s.filter_w - (s.in_w - 1) % s.stride_w - 1);
  }
  s.out_h = s.stride_h * (s.in_h - 1) + s.filter_h - pad_h;
  s.out_w = s.stride_w * (s.in_w - 1) + s.filter_w - pad_w;
  s.pad_top = pad_h / 2;
  s.pad_left = pad_w / 2;
  EMBER_RETURN_IF_ERROR(
      ctx.ResizeOutput(0, MakeShape({s.batches, s.out_h, s.out_w, s.out_c})));
  return PrepareTconvF32Fast(ctx, s, weights, &d->fast);
}

Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<TransposeBiasData>();
  if (d.fast.packed != nullptr) {
    RunTconvF32Fast(ctx, d.fast, d.shape, ctx.input(0)->data_as<float>(),
                    ctx.input(2)->data_as<float>(), -INFINITY, INFINITY,
                    ctx.output(0)->data_as<float>());
    return Status::Ok();
  }
  ref::TransposeConvFloat(d.shape, ctx.input(0)->data_as<float>(),
                          ctx.input(1)->data_as<float>(),
                          ctx.input(2)->data_as<float>(), -INFINITY, INFINITY,
                          ctx.output(0)->data_as<float>());
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_Convolution2DTransposeBias() {
  static const OpRegistration reg = {-1,
                                     "Convolution2DTransposeBias",
                                     sizeof(TransposeBiasData),
                                     Prepare,
                                     Eval,
                                     kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
