// SignalFftAutoScale and SignalRfft (TFLM signal library).
//
// SignalFftAutoScale: int16 [N] -> (int16 [N] shifted left as far as the
// peak allows, int32 scalar shift). No options.
// SignalRfft: int16 frames [..., L] -> int16 [..., 2 * (fft_length/2 + 1)]
// interleaved complex spectrum of each frame zero-padded to fft_length.
// Options: fft_length (power of two, 4..kRfftMaxLength) and T (the element
// type as a TensorType; only INT16 = 7 is implemented).
#include <cstring>

#include "kernels/ref/signal_frontend.h"
#include "kernels/ref/signal_rfft.h"
#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

Status AutoScalePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 2));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kInt16, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kInt16, 1));
  EMBER_RETURN_IF_ERROR(CheckSignalTensor(ctx, ctx.output(1), "scale output",
                                          DataType::kInt32, 0));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, in->shape));
  return ctx.ResizeOutput(1, Shape{});
}

Status AutoScaleEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const int shift = ref::signal::FftAutoScale(
      in->data_as<int16_t>(), static_cast<int>(in->NumElements()),
      ctx.output(0)->data_as<int16_t>());
  *ctx.output(1)->data_as<int32_t>() = shift;
  return Status::Ok();
}

struct RfftData {
  int32_t frame_length;  // input samples per frame (<= fft_length)
  int scratch;
  ref::signal::RfftInt16State state;
  // The state's twiddle tables, sized for the largest length (host memory).
  ref::signal::Cpx16
      tables[ref::signal::RfftInt16TableEntries(ref::signal::kRfftMaxLength)];
};

Status RfftPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  int32_t type = 0;
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "T", 0, 127, &type));
  if (type != static_cast<int32_t>(DataType::kInt16)) {
    return ctx.Error(StatusCode::kUnsupported,
                     "only the int16 fixed-point RFFT is implemented (T = %d)",
                     type);
  }
  int32_t fft_length = 0;
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "fft_length", 4,
                                   ref::signal::kRfftMaxLength, &fft_length));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kInt16, -1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, "output", DataType::kInt16, -1));
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  const int32_t frame = in->shape.dims[in->shape.rank - 1];
  if (frame > fft_length) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "frame length %d exceeds fft_length %d", frame,
                     fft_length);
  }
  auto* d = ctx.op_data<RfftData>();
  if (!ref::signal::RfftInt16Init(fft_length, d->tables, &d->state)) {
    return ctx.Error(StatusCode::kUnsupported,
                     "fft_length %d is not a power of two", fft_length);
  }
  d->frame_length = frame;
  // Padded frame as complex pairs (the output is the FFT's work buffer).
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(ref::signal::Cpx16) * static_cast<size_t>(fft_length / 2),
      &d->scratch));
  Shape s = in->shape;
  s.dims[s.rank - 1] = 2 * (fft_length / 2 + 1);
  return ctx.ResizeOutput(0, s);
}

Status RfftEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<RfftData>();
  const int half = d.state.half;
  auto* pairs = static_cast<ref::signal::Cpx16*>(ctx.scratch(d.scratch));
  const int64_t frames =
      d.frame_length > 0 ? in->NumElements() / d.frame_length : 0;
  const int out_len = 2 * (half + 1);
  for (int64_t f = 0; f < frames; ++f) {
    const int16_t* src = in->data_as<int16_t>() + f * d.frame_length;
    for (int k = 0; k < half; ++k) {
      const int a = 2 * k;
      const int b = 2 * k + 1;
      pairs[k].r = a < d.frame_length ? src[a] : 0;
      pairs[k].i = b < d.frame_length ? src[b] : 0;
    }
    ref::signal::RfftInt16IntoOutput(d.state, pairs,
                                     out->data_as<int16_t>() + f * out_len);
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SignalFftAutoScale() {
  static const OpRegistration reg = {-1,
                                     "SignalFftAutoScale",
                                     0,
                                     AutoScalePrepare,
                                     AutoScaleEval,
                                     kOpFlagInPlaceInput0};
  return &reg;
}

const OpRegistration* Register_SignalRfft() {
  static const OpRegistration reg = {
      -1, "SignalRfft", sizeof(RfftData), RfftPrepare, RfftEval, kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
