// SignalWindow (TFLM signal library): multiplies each frame by a window and
// shifts right, saturating to int16. Inputs: frames int16 [..., N], window
// int16 [N]. Option: shift.
#include "kernels/ref/signal_frontend.h"
#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

struct WindowData {
  int32_t shift;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* win = ctx.input(1);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kInt16, -1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, win, "window", DataType::kInt16, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kInt16, -1));
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  const int32_t n = in->shape.dims[in->shape.rank - 1];
  if (win->shape.dims[0] != n) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "window has %d entries, input frames have %d",
                     win->shape.dims[0], n);
  }
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  auto* d = ctx.op_data<WindowData>();
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "shift", 0, 31, &d->shift));
  return ctx.ResizeOutput(0, in->shape);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const Tensor* win = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<WindowData>();
  const int32_t n = win->shape.dims[0];
  const int64_t total = in->NumElements();
  for (int64_t off = 0; off + n <= total && n > 0; off += n) {
    ref::signal::ApplyWindow(in->data_as<int16_t>() + off,
                             win->data_as<int16_t>(), n, d.shift,
                             out->data_as<int16_t>() + off);
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SignalWindow() {
  static const OpRegistration reg = {
      -1,      "SignalWindow", sizeof(WindowData),
      Prepare, Eval,           kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
