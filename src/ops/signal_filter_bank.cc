// The filter-bank stage of the TFLM signal library's audio front end:
//
// SignalFilterBank: uint32 power spectrum [bins] + int16 weights [W],
//   unweights [W], channel_frequency_starts / channel_weight_starts /
//   channel_widths [num_channels + 1] -> uint64 [num_channels].
// SignalFilterBankSquareRoot: uint64 [C] + int32 scalar shift -> uint32 [C].
// SignalFilterBankSpectralSubtraction: uint32 [C] -> (uint32 [C] signal with
//   the noise estimate removed, uint32 [C] the noise estimate).
// SignalFilterBankLog: uint32 [C] -> int16 [C] scaled natural log.
//
// State: spectral subtraction keeps its running noise estimate in op data
// (at most kMaxSignalChannels channels). It starts at zero, is cleared again
// whenever Prepare runs (allocation / resize, as in TFLM), and by
// Interpreter::ResetVariables() through the registration's reset hook.
#include <cstring>

#include "kernels/ref/signal_frontend.h"
#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

// ---------------------------------------------------------------- FilterBank

struct FilterBankData {
  int32_t num_channels;
  bool checked;  // index tables were constant and validated in Prepare
};

// Every channel's bin range and weight range must lie inside the tensors.
bool BankIndicesValid(OpContext& ctx, int32_t num_channels, Status* status) {
  const Tensor* in = ctx.input(0);
  const int64_t bins = in->NumElements();
  const int64_t nw = ctx.input(1)->NumElements();
  const int16_t* fs = ctx.input(3)->data_as<int16_t>();
  const int16_t* ws = ctx.input(4)->data_as<int16_t>();
  const int16_t* wd = ctx.input(5)->data_as<int16_t>();
  for (int c = 0; c <= num_channels; ++c) {
    if (wd[c] < 0 || fs[c] < 0 || ws[c] < 0 || fs[c] + wd[c] > bins ||
        ws[c] + wd[c] > nw) {
      *status = ctx.Error(StatusCode::kInvalidArgument,
                          "channel %d: start bin %d, weight start %d, width %d "
                          "do not fit %lld bins / %lld weights",
                          c, fs[c], ws[c], wd[c], static_cast<long long>(bins),
                          static_cast<long long>(nw));
      return false;
    }
  }
  return true;
}

Status BankPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 6, 6, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.input(0), "input", DataType::kUInt32, 1));
  static const char* const kNames[] = {
      "weights", "unweights", "channel_frequency_starts",
      "channel_weight_starts", "channel_widths"};
  for (int i = 1; i < 6; ++i) {
    EMBER_RETURN_IF_ERROR(CheckSignalTensor(ctx, ctx.input(i), kNames[i - 1],
                                            DataType::kInt16, 1));
  }
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kUInt64, 1));
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  auto* d = ctx.op_data<FilterBankData>();
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "num_channels", 1, INT32_MAX - 1, &d->num_channels));
  if (ctx.input(1)->NumElements() != ctx.input(2)->NumElements()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "weights (%lld) and unweights (%lld) differ in length",
                     static_cast<long long>(ctx.input(1)->NumElements()),
                     static_cast<long long>(ctx.input(2)->NumElements()));
  }
  for (int i = 3; i < 6; ++i) {
    if (ctx.input(i)->NumElements() < d->num_channels + 1) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "%s has %lld entries, needs num_channels + 1 = %d",
                       kNames[i - 1],
                       static_cast<long long>(ctx.input(i)->NumElements()),
                       d->num_channels + 1);
    }
  }
  d->checked = false;
  bool all_constant = ctx.input(0)->shape.rank == 1;
  for (int i = 1; i < 6; ++i) all_constant &= ctx.input(i)->is_constant();
  if (all_constant) {
    Status st = Status::Ok();
    if (!BankIndicesValid(ctx, d->num_channels, &st)) return st;
    d->checked = true;
  }
  Shape s;
  s.rank = 1;
  s.dims[0] = d->num_channels;
  return ctx.ResizeOutput(0, s);
}

Status BankEval(OpContext& ctx) {
  const auto& d = *ctx.op_data<FilterBankData>();
  if (!d.checked) {
    Status st = Status::Ok();
    if (!BankIndicesValid(ctx, d.num_channels, &st)) return st;
  }
  ref::signal::FilterBankAccumulate(
      ctx.input(0)->data_as<uint32_t>(), ctx.input(1)->data_as<int16_t>(),
      ctx.input(2)->data_as<int16_t>(), ctx.input(3)->data_as<int16_t>(),
      ctx.input(4)->data_as<int16_t>(), ctx.input(5)->data_as<int16_t>(),
      d.num_channels, ctx.output(0)->data_as<uint64_t>());
  return Status::Ok();
}

// ---------------------------------------------------------------- SquareRoot

Status SqrtPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* shift = ctx.input(1);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kUInt64, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, shift, "scale_bits", DataType::kInt32, -1));
  if (shift->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "scale_bits must hold one value, has %lld",
                     static_cast<long long>(shift->NumElements()));
  }
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kUInt32, 1));
  if (shift->is_constant()) {
    const int32_t v = *shift->data_as<int32_t>();
    if (v < 0 || v > 31) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "scale_bits %d outside [0, 31]", v);
    }
  }
  return ctx.ResizeOutput(0, in->shape);
}

Status SqrtEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const int32_t shift = *ctx.input(1)->data_as<int32_t>();
  if (shift < 0 || shift > 31) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "scale_bits %d outside [0, 31]", shift);
  }
  ref::signal::FilterBankSqrt(in->data_as<uint64_t>(),
                              static_cast<int>(in->NumElements()), shift,
                              ctx.output(0)->data_as<uint32_t>());
  return Status::Ok();
}

// ------------------------------------------------------- SpectralSubtraction

struct SpectralData {
  ref::signal::SpectralSubtractionParams params;
  uint32_t noise[kMaxSignalChannels];
};

void SpectralReset(void* op_data) {
  auto* d = static_cast<SpectralData*>(op_data);
  memset(d->noise, 0, sizeof(d->noise));
}

Status SpectralPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 2));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kUInt32, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kUInt32, 1));
  EMBER_RETURN_IF_ERROR(CheckSignalTensor(ctx, ctx.output(1), "noise_estimate",
                                          DataType::kUInt32, 1));
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  auto* d = ctx.op_data<SpectralData>();
  auto& p = d->params;
  int32_t v = 0;
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "num_channels", 1, kMaxSignalChannels, &p.num_channels));
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "smoothing", 0, 65535, &v));
  p.smoothing = static_cast<uint32_t>(v);
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "one_minus_smoothing", 0, 65535, &v));
  p.one_minus_smoothing = static_cast<uint32_t>(v);
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "alternate_smoothing", 0, 65535, &v));
  p.alternate_smoothing = static_cast<uint32_t>(v);
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "alternate_one_minus_smoothing", 0, 65535, &v));
  p.alternate_one_minus_smoothing = static_cast<uint32_t>(v);
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "min_signal_remaining", 0, 65535, &v));
  p.min_signal_remaining = static_cast<uint32_t>(v);
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "smoothing_bits", 0, 31, &p.smoothing_bits));
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "spectral_subtraction_bits", 0, 31,
                                   &p.spectral_subtraction_bits));
  EMBER_RETURN_IF_ERROR(opts.Bool(ctx, "clamping", &p.clamping));
  if (in->shape.dims[0] != p.num_channels) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input has %d channels, num_channels is %d",
                     in->shape.dims[0], p.num_channels);
  }
  SpectralReset(d);
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, in->shape));
  return ctx.ResizeOutput(1, in->shape);
}

Status SpectralEval(OpContext& ctx) {
  auto* d = ctx.op_data<SpectralData>();
  ref::signal::SpectralSubtraction(d->params, ctx.input(0)->data_as<uint32_t>(),
                                   ctx.output(0)->data_as<uint32_t>(),
                                   d->noise);
  memcpy(ctx.output(1)->data, d->noise,
         sizeof(uint32_t) * static_cast<size_t>(d->params.num_channels));
  return Status::Ok();
}

// ----------------------------------------------------------------------- Log

struct LogData {
  int32_t output_scale;
  int32_t correction_bits;
};

Status LogPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, "input", DataType::kUInt32, 1));
  EMBER_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(0), "output", DataType::kInt16, 1));
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  auto* d = ctx.op_data<LogData>();
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "output_scale", 0, INT32_MAX, &d->output_scale));
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "input_correction_bits", 0, 31, &d->correction_bits));
  return ctx.ResizeOutput(0, in->shape);
}

Status LogEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const auto& d = *ctx.op_data<LogData>();
  ref::signal::FilterBankLog(
      in->data_as<uint32_t>(), static_cast<int>(in->NumElements()),
      static_cast<uint32_t>(d.output_scale), d.correction_bits,
      ctx.output(0)->data_as<int16_t>());
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SignalFilterBank() {
  static const OpRegistration reg = {
      -1,          "SignalFilterBank", sizeof(FilterBankData),
      BankPrepare, BankEval,           kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_SignalFilterBankSquareRoot() {
  static const OpRegistration reg = {
      -1, "SignalFilterBankSquareRoot", 0, SqrtPrepare, SqrtEval, kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_SignalFilterBankSpectralSubtraction() {
  static const OpRegistration reg = {-1,
                                     "SignalFilterBankSpectralSubtraction",
                                     sizeof(SpectralData),
                                     SpectralPrepare,
                                     SpectralEval,
                                     kOpFlagInPlaceInput0,
                                     SpectralReset};
  return &reg;
}

const OpRegistration* Register_SignalFilterBankLog() {
  static const OpRegistration reg = {
      -1,         "SignalFilterBankLog", sizeof(LogData), LogPrepare, LogEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
