// The filter-bank stage of TFLM's audio front end (signal library custom
// ops) on the micro runtime, over kernels/ref/signal_frontend.h:
//   SignalFilterBank: uint32 power [bins] + five int16 tables -> uint64 [C].
//   SignalFilterBankSquareRoot: uint64 [C] + int32 scalar shift -> uint32.
//   SignalFilterBankSpectralSubtraction: uint32 [C] -> (uint32 signal,
//     uint32 noise estimate); the running estimate lives in the arena's
//     persistent tail, zero at AllocateTensors and after Reset().
//   SignalFilterBankLog: uint32 [C] -> int16 [C].
//   SignalPCAN: uint32 [C], uint32 noise [C], int16 gain table -> uint32 [C].
#include <cstring>

#include "kernels/ref/signal_frontend.h"
#include "micro/micro_ops.h"
#include "micro/micro_signal_util.h"

namespace ember::micro {
namespace {

using fb::TensorType;

// ------------------------------------------------------------ FilterBank

// Every channel's bin and weight ranges lie inside the tensors.
bool BankIndicesValid(MicroContext& ctx, int32_t channels) {
  const int64_t bins = ctx.input(0).NumElements();
  const int64_t nw = ctx.input(1).NumElements();
  const int16_t* fs = ctx.input(3).as<int16_t>();
  const int16_t* ws = ctx.input(4).as<int16_t>();
  const int16_t* wd = ctx.input(5).as<int16_t>();
  for (int32_t c = 0; c <= channels; ++c) {
    if (wd[c] < 0 || fs[c] < 0 || ws[c] < 0 || fs[c] + wd[c] > bins ||
        ws[c] + wd[c] > nw)
      return false;
  }
  return true;
}

MicroStatus BankCheck(MicroContext& ctx, int32_t* channels) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 6, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.input(0), TensorType::UINT32, 1));
  for (int32_t i = 1; i < 6; ++i) {
    EMBER_MICRO_RETURN_IF_ERROR(
        CheckSignalTensor(ctx, ctx.input(i), TensorType::INT16, 1));
  }
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::UINT64, 1));
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "num_channels", 1, 0x7FFFFFFE, channels);
  if (out.dim(0) != *channels) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("filter bank output size differs from "
                                     "num_channels"),
                     out.index);
  }
  if (ctx.input(1).dim(0) != ctx.input(2).dim(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("filter bank weights and unweights "
                                     "differ in length"));
  }
  for (int32_t i = 3; i < 6; ++i) {
    if (ctx.input(i).dim(0) < *channels + 1) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("filter bank index tables need "
                                       "num_channels + 1 entries"),
                       ctx.input(i).index);
    }
  }
  return MicroStatus::kOk;
}

// The index tables are checked once in Prepare when they are constants
// (the usual case), otherwise at every Eval.
bool TablesConstant(MicroContext& ctx) {
  for (int32_t i = 3; i < 6; ++i)
    if (ctx.input(i).data == nullptr) return false;
  return true;
}

MicroStatus BankPrepare(MicroContext& ctx) {
  int32_t channels = 0;
  EMBER_MICRO_RETURN_IF_ERROR(BankCheck(ctx, &channels));
  if (TablesConstant(ctx) && !BankIndicesValid(ctx, channels)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("filter bank channel ranges fall "
                                     "outside the spectrum or weights"));
  }
  return MicroStatus::kOk;
}

MicroStatus BankEval(MicroContext& ctx) {
  const int32_t channels = ctx.output(0).dim(0);
  if (!BankIndicesValid(ctx, channels)) {
    return ctx.Error(MicroStatus::kInvalidArgument,
                     EMBER_MICRO_MSG("filter bank channel ranges fall "
                                     "outside the spectrum or weights"));
  }
  ref::signal::FilterBankAccumulate(
      ctx.input(0).as<uint32_t>(), ctx.input(1).as<int16_t>(),
      ctx.input(2).as<int16_t>(), ctx.input(3).as<int16_t>(),
      ctx.input(4).as<int16_t>(), ctx.input(5).as<int16_t>(), channels,
      ctx.output(0).as<uint64_t>());
  return MicroStatus::kOk;
}

// ------------------------------------------------------------ SquareRoot

MicroStatus SqrtPrepare(MicroContext& ctx) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 2, 1));
  const MicroTensor in = ctx.input(0);
  const MicroTensor shift = ctx.input(1);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, TensorType::UINT64, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, shift, TensorType::INT32, -1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::UINT32, 1));
  if (shift.NumElements() != 1 || out.dim(0) != in.dim(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("square root needs a one-value shift "
                                     "and an output the input's size"));
  }
  return MicroStatus::kOk;
}

MicroStatus SqrtEval(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0);
  const int32_t shift = *ctx.input(1).as<int32_t>();
  if (shift < 0 || shift > 31) {
    return ctx.Error(MicroStatus::kInvalidArgument,
                     EMBER_MICRO_MSG("square root scale_bits outside "
                                     "[0, 31]"));
  }
  ref::signal::FilterBankSqrt(in.as<uint64_t>(), in.dim(0), shift,
                              ctx.output(0).as<uint32_t>());
  return MicroStatus::kOk;
}

// --------------------------------------------------- SpectralSubtraction

MicroStatus SpectralCheck(MicroContext& ctx,
                          ref::signal::SpectralSubtractionParams* p) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 1, 2));
  const MicroTensor in = ctx.input(0);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, TensorType::UINT32, 1));
  for (int32_t k = 0; k < 2; ++k) {
    const MicroTensor out = ctx.output(k);
    EMBER_MICRO_RETURN_IF_ERROR(
        CheckSignalTensor(ctx, out, TensorType::UINT32, 1));
    if (out.dim(0) != in.dim(0)) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("spectral subtraction outputs must "
                                       "have the input's size"),
                       out.index);
    }
  }
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  int32_t v = 0;
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "num_channels", 1, 0x7FFFFFFE,
                         &p->num_channels);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "smoothing", 0, 65535, &v);
  p->smoothing = static_cast<uint32_t>(v);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "one_minus_smoothing", 0, 65535, &v);
  p->one_minus_smoothing = static_cast<uint32_t>(v);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "alternate_smoothing", 0, 65535, &v);
  p->alternate_smoothing = static_cast<uint32_t>(v);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "alternate_one_minus_smoothing", 0, 65535,
                         &v);
  p->alternate_one_minus_smoothing = static_cast<uint32_t>(v);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "min_signal_remaining", 0, 65535, &v);
  p->min_signal_remaining = static_cast<uint32_t>(v);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "smoothing_bits", 0, 31,
                         &p->smoothing_bits);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "spectral_subtraction_bits", 0, 31,
                         &p->spectral_subtraction_bits);
  if (!opts.Bool("clamping", &p->clamping)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("custom option 'clamping' missing or "
                                     "not a boolean"));
  }
  if (in.dim(0) != p->num_channels) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("spectral subtraction input size differs "
                                     "from num_channels"),
                     in.index);
  }
  return MicroStatus::kOk;
}

MicroStatus SpectralPrepare(MicroContext& ctx) {
  ref::signal::SpectralSubtractionParams p;
  EMBER_MICRO_RETURN_IF_ERROR(SpectralCheck(ctx, &p));
  // The noise estimate, zeroed.
  if (ctx.AllocatePersistent(sizeof(uint32_t) *
                             static_cast<size_t>(p.num_channels)) == nullptr)
    return MicroStatus::kArenaTooSmall;
  return MicroStatus::kOk;
}

MicroStatus SpectralEval(MicroContext& ctx) {
  ref::signal::SpectralSubtractionParams p;
  EMBER_MICRO_RETURN_IF_ERROR(SpectralCheck(ctx, &p));
  auto* noise = static_cast<uint32_t*>(ctx.persistent());
  ref::signal::SpectralSubtraction(p, ctx.input(0).as<uint32_t>(),
                                   ctx.output(0).as<uint32_t>(), noise);
  std::memcpy(ctx.output(1).data, noise,
              sizeof(uint32_t) * static_cast<size_t>(p.num_channels));
  return MicroStatus::kOk;
}

// ------------------------------------------------------------------- Log

MicroStatus LogCheck(MicroContext& ctx, int32_t* scale, int32_t* bits) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 1, 1));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, TensorType::UINT32, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::INT16, 1));
  if (out.dim(0) != in.dim(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("log output size differs from input"),
                     out.index);
  }
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "output_scale", 0, 0x7FFFFFFF, scale);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "input_correction_bits", 0, 31, bits);
  return MicroStatus::kOk;
}

MicroStatus LogPrepare(MicroContext& ctx) {
  int32_t scale = 0, bits = 0;
  return LogCheck(ctx, &scale, &bits);
}

MicroStatus LogEval(MicroContext& ctx) {
  int32_t scale = 0, bits = 0;
  EMBER_MICRO_RETURN_IF_ERROR(LogCheck(ctx, &scale, &bits));
  const MicroTensor in = ctx.input(0);
  ref::signal::FilterBankLog(in.as<uint32_t>(), in.dim(0),
                             static_cast<uint32_t>(scale), bits,
                             ctx.output(0).as<int16_t>());
  return MicroStatus::kOk;
}

// ------------------------------------------------------------------ PCAN

// The table is indexed up to 4 * 32 - 6 + 2 for a full 32-bit estimate.
constexpr int64_t kPcanLutSize = 4 * 32 - 3;

MicroStatus PcanCheck(MicroContext& ctx, int32_t* snr_shift) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 3, 1));
  const MicroTensor in = ctx.input(0);
  const MicroTensor noise = ctx.input(1);
  const MicroTensor lut = ctx.input(2);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, TensorType::UINT32, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, noise, TensorType::UINT32, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, lut, TensorType::INT16, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::UINT32, 1));
  if (noise.dim(0) != in.dim(0) || out.dim(0) != in.dim(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("PCAN noise estimate and output must "
                                     "have the input's size"));
  }
  if (lut.NumElements() < kPcanLutSize) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("PCAN gain_lut needs 125 entries"),
                     lut.index);
  }
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "snr_shift", 0, 63, snr_shift);
  return MicroStatus::kOk;
}

MicroStatus PcanPrepare(MicroContext& ctx) {
  int32_t snr_shift = 0;
  return PcanCheck(ctx, &snr_shift);
}

MicroStatus PcanEval(MicroContext& ctx) {
  int32_t snr_shift = 0;
  EMBER_MICRO_RETURN_IF_ERROR(PcanCheck(ctx, &snr_shift));
  const MicroTensor in = ctx.input(0);
  ref::signal::PcanApply(in.as<uint32_t>(), ctx.input(1).as<uint32_t>(),
                         ctx.input(2).as<int16_t>(), snr_shift, in.dim(0),
                         ctx.output(0).as<uint32_t>());
  return MicroStatus::kOk;
}

constexpr int32_t kCustom = static_cast<int32_t>(fb::BuiltinOperator::CUSTOM);

}  // namespace

const MicroOpRegistration kMicroSignalFilterBank = {
    kCustom, "SignalFilterBank", BankPrepare, BankEval, kMicroOpNone};
const MicroOpRegistration kMicroSignalFilterBankSquareRoot = {
    kCustom, "SignalFilterBankSquareRoot", SqrtPrepare, SqrtEval, kMicroOpNone};
const MicroOpRegistration kMicroSignalFilterBankSpectralSubtraction = {
    kCustom, "SignalFilterBankSpectralSubtraction", SpectralPrepare,
    SpectralEval, kMicroOpZeroPersistentOnReset};
const MicroOpRegistration kMicroSignalFilterBankLog = {
    kCustom, "SignalFilterBankLog", LogPrepare, LogEval, kMicroOpNone};
const MicroOpRegistration kMicroSignalPCAN = {
    kCustom, "SignalPCAN", PcanPrepare, PcanEval, kMicroOpInPlaceInput0};

}  // namespace ember::micro
