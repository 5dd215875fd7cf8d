// SignalPCAN (TFLM signal library): per-channel automatic gain control.
// Inputs: uint32 filter-bank energies [C], uint32 noise estimate [C], int16
// gain lookup table [>= 125] (4 coefficients per octave of the noise
// estimate). Output uint32 [C]. Option: snr_shift.
#include "kernels/ref/signal_frontend.h"
#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

// The table is indexed up to 4 * 32 - 6 + 2 for a full 32-bit estimate.
constexpr int64_t kPcanLutSize = 4 * 32 - 3;

struct PcanData {
  int32_t snr_shift;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* noise = ctx.input(1);
  const Tensor* lut = ctx.input(2);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kUInt32, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, noise, "noise_estimate", DataType::kUInt32, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, lut, "gain_lut", DataType::kInt16, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kUInt32, 1));
  if (noise->shape.dims[0] != in->shape.dims[0]) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "noise_estimate has %d channels, input has %d",
                     noise->shape.dims[0], in->shape.dims[0]);
  }
  if (lut->NumElements() < kPcanLutSize) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "gain_lut has %lld entries, needs %lld",
                     static_cast<long long>(lut->NumElements()),
                     static_cast<long long>(kPcanLutSize));
  }
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  auto* d = ctx.op_data<PcanData>();
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "snr_shift", 0, 63, &d->snr_shift));
  return ctx.ResizeOutput(0, in->shape);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const auto& d = *ctx.op_data<PcanData>();
  ref::signal::PcanApply(
      in->data_as<uint32_t>(), ctx.input(1)->data_as<uint32_t>(),
      ctx.input(2)->data_as<int16_t>(), d.snr_shift,
      static_cast<int>(in->NumElements()), ctx.output(0)->data_as<uint32_t>());
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SignalPCAN() {
  static const OpRegistration reg = {
      -1, "SignalPCAN", sizeof(PcanData), Prepare, Eval, kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
