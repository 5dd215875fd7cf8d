// UNIDIRECTIONAL_SEQUENCE_LSTM: float32, and full-integer int8 with an int16
// cell state (the 8x8_16 scheme, 5 intermediates). Output and cell states
// are variable tensors that persist across invokes.
#include <cmath>
#include <cstdio>

#include "kernels/ref/lstm.h"
#include "ops/seq_util.h"

namespace ember::ops {
namespace {

// Input positions (the .tflite convention).
enum : int {
  kInput = 0,
  kInputToGate = 1,      // 1..4: input, forget, cell, output
  kRecurrentToGate = 5,  // 5..8
  kCellToGate = 9,       // 9..11: input, forget, output (peephole)
  kGateBias = 12,        // 12..15
  kProjection = 16,
  kProjectionBias = 17,
  kOutputState = 18,
  kCellState = 19,
  kLayerNorm = 20,  // 20..23
};

// Peephole input position of gate g (none for the cell gate).
int PeepholeInput(int g) {
  return g == 0 ? 9 : (g == 1 ? 10 : (g == 3 ? 11 : -1));
}

struct LstmData {
  bool integer;
  bool time_major;
  int max_time, batch;
  ref::LstmFloatParams fp;
  ref::LstmIntParams ip;
  int scratch16, scratch8, scratchf;
};

const char* const kGateNames[4] = {"input", "forget", "cell", "output"};

// Log2 of a power-of-two scale (the reference's tolerance).
bool ExactLog2(float x, int* out) {
  const float l = std::log(x) * (1.0f / std::log(2.0f));
  const float r = std::round(l);
  *out = static_cast<int>(r);
  return std::fabs(l - r) < 1e-3f;
}

Status CheckMatrix(OpContext& ctx, const Tensor* t, const char* what, int rows,
                   int cols) {
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, t, what, 2));
  EMBER_RETURN_IF_ERROR(seq::CheckDim(ctx, t, what, 0, rows));
  return seq::CheckDim(ctx, t, what, 1, cols);
}

Status CheckVector(OpContext& ctx, const Tensor* t, const char* what, int n) {
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, t, what, 1));
  return seq::CheckDim(ctx, t, what, 0, n);
}

// The LSTM's sizes and which optional input groups it has, read from the
// inputs present.
struct LstmLayout {
  int n_input = 0, n_cell = 0, n_output = 0;
  bool cifg = false;        // no input gate (coupled input and forget)
  bool peephole = false;    // cell-to-gate weights
  bool projection = false;  // projection weights (and maybe bias)
  bool layer_norm = false;  // per-gate layer norm coefficients
};

// Reads the sizes and checks that the optional groups are each all present
// or all absent.
Status ReadLayout(OpContext& ctx, const Tensor* input, LstmLayout* l) {
  for (int g = 1; g < 4; ++g) {
    if (ctx.input(kInputToGate + g) == nullptr ||
        ctx.input(kRecurrentToGate + g) == nullptr ||
        ctx.input(kGateBias + g) == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "the %s gate's weights and bias are required",
                       kGateNames[g]);
    }
  }
  const Tensor* i2o = ctx.input(kInputToGate + 3);
  const Tensor* r2o = ctx.input(kRecurrentToGate + 3);
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, i2o, "input_to_output_weights", 2));
  EMBER_RETURN_IF_ERROR(
      seq::CheckRank(ctx, r2o, "recurrent_to_output_weights", 2));
  l->n_input = input->shape.dims[2];
  l->n_cell = i2o->shape.dims[0];
  l->n_output = r2o->shape.dims[1];
  if (l->n_cell <= 0 || l->n_output <= 0 || l->n_input <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "empty LSTM (input %d, cell %d, output %d)", l->n_input,
                     l->n_cell, l->n_output);
  }
  l->cifg = ctx.input(kInputToGate) == nullptr;
  if (l->cifg != (ctx.input(kRecurrentToGate) == nullptr) ||
      l->cifg != (ctx.input(kGateBias) == nullptr)) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "input gate weights and bias must be all present or all absent (CIFG)");
  }
  l->peephole = ctx.input(kCellToGate + 2) != nullptr;
  if (l->peephole != (ctx.input(kCellToGate + 1) != nullptr) ||
      (ctx.input(kCellToGate) != nullptr && (l->cifg || !l->peephole)) ||
      (!l->cifg && l->peephole && ctx.input(kCellToGate) == nullptr)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "inconsistent peephole weights");
  }
  l->projection = ctx.input(kProjection) != nullptr;
  if (!l->projection && ctx.input(kProjectionBias) != nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "projection bias without projection weights");
  }
  if (!l->projection && l->n_output != l->n_cell) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "without projection the output size (%d) must equal the "
                     "cell count (%d)",
                     l->n_output, l->n_cell);
  }
  l->layer_norm =
      ctx.num_inputs() == 24 && ctx.input(kLayerNorm + 1) != nullptr;
  if (ctx.num_inputs() == 24) {
    for (int g = 0; g < 4; ++g) {
      const bool want = l->layer_norm && !(g == 0 && l->cifg);
      if ((ctx.input(kLayerNorm + g) != nullptr) != want) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "inconsistent layer norm coefficients (gate %s)",
                         kGateNames[g]);
      }
    }
  }
  return Status::Ok();
}

// Checks the shape of every weight, bias and coefficient tensor present.
Status CheckWeightShapes(OpContext& ctx, const LstmLayout& l) {
  char what[64];
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && l.cifg) continue;
    snprintf(what, sizeof(what), "input_to_%s_weights", kGateNames[g]);
    EMBER_RETURN_IF_ERROR(CheckMatrix(ctx, ctx.input(kInputToGate + g), what,
                                      l.n_cell, l.n_input));
    snprintf(what, sizeof(what), "recurrent_to_%s_weights", kGateNames[g]);
    EMBER_RETURN_IF_ERROR(CheckMatrix(ctx, ctx.input(kRecurrentToGate + g),
                                      what, l.n_cell, l.n_output));
    snprintf(what, sizeof(what), "%s_gate_bias", kGateNames[g]);
    EMBER_RETURN_IF_ERROR(
        CheckVector(ctx, ctx.input(kGateBias + g), what, l.n_cell));
    if (l.peephole && g != 2) {
      snprintf(what, sizeof(what), "cell_to_%s_weights", kGateNames[g]);
      EMBER_RETURN_IF_ERROR(
          CheckVector(ctx, ctx.input(PeepholeInput(g)), what, l.n_cell));
    }
    if (l.layer_norm) {
      snprintf(what, sizeof(what), "%s_layer_norm_coefficients", kGateNames[g]);
      EMBER_RETURN_IF_ERROR(
          CheckVector(ctx, ctx.input(kLayerNorm + g), what, l.n_cell));
    }
  }
  if (l.projection) {
    EMBER_RETURN_IF_ERROR(CheckMatrix(ctx, ctx.input(kProjection),
                                      "projection_weights", l.n_output,
                                      l.n_cell));
    if (ctx.input(kProjectionBias))
      EMBER_RETURN_IF_ERROR(CheckVector(ctx, ctx.input(kProjectionBias),
                                        "projection_bias", l.n_output));
  }
  return Status::Ok();
}

// The output and cell states: present, variable, batch x their size.
Status CheckStates(OpContext& ctx, const LstmLayout& l, int batch) {
  const Tensor* output_state = ctx.input(kOutputState);
  const Tensor* cell_state = ctx.input(kCellState);
  if (output_state == nullptr || cell_state == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "output and cell state inputs are required");
  }
  EMBER_RETURN_IF_ERROR(seq::CheckVariable(ctx, output_state, "output state"));
  EMBER_RETURN_IF_ERROR(seq::CheckVariable(ctx, cell_state, "cell state"));
  if (output_state->NumElements() != static_cast<int64_t>(batch) * l.n_output ||
      cell_state->NumElements() != static_cast<int64_t>(batch) * l.n_cell) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "state sizes (%lld output, %lld cell) do not match batch %d x "
        "(%d output, %d cell)",
        static_cast<long long>(output_state->NumElements()),
        static_cast<long long>(cell_state->NumElements()), batch, l.n_output,
        l.n_cell);
  }
  return Status::Ok();
}

// Every weight tensor present has `weights` type; biases `bias`, peephole
// and layer norm coefficients `coefficients`.
Status CheckWeightTypes(OpContext& ctx, DataType weights, DataType bias,
                        DataType coefficients) {
  for (int k = 1; k < ctx.num_inputs(); ++k) {
    const Tensor* w = ctx.input(k);
    if (w == nullptr || k == kOutputState || k == kCellState) continue;
    const bool is_bias =
        (k >= kGateBias && k < kGateBias + 4) || k == kProjectionBias;
    const bool is_peep = k >= kCellToGate && k < kCellToGate + 3;
    const bool is_ln = k >= kLayerNorm;
    const DataType want = is_bias              ? bias
                          : (is_peep || is_ln) ? coefficients
                                               : weights;
    if (w->type != want) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "input %d (%s) has type %s, expected %s", k, w->name,
                       DataTypeName(w->type), DataTypeName(want));
    }
  }
  return Status::Ok();
}

Status PrepareFloat(OpContext& ctx,
                    const fb::UnidirectionalSequenceLSTMOptions& options,
                    const LstmLayout& l, LstmData* d) {
  const Tensor* i2f = ctx.input(kInputToGate + 1);
  if (i2f->type != DataType::kFloat32) {
    return ctx.Error(StatusCode::kUnsupported,
                     "hybrid LSTM (float input, %s weights) is not supported",
                     DataTypeName(i2f->type));
  }
  EMBER_RETURN_IF_ERROR(CheckWeightTypes(
      ctx, DataType::kFloat32, DataType::kFloat32, DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(kOutputState), "output state",
                                  DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(kCellState), "cell state", DataType::kFloat32));
  seq::FloatAct act = seq::FloatAct::kNone;
  EMBER_RETURN_IF_ERROR(
      seq::ToFloatAct(ctx, options.fused_activation_function(), &act));
  d->fp.n_input = l.n_input;
  d->fp.n_cell = l.n_cell;
  d->fp.n_output = l.n_output;
  d->fp.activation = static_cast<ref::LstmAct>(act);
  d->fp.cell_clip = options.cell_clip();
  d->fp.proj_clip = options.proj_clip();
  return ctx.RequestScratch(sizeof(float) * 5 * static_cast<size_t>(l.n_cell),
                            &d->scratchf);
}

// The integer scheme's types, intermediates and quantization parameters.
Status CheckIntegerTensors(OpContext& ctx, const LstmLayout& l) {
  if (l.layer_norm) {
    return ctx.Error(StatusCode::kUnsupported,
                     "integer LSTM with layer normalization is not supported");
  }
  EMBER_RETURN_IF_ERROR(CheckWeightTypes(ctx, DataType::kInt8, DataType::kInt32,
                                         DataType::kInt16));
  const Tensor* output_state = ctx.input(kOutputState);
  const Tensor* cell_state = ctx.input(kCellState);
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, output_state, "output state", DataType::kInt8));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, cell_state, "cell state", DataType::kInt16));
  if (ctx.num_intermediates() != 5) {
    return ctx.Error(
        StatusCode::kUnsupported,
        "integer LSTM needs 5 intermediate tensors (8x8_16 scheme), has %d",
        ctx.num_intermediates());
  }
  const Tensor* hidden = ctx.intermediate(4);
  if (hidden == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "intermediate 4 (hidden) is missing");
  }
  EMBER_RETURN_IF_ERROR(
      seq::CheckQuantized(ctx, hidden, "hidden intermediate"));
  EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, ctx.input(kInput), "input"));
  EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, ctx.output(0), "output"));
  EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, output_state, "output state"));
  EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, cell_state, "cell state"));
  char what[64];
  for (int k = 1; k <= kProjection; ++k) {
    const Tensor* w = ctx.input(k);
    if (w == nullptr || (k >= kGateBias && k < kGateBias + 4)) continue;
    snprintf(what, sizeof(what), "input %d", k);
    EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, w, what));
  }
  return Status::Ok();
}

// The cell state's power-of-two scale and the clips in the quantized
// domains of the cell state and the output.
Status PrepareCellScaleAndClips(
    OpContext& ctx, const fb::UnidirectionalSequenceLSTMOptions& options,
    ref::LstmIntParams* p) {
  const Tensor* cell_state = ctx.input(kCellState);
  int cell_log2;
  if (!ExactLog2(cell_state->quant.scale0(), &cell_log2)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "cell state scale %g is not a power of two",
                     static_cast<double>(cell_state->quant.scale0()));
  }
  if (cell_log2 < -15 || cell_log2 > -9) {
    return ctx.Error(
        StatusCode::kUnsupported,
        "cell state scale 2^%d is outside the supported 2^-15 .. 2^-9",
        cell_log2);
  }
  p->cell_scale_log2 = cell_log2;
  const float cell_clip = options.cell_clip();
  const float proj_clip = options.proj_clip();
  p->cell_clip =
      cell_clip > 0.0f
          ? static_cast<int16_t>(std::min(
                std::max(cell_clip / cell_state->quant.scale0(), -32768.0f),
                32767.0f))
          : 0;
  p->proj_clip =
      proj_clip > 0.0f
          ? static_cast<int8_t>(std::min(
                std::max(proj_clip / ctx.output(0)->quant.scale0(), -128.0f),
                127.0f))
          : 0;
  return Status::Ok();
}

// The requantization multipliers of every gate, the hidden state and the
// projection, from effective scales computed in float like the reference.
// Without layer norm the gates are Q3.12.
void PrepareIntegerMultipliers(OpContext& ctx, const LstmLayout& l,
                               ref::LstmIntParams* p) {
  const Tensor* input = ctx.input(kInput);
  const Tensor* output_state = ctx.input(kOutputState);
  const Tensor* hidden = ctx.intermediate(4);
  const float gate_scale = static_cast<float>(std::pow(2.0, -12));
  const float input_scale = input->quant.scale0();
  const float state_scale = output_state->quant.scale0();
  const float hidden_scale = hidden->quant.scale0();
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && l.cifg) {
      p->input_mult[g] = p->recurrent_mult[g] = 0;
      p->input_shift[g] = p->recurrent_shift[g] = 0;
    } else {
      const float si = ctx.input(kInputToGate + g)->quant.scale0() *
                       input_scale / gate_scale;
      const float sr = ctx.input(kRecurrentToGate + g)->quant.scale0() *
                       state_scale / gate_scale;
      ref::QuantizeMultiplier(si, &p->input_mult[g], &p->input_shift[g]);
      ref::QuantizeMultiplier(sr, &p->recurrent_mult[g],
                              &p->recurrent_shift[g]);
    }
    p->cell_mult[g] = 0;
    p->cell_shift[g] = 0;
    if (l.peephole && g != 2 && ctx.input(PeepholeInput(g)) != nullptr) {
      const float sc = static_cast<float>(
          std::pow(2.0, p->cell_scale_log2) *
          ctx.input(PeepholeInput(g))->quant.scale0() / gate_scale);
      ref::QuantizeMultiplier(sc, &p->cell_mult[g], &p->cell_shift[g]);
    }
  }
  const float hidden_eff = static_cast<float>(
      std::pow(2.0, -15) / hidden_scale * std::pow(2.0, -15));
  ref::QuantizeMultiplier(hidden_eff, &p->hidden_mult, &p->hidden_shift);
  if (l.projection) {
    const float sp =
        ctx.input(kProjection)->quant.scale0() * hidden_scale / state_scale;
    ref::QuantizeMultiplier(sp, &p->proj_mult, &p->proj_shift);
  } else {
    p->proj_mult = 0;
    p->proj_shift = 0;
  }
  p->input_zero_point = input->quant.zero_point0();
  p->output_state_zero_point = output_state->quant.zero_point0();
  p->hidden_zero_point = hidden->quant.zero_point0();
}

Status PrepareInteger(OpContext& ctx,
                      const fb::UnidirectionalSequenceLSTMOptions& options,
                      const LstmLayout& l, LstmData* d) {
  d->integer = true;
  EMBER_RETURN_IF_ERROR(CheckIntegerTensors(ctx, l));
  ref::LstmIntParams& p = d->ip;
  p.n_input = l.n_input;
  p.n_cell = l.n_cell;
  p.n_output = l.n_output;
  EMBER_RETURN_IF_ERROR(PrepareCellScaleAndClips(ctx, options, &p));
  PrepareIntegerMultipliers(ctx, l, &p);
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(int16_t) * 5 * static_cast<size_t>(l.n_cell), &d->scratch16));
  return ctx.RequestScratch(static_cast<size_t>(l.n_cell), &d->scratch8);
}

Status Prepare(OpContext& ctx) {
  if (ctx.num_inputs() != 24 && ctx.num_inputs() != 20) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "expects 20 or 24 inputs, has %d", ctx.num_inputs());
  }
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 24, 1));
  const auto* options =
      ctx.op()->builtin_options_as_UnidirectionalSequenceLSTMOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "UnidirectionalSequenceLSTMOptions are missing");
  }
  const Tensor* input = ctx.input(kInput);
  Tensor* output = ctx.output(0);
  auto* d = ctx.op_data<LstmData>();
  *d = LstmData();
  d->time_major = options->time_major();
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, input, "input", 3));
  d->max_time = input->shape.dims[d->time_major ? 0 : 1];
  d->batch = input->shape.dims[d->time_major ? 1 : 0];
  LstmLayout layout;
  EMBER_RETURN_IF_ERROR(ReadLayout(ctx, input, &layout));
  EMBER_RETURN_IF_ERROR(CheckWeightShapes(ctx, layout));
  EMBER_RETURN_IF_ERROR(CheckStates(ctx, layout, d->batch));
  Shape out_shape = input->shape;
  out_shape.dims[2] = layout.n_output;
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, input, output));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, out_shape));
  if (input->type == DataType::kFloat32)
    return PrepareFloat(ctx, *options, layout, d);
  if (input->type != DataType::kInt8)
    return UnsupportedType(ctx, input, "input");
  return PrepareInteger(ctx, *options, layout, d);
}

template <typename T>
const T* Data(OpContext& ctx, int i) {
  const Tensor* t = ctx.input(i);
  return t ? t->data_as<T>() : nullptr;
}

Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<LstmData>();
  const Tensor* input = ctx.input(kInput);
  Tensor* output = ctx.output(0);
  Tensor* output_state = ctx.input(kOutputState);
  Tensor* cell_state = ctx.input(kCellState);
  const bool has_ln = ctx.num_inputs() == 24;
  auto row = [&](int t, int b) -> int64_t {
    return d.time_major ? static_cast<int64_t>(t) * d.batch + b
                        : static_cast<int64_t>(b) * d.max_time + t;
  };
  if (!d.integer) {
    ref::LstmFloatWeights w{};
    for (int g = 0; g < 4; ++g) {
      w.input_to_gate[g] = Data<float>(ctx, kInputToGate + g);
      w.recurrent_to_gate[g] = Data<float>(ctx, kRecurrentToGate + g);
      w.cell_to_gate[g] =
          PeepholeInput(g) >= 0 ? Data<float>(ctx, PeepholeInput(g)) : nullptr;
      w.layer_norm[g] = has_ln ? Data<float>(ctx, kLayerNorm + g) : nullptr;
      w.bias[g] = Data<float>(ctx, kGateBias + g);
    }
    w.projection = Data<float>(ctx, kProjection);
    w.projection_bias = Data<float>(ctx, kProjectionBias);
    const auto& p = d.fp;
    float* scratch = static_cast<float*>(ctx.scratch(d.scratchf));
    for (int t = 0; t < d.max_time; ++t) {
      for (int b = 0; b < d.batch; ++b) {
        ref::LstmStepFloat(
            p, w, input->data_as<float>() + row(t, b) * p.n_input,
            output_state->data_as<float>() +
                static_cast<int64_t>(b) * p.n_output,
            cell_state->data_as<float>() + static_cast<int64_t>(b) * p.n_cell,
            scratch, output->data_as<float>() + row(t, b) * p.n_output);
      }
    }
    return Status::Ok();
  }
  ref::LstmIntWeights w{};
  for (int g = 0; g < 4; ++g) {
    w.input_to_gate[g] = Data<int8_t>(ctx, kInputToGate + g);
    w.recurrent_to_gate[g] = Data<int8_t>(ctx, kRecurrentToGate + g);
    w.cell_to_gate[g] =
        PeepholeInput(g) >= 0 ? Data<int16_t>(ctx, PeepholeInput(g)) : nullptr;
    w.bias[g] = Data<int32_t>(ctx, kGateBias + g);
  }
  w.projection = Data<int8_t>(ctx, kProjection);
  w.projection_bias = Data<int32_t>(ctx, kProjectionBias);
  const auto& p = d.ip;
  int16_t* s16 = static_cast<int16_t*>(ctx.scratch(d.scratch16));
  int8_t* s8 = static_cast<int8_t*>(ctx.scratch(d.scratch8));
  for (int t = 0; t < d.max_time; ++t) {
    for (int b = 0; b < d.batch; ++b) {
      ref::LstmStepInt8(
          p, w, input->data_as<int8_t>() + row(t, b) * p.n_input,
          output_state->data_as<int8_t>() +
              static_cast<int64_t>(b) * p.n_output,
          cell_state->data_as<int16_t>() + static_cast<int64_t>(b) * p.n_cell,
          s16, s8, output->data_as<int8_t>() + row(t, b) * p.n_output);
    }
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_UNIDIRECTIONAL_SEQUENCE_LSTM() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM),
      "UNIDIRECTIONAL_SEQUENCE_LSTM",
      sizeof(LstmData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
