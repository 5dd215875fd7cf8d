// SignalEnergy (TFLM signal library): power spectrum re^2 + im^2 of an
// int16 complex spectrum (interleaved, [2 * bins]) for bins in
// [start_index, end_index); other bins are written as 0 (the reference
// library leaves them untouched). Output uint32 [bins].
#include "kernels/ref/signal_frontend.h"
#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

struct EnergyData {
  int32_t start, end;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kInt16, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kUInt32, 1));
  if (in->shape.dims[0] % 2 != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input holds interleaved complex values; its length %d "
                     "is odd",
                     in->shape.dims[0]);
  }
  const int32_t bins = in->shape.dims[0] / 2;
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  auto* d = ctx.op_data<EnergyData>();
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "start_index", 0, bins, &d->start));
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "end_index", d->start, bins, &d->end));
  Shape s;
  s.rank = 1;
  s.dims[0] = bins;
  return ctx.ResizeOutput(0, s);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const auto& d = *ctx.op_data<EnergyData>();
  ref::signal::SpectrumEnergy(in->data_as<int16_t>(), in->shape.dims[0] / 2,
                              d.start, d.end,
                              ctx.output(0)->data_as<uint32_t>());
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SignalEnergy() {
  static const OpRegistration reg = {
      -1, "SignalEnergy", sizeof(EnergyData), Prepare, Eval, kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
