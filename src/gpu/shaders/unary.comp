#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Elementwise activations of in0 (p[1] elements). p[0]: 0 copy, 1 RELU,
// 2 RELU6, 3 RELU_N1_TO_1, 4 LOGISTIC, 5 TANH, 6 HARD_SWISH, 7 RELU_0_TO_1,
// 8 LEAKY_RELU (alpha: float bits in p[2]), 9 ELU.
void main() {
  int idx = global_index();
  if (idx >= pc.p[1]) return;
  // On a C4 tensor (p[21] = Cp > 0 channels of which p[20] are real) the
  // padding lanes stay zero: DIV or LOGISTIC of them would not be.
  if (pc.p[21] > 0 && idx % pc.p[21] >= pc.p[20]) {
    store(idx, 0.0);
    return;
  }
  float x = load0(idx);
  float r;
  switch (pc.p[0]) {
    case 1: r = max(x, 0.0); break;
    case 2: r = clamp(x, 0.0, 6.0); break;
    case 3: r = clamp(x, -1.0, 1.0); break;
    case 4: r = 1.0 / (1.0 + exp(-x)); break;
    case 5: {
      // tanh() of large |x| overflows exp() in some drivers.
      float e = exp(-2.0 * abs(x));
      r = sign(x) * (1.0 - e) / (1.0 + e);
      break;
    }
    case 6: r = x * clamp(x + 3.0, 0.0, 6.0) / 6.0; break;
    case 7: r = clamp(x, 0.0, 1.0); break;
    case 8: r = x >= 0.0 ? x : x * pf(2); break;
    case 9: r = x >= 0.0 ? x : exp(x) - 1.0; break;
    default: r = x; break;
  }
  store(idx, activate(r));
}
