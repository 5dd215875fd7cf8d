// The spectrum stage of TFLM's audio front end (signal library custom ops)
// on the micro runtime, over the host's reference kernels
// (kernels/ref/signal_frontend.h, signal_rfft.h), so the device computes
// the same bits as `ember run` and TFLM:
//   SignalWindow: int16 frames [..., N] x int16 window [N] >> shift.
//   SignalFftAutoScale: int16 [N] -> int16 [N], int32 scalar shift.
//   SignalRfft: int16 [..., L] -> int16 [..., 2 * (fft_length / 2 + 1)];
//     its twiddle tables live in the arena's persistent tail.
//   SignalEnergy: int16 complex [2 * bins] -> uint32 [bins].
#include <new>

#include "kernels/ref/signal_frontend.h"
#include "kernels/ref/signal_rfft.h"
#include "micro/micro_ops.h"
#include "micro/micro_signal_util.h"

namespace ember::micro {
namespace {

using fb::TensorType;

// ---------------------------------------------------------------- Window

MicroStatus WindowCheck(MicroContext& ctx, int32_t* shift) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 2, 1));
  const MicroTensor in = ctx.input(0);
  const MicroTensor win = ctx.input(1);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, TensorType::INT16, -1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, win, TensorType::INT16, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::INT16, -1));
  if (in.rank < 1 || win.dim(0) != in.dim(in.rank - 1) ||
      out.NumElements() != in.NumElements()) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("window length differs from the frame "
                                     "length, or output size from input"));
  }
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "shift", 0, 31, shift);
  return MicroStatus::kOk;
}

MicroStatus WindowPrepare(MicroContext& ctx) {
  int32_t shift = 0;
  return WindowCheck(ctx, &shift);
}

MicroStatus WindowEval(MicroContext& ctx) {
  int32_t shift = 0;
  EMBER_MICRO_RETURN_IF_ERROR(WindowCheck(ctx, &shift));
  const MicroTensor in = ctx.input(0);
  const MicroTensor win = ctx.input(1);
  const int32_t n = win.dim(0);
  const int64_t total = in.NumElements();
  for (int64_t off = 0; n > 0 && off + n <= total; off += n) {
    ref::signal::ApplyWindow(in.as<int16_t>() + off, win.as<int16_t>(), n,
                             shift, ctx.output(0).as<int16_t>() + off);
  }
  return MicroStatus::kOk;
}

// ---------------------------------------------------------- FftAutoScale

MicroStatus AutoScalePrepare(MicroContext& ctx) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 1, 2));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(CheckSignalTensor(ctx, in, TensorType::INT16, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::INT16, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, ctx.output(1), TensorType::INT32, 0));
  if (out.dim(0) != in.dim(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("output size differs from input"),
                     out.index);
  }
  return MicroStatus::kOk;
}

MicroStatus AutoScaleEval(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0);
  *ctx.output(1).as<int32_t>() = ref::signal::FftAutoScale(
      in.as<int16_t>(), in.dim(0), ctx.output(0).as<int16_t>());
  return MicroStatus::kOk;
}

// ------------------------------------------------------------------ Rfft

MicroStatus RfftCheck(MicroContext& ctx, int32_t* fft_length) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 1, 1));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  int32_t type = 0;
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "T", 0, 127, &type);
  if (type != static_cast<int32_t>(TensorType::INT16)) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("only the int16 fixed-point RFFT is "
                                     "implemented"));
  }
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "fft_length", 4,
                         ref::signal::kRfftMaxLength, fft_length);
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, in, TensorType::INT16, -1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::INT16, -1));
  if (in.rank < 1 || in.dim(in.rank - 1) > *fft_length ||
      in.dim(in.rank - 1) <= 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("RFFT frame length is 0 or exceeds "
                                     "fft_length"));
  }
  const int64_t frames = in.NumElements() / in.dim(in.rank - 1);
  if (out.NumElements() != frames * 2 * (*fft_length / 2 + 1)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("RFFT output must hold fft_length / 2 + "
                                     "1 complex bins per frame"),
                     out.index);
  }
  return MicroStatus::kOk;
}

MicroStatus RfftPrepare(MicroContext& ctx) {
  int32_t fft_length = 0;
  EMBER_MICRO_RETURN_IF_ERROR(RfftCheck(ctx, &fft_length));
  // The state, then its twiddle tables sized for this fft_length.
  const size_t state_bytes =
      (sizeof(ref::signal::RfftInt16State) + alignof(ref::signal::Cpx16) - 1) /
      alignof(ref::signal::Cpx16) * alignof(ref::signal::Cpx16);
  void* mem = ctx.AllocatePersistent(
      state_bytes +
      sizeof(ref::signal::Cpx16) *
          static_cast<size_t>(ref::signal::RfftInt16TableEntries(fft_length)));
  if (mem == nullptr) return MicroStatus::kArenaTooSmall;
  auto* state = new (mem) ref::signal::RfftInt16State;
  auto* tables = reinterpret_cast<ref::signal::Cpx16*>(
      static_cast<uint8_t*>(mem) + state_bytes);
  if (!ref::signal::RfftInt16Init(fft_length, tables, state)) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("fft_length is not a power of two"));
  }
  // The padded frame as complex pairs (the output is the FFT's work).
  return ctx.RequestScratch(sizeof(ref::signal::Cpx16) *
                            static_cast<size_t>(fft_length / 2));
}

MicroStatus RfftEval(MicroContext& ctx) {
  const auto& state =
      *static_cast<const ref::signal::RfftInt16State*>(ctx.persistent());
  const MicroTensor in = ctx.input(0);
  const int32_t frame = in.dim(in.rank - 1);
  const int half = state.half;
  auto* pairs = static_cast<ref::signal::Cpx16*>(ctx.scratch());
  const int64_t frames = in.NumElements() / frame;
  const int out_len = 2 * (half + 1);
  for (int64_t f = 0; f < frames; ++f) {
    const int16_t* src = in.as<int16_t>() + f * frame;
    for (int k = 0; k < half; ++k) {
      const int a = 2 * k;
      const int b = 2 * k + 1;
      pairs[k].r = a < frame ? src[a] : 0;
      pairs[k].i = b < frame ? src[b] : 0;
    }
    ref::signal::RfftInt16IntoOutput(state, pairs,
                                     ctx.output(0).as<int16_t>() + f * out_len);
  }
  return MicroStatus::kOk;
}

// ---------------------------------------------------------------- Energy

MicroStatus EnergyCheck(MicroContext& ctx, int32_t* start, int32_t* end) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx, 1, 1));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(CheckSignalTensor(ctx, in, TensorType::INT16, 1));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckSignalTensor(ctx, out, TensorType::UINT32, 1));
  if (in.dim(0) % 2 != 0 || out.dim(0) != in.dim(0) / 2) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("energy input must hold 2 x the output's "
                                     "bins (interleaved complex)"));
  }
  const int32_t bins = out.dim(0);
  MicroFlexMap opts;
  EMBER_MICRO_RETURN_IF_ERROR(OpenSignalOptions(ctx, &opts));
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "start_index", 0, bins, start);
  EMBER_MICRO_SIGNAL_INT(ctx, opts, "end_index", *start, bins, end);
  return MicroStatus::kOk;
}

MicroStatus EnergyPrepare(MicroContext& ctx) {
  int32_t start = 0, end = 0;
  return EnergyCheck(ctx, &start, &end);
}

MicroStatus EnergyEval(MicroContext& ctx) {
  int32_t start = 0, end = 0;
  EMBER_MICRO_RETURN_IF_ERROR(EnergyCheck(ctx, &start, &end));
  const MicroTensor out = ctx.output(0);
  ref::signal::SpectrumEnergy(ctx.input(0).as<int16_t>(), out.dim(0), start,
                              end, out.as<uint32_t>());
  return MicroStatus::kOk;
}

constexpr int32_t kCustom = static_cast<int32_t>(fb::BuiltinOperator::CUSTOM);

}  // namespace

const MicroOpRegistration kMicroSignalWindow = {
    kCustom, "SignalWindow", WindowPrepare, WindowEval, kMicroOpInPlaceInput0};
const MicroOpRegistration kMicroSignalFftAutoScale = {
    kCustom, "SignalFftAutoScale", AutoScalePrepare, AutoScaleEval,
    kMicroOpNone};
const MicroOpRegistration kMicroSignalRfft = {
    kCustom, "SignalRfft", RfftPrepare, RfftEval, kMicroOpNone};
const MicroOpRegistration kMicroSignalEnergy = {
    kCustom, "SignalEnergy", EnergyPrepare, EnergyEval, kMicroOpNone};

}  // namespace ember::micro
