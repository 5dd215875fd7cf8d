// LSTM cell steps for UNIDIRECTIONAL_SEQUENCE_LSTM: float, and the
// full-integer "8x8_16" scheme (int8 activations and weights, int16 cell
// state, gates in int16 Q3.12 before and Q0.15 after their activation,
// with the fixed-point sigmoid/tanh that LiteRT's LSTM kernel uses).
//
// One call computes one time step for one batch row. Gate order throughout:
// 0 input, 1 forget, 2 cell (modulation), 3 output. Absent optional parts
// are nullptr: input gate (CIFG), peephole, layer norm, projection.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

// ---------------------------------------------------------------- float

enum class LstmAct : int8_t {
  kNone,
  kRelu,
  kReluN1To1,
  kRelu6,
  kTanh,
  kSigmoid
};

inline float LstmApplyAct(LstmAct act, float x) {
  switch (act) {
    case LstmAct::kNone:
      return x;
    case LstmAct::kRelu:
      return std::max(x, 0.0f);
    case LstmAct::kReluN1To1:
      return std::min(std::max(x, -1.0f), 1.0f);
    case LstmAct::kRelu6:
      return std::min(std::max(x, 0.0f), 6.0f);
    case LstmAct::kTanh:
      return std::tanh(x);
    case LstmAct::kSigmoid:
      return 1.0f / (1.0f + std::exp(-x));
  }
  return x;
}

struct LstmFloatWeights {
  const float* input_to_gate[4];      // [n_cell, n_input]; [0] optional
  const float* recurrent_to_gate[4];  // [n_cell, n_output]; [0] optional
  const float* cell_to_gate[4];       // peephole [n_cell]; [2] unused
  const float* layer_norm[4];         // [n_cell]; [2] used, all optional
  const float* bias[4];               // [n_cell]; [0] optional
  const float* projection;            // [n_output, n_cell], optional
  const float* projection_bias;       // [n_output], optional
};

struct LstmFloatParams {
  int n_input, n_cell, n_output;
  LstmAct activation;  // cell gate and output activation
  float cell_clip;     // > 0 enables clipping
  float proj_clip;
};

// scratch: 5 * n_cell floats.
inline void LstmStepFloat(const LstmFloatParams& p, const LstmFloatWeights& w,
                          const float* x, float* output_state,
                          float* cell_state, float* scratch, float* out) {
  const int nc = p.n_cell;
  float* gate[4] = {scratch, scratch + nc, scratch + 2 * nc, scratch + 3 * nc};
  float* hidden = scratch + 4 * nc;
  const bool cifg = w.input_to_gate[0] == nullptr;
  auto compute_gate = [&](int g, LstmAct act) {
    float* y = gate[g];
    const bool layer_norm = w.layer_norm[g] != nullptr;
    for (int r = 0; r < nc; ++r) {
      float acc = (layer_norm || w.bias[g] == nullptr) ? 0.0f : w.bias[g][r];
      const float* wi =
          w.input_to_gate[g] + static_cast<int64_t>(r) * p.n_input;
      for (int c = 0; c < p.n_input; ++c) acc += wi[c] * x[c];
      const float* wr =
          w.recurrent_to_gate[g] + static_cast<int64_t>(r) * p.n_output;
      for (int c = 0; c < p.n_output; ++c) acc += wr[c] * output_state[c];
      if (w.cell_to_gate[g]) acc += w.cell_to_gate[g][r] * cell_state[r];
      y[r] = acc;
    }
    if (layer_norm) {
      float sum = 0.0f;
      for (int r = 0; r < nc; ++r) sum += y[r];
      const float mean = sum / nc;
      float sq = 0.0f;
      for (int r = 0; r < nc; ++r) sq += (y[r] - mean) * (y[r] - mean);
      const float inv = 1.0f / std::sqrt(sq / nc + 1e-8f);
      for (int r = 0; r < nc; ++r) {
        y[r] = (y[r] - mean) * inv * w.layer_norm[g][r] +
               (w.bias[g] ? w.bias[g][r] : 0.0f);
      }
    }
    for (int r = 0; r < nc; ++r) y[r] = LstmApplyAct(act, y[r]);
  };
  if (!cifg) compute_gate(0, LstmAct::kSigmoid);
  compute_gate(1, LstmAct::kSigmoid);
  compute_gate(2, p.activation);
  for (int r = 0; r < nc; ++r) {
    const float in_gate = cifg ? 1.0f - gate[1][r] : gate[0][r];
    float c = cell_state[r] * gate[1][r] + in_gate * gate[2][r];
    if (p.cell_clip > 0.0f)
      c = std::min(std::max(c, -p.cell_clip), p.cell_clip);
    cell_state[r] = c;
  }
  compute_gate(3, LstmAct::kSigmoid);  // peephole sees the new cell state
  for (int r = 0; r < nc; ++r)
    hidden[r] = gate[3][r] * LstmApplyAct(p.activation, cell_state[r]);
  if (w.projection) {
    for (int o = 0; o < p.n_output; ++o) {
      float acc = w.projection_bias ? w.projection_bias[o] : 0.0f;
      const float* wp = w.projection + static_cast<int64_t>(o) * nc;
      for (int r = 0; r < nc; ++r) acc += wp[r] * hidden[r];
      if (p.proj_clip > 0.0f)
        acc = std::min(std::max(acc, -p.proj_clip), p.proj_clip);
      output_state[o] = acc;
    }
  } else {
    for (int o = 0; o < p.n_output; ++o) output_state[o] = hidden[o];
  }
  memcpy(out, output_state, sizeof(float) * p.n_output);
}

// -------------------------------------------------------------- integer

// Q-format fixed-point on int16 (value = raw * 2^-(15 - integer_bits)),
// with the rounding of the classic integer LSTM: sigmoid and tanh are built
// from exp on negative values (Taylor series around -1/8 plus a barrel
// shifter of exp(-2^k) factors) and a Newton-Raphson reciprocal.
namespace fx16 {

inline int16_t Wrap(int32_t v) { return static_cast<int16_t>(v); }

inline int16_t Mul(int16_t a, int16_t b) {  // saturating rounding doubling high
  if (a == b && a == -32768) return 32767;
  const int32_t ab = static_cast<int32_t>(a) * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

inline int16_t DivPot(int16_t x, int e) {  // rounding, half away from zero
  if (e == 0) return x;
  const int32_t mask = (1 << e) - 1;
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int16_t>((x >> e) + (rem > threshold ? 1 : 0));
}

inline int16_t MulPot(int16_t x, int e) {  // saturating x * 2^e
  if (e <= 0) return DivPot(x, -e);
  const int32_t threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return 32767;
  if (x < -threshold) return -32768;
  return static_cast<int16_t>(x * (1 << e));
}

// A 32-bit Q0.31-style constant narrowed to 16 bits with rounding.
inline int16_t Const(int32_t c32) {
  const int32_t mask = (1 << 16) - 1;
  const int32_t rem = c32 & mask;
  const int32_t threshold = (mask >> 1) + (c32 < 0 ? 1 : 0);
  return static_cast<int16_t>((c32 >> 16) + (rem > threshold ? 1 : 0));
}

// exp(a) for a in [-1/4, 0), Q0.15 in and out.
inline int16_t ExpSmall(int16_t a) {
  const int16_t c_exp = Const(1895147668);   // exp(-1/8)
  const int16_t c_third = Const(715827883);  // 1/3
  const int16_t x = Wrap(a + (1 << 12));     // a + 1/8
  const int16_t x2 = Mul(x, x), x3 = Mul(x2, x), x4 = Mul(x2, x2);
  const int16_t x4_4 = DivPot(x4, 2);
  const int16_t poly = DivPot(Wrap(Mul(Wrap(x4_4 + x3), c_third) + x2), 1);
  const int32_t sum = static_cast<int32_t>(c_exp) + Mul(c_exp, Wrap(x + poly));
  return static_cast<int16_t>(
      std::min<int32_t>(std::max<int32_t>(sum, -32768), 32767));
}

// exp(a) for a <= 0 with `ib` integer bits; result Q0.15.
inline int16_t ExpNegative(int16_t a, int ib) {
  const int fb = 15 - ib;
  const int16_t quarter = static_cast<int16_t>(1 << (fb - 2));
  const int16_t amq = Wrap((a & (quarter - 1)) - quarter);
  int16_t result = ExpSmall(MulPot(amq, ib));
  const int16_t rem = Wrap(amq - a);
  static const int32_t kFactors[7] = {
      1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = 0; k < 7; ++k) {
    const int e = k - 2;  // exp(-2^e)
    if (ib > e && (rem & (1 << (fb + e))))
      result = Mul(result, Const(kFactors[k]));
  }
  if (ib > 5 && a < Const(-(1 << (36 - ib)))) result = 0;
  if (a == 0) result = 32767;
  return result;
}

// Newton-Raphson for 1 / (1 + a), a in [0, 1]; returns x in Q2.13.
inline int16_t ReciprocalHalf(int16_t half_denominator) {
  int16_t x =
      Wrap(Const(1515870810) + Mul(half_denominator, Const(-1010580540)));
  for (int i = 0; i < 3; ++i) {
    const int16_t one_minus = Wrap((1 << 13) - Mul(half_denominator, x));
    x = Wrap(x + MulPot(Mul(x, one_minus), 2));
  }
  return x;
}

inline int16_t HalfSum(int16_t a, int16_t b) {
  const int32_t sum = static_cast<int32_t>(a) + b;
  return static_cast<int16_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

inline int16_t Logistic(int16_t a, int ib) {
  if (a == 0) return 16384;
  const int16_t neg_abs = a > 0 ? Wrap(-a) : a;
  const int16_t e = ExpNegative(neg_abs, ib);
  const int16_t x = ReciprocalHalf(HalfSum(e, 32767));
  const int16_t pos = MulPot(x, 1);  // 1/(1+e) = x/2 in Q2.13 -> Q0.15
  return a > 0 ? pos : Wrap(32767 - pos);
}

inline int16_t Tanh(int16_t a, int ib) {
  if (a == 0) return 0;
  const int16_t n = a < 0 ? a : Wrap(-a);
  const int16_t e = ExpNegative(n, ib + 1);  // exp(2n)
  const int16_t x = ReciprocalHalf(HalfSum(e, 32767));
  const int16_t t = MulPot(Wrap(x - (1 << 13)), 2);  // (1-e)/(1+e)
  return a < 0 ? Wrap(-t) : t;
}

}  // namespace fx16

struct LstmIntWeights {
  const int8_t* input_to_gate[4];
  const int8_t* recurrent_to_gate[4];
  const int16_t* cell_to_gate[4];  // peephole, [2] unused
  const int32_t* bias[4];
  const int8_t* projection;
  const int32_t* projection_bias;
};

struct LstmIntParams {
  int n_input, n_cell, n_output;
  int32_t input_mult[4];
  int input_shift[4];
  int32_t recurrent_mult[4];
  int recurrent_shift[4];
  int32_t cell_mult[4];
  int cell_shift[4];
  int32_t hidden_mult;
  int hidden_shift;
  int32_t proj_mult;
  int proj_shift;
  int32_t input_zero_point;
  int32_t output_state_zero_point;
  int32_t hidden_zero_point;
  int cell_scale_log2;  // cell state scale is 2^cell_scale_log2
  int16_t cell_clip;    // > 0 enables clipping
  int8_t proj_clip;
};

inline int16_t SaturateInt16(int32_t v) {
  return static_cast<int16_t>(
      std::min<int32_t>(std::max<int32_t>(v, -32768), 32767));
}

// scratch16: 5 * n_cell int16; scratch8: n_cell int8. The cell state must
// have between 0 and 6 integer bits (cell_scale_log2 in [-15, -9]).
inline void LstmStepInt8(const LstmIntParams& p, const LstmIntWeights& w,
                         const int8_t* x, int8_t* output_state,
                         int16_t* cell_state, int16_t* scratch16,
                         int8_t* scratch8, int8_t* out) {
  const int nc = p.n_cell;
  int16_t* gate[4] = {scratch16, scratch16 + nc, scratch16 + 2 * nc,
                      scratch16 + 3 * nc};
  int16_t* cell_tanh = scratch16 + 4 * nc;
  const bool cifg = w.input_to_gate[0] == nullptr;
  auto compute_gate = [&](int g, bool sigmoid) {
    int16_t* y = gate[g];
    for (int r = 0; r < nc; ++r) {
      // Sums wrap modulo 2^32 like the reference's int32 accumulators.
      uint32_t acc = w.bias[g] ? static_cast<uint32_t>(w.bias[g][r]) : 0u;
      const int8_t* wi =
          w.input_to_gate[g] + static_cast<int64_t>(r) * p.n_input;
      for (int c = 0; c < p.n_input; ++c)
        acc += static_cast<uint32_t>(
            static_cast<int32_t>(wi[c]) *
            (static_cast<int32_t>(x[c]) - p.input_zero_point));
      int32_t v = MultiplyByQuantizedMultiplier(
          static_cast<int32_t>(acc), p.input_mult[g], p.input_shift[g]);
      int16_t gv = SaturateInt16(v);
      uint32_t racc = 0;
      const int8_t* wr =
          w.recurrent_to_gate[g] + static_cast<int64_t>(r) * p.n_output;
      for (int c = 0; c < p.n_output; ++c)
        racc += static_cast<uint32_t>(static_cast<int32_t>(wr[c]) *
                                      (static_cast<int32_t>(output_state[c]) -
                                       p.output_state_zero_point));
      v = MultiplyByQuantizedMultiplier(static_cast<int32_t>(racc),
                                        p.recurrent_mult[g],
                                        p.recurrent_shift[g]);
      gv = SaturateInt16(v + gv);
      if (w.cell_to_gate[g]) {
        const int32_t prod =
            static_cast<int32_t>(w.cell_to_gate[g][r]) * cell_state[r];
        v = MultiplyByQuantizedMultiplier(prod, p.cell_mult[g],
                                          p.cell_shift[g]);
        gv = SaturateInt16(v + gv);
      }
      // Gate pre-activations are Q3.12.
      y[r] = sigmoid ? fx16::Logistic(gv, 3) : fx16::Tanh(gv, 3);
    }
  };
  if (!cifg) compute_gate(0, true);
  compute_gate(1, true);
  compute_gate(2, false);
  // Cell update: c = f * c + i * g, with i = 1 - f under CIFG.
  const int ig_shift = 30 + p.cell_scale_log2;
  for (int r = 0; r < nc; ++r) {
    const int16_t f = gate[1][r];
    const int16_t kept = static_cast<int16_t>(
        RoundingDivideByPOT(static_cast<int32_t>(f) * cell_state[r], 15));
    const int32_t in_gate = cifg ? 32767 - f : gate[0][r];
    const int16_t added = static_cast<int16_t>(RoundingDivideByPOT(
        in_gate * static_cast<int32_t>(gate[2][r]), ig_shift));
    int16_t c = SaturateInt16(static_cast<int32_t>(kept) + added);
    if (p.cell_clip > 0)
      c = std::min<int16_t>(std::max<int16_t>(c, -p.cell_clip), p.cell_clip);
    cell_state[r] = c;
  }
  compute_gate(3, true);
  // Hidden: o * tanh(c); the cell state has 15 + cell_scale_log2 integer
  // bits.
  for (int r = 0; r < nc; ++r)
    cell_tanh[r] = fx16::Tanh(cell_state[r], 15 + p.cell_scale_log2);
  for (int r = 0; r < nc; ++r) {
    int32_t v = static_cast<int32_t>(gate[3][r]) * cell_tanh[r];
    v = MultiplyByQuantizedMultiplier(v, p.hidden_mult, p.hidden_shift);
    v += p.hidden_zero_point;
    scratch8[r] =
        static_cast<int8_t>(std::min<int32_t>(std::max<int32_t>(v, -128), 127));
  }
  if (w.projection) {
    for (int o = 0; o < p.n_output; ++o) {
      uint32_t acc =
          w.projection_bias ? static_cast<uint32_t>(w.projection_bias[o]) : 0u;
      const int8_t* wp = w.projection + static_cast<int64_t>(o) * nc;
      for (int r = 0; r < nc; ++r)
        acc += static_cast<uint32_t>(
            static_cast<int32_t>(wp[r]) *
            (static_cast<int32_t>(scratch8[r]) - p.hidden_zero_point));
      int32_t v = MultiplyByQuantizedMultiplier(static_cast<int32_t>(acc),
                                                p.proj_mult, p.proj_shift);
      v += p.output_state_zero_point;
      v = std::min<int32_t>(std::max<int32_t>(v, -128), 127);
      if (p.proj_clip > 0)
        v = std::min<int32_t>(std::max<int32_t>(v, -p.proj_clip), p.proj_clip);
      output_state[o] = static_cast<int8_t>(v);
    }
  } else {
    memcpy(output_state, scratch8, p.n_output);
  }
  memcpy(out, output_state, p.n_output);
}

}  // namespace ember::ref
