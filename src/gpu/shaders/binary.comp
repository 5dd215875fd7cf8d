#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Elementwise a (in0) op b (in1) with broadcast over 4-D: output dims
// p[1..4], element strides of a p[5..8] and of b p[9..12] (0 where
// broadcast). p[0]: 0 ADD, 1 SUB, 2 MUL, 3 DIV, 4 PRELU (b = alpha),
// 5 MAXIMUM, 6 MINIMUM, 7 SQUARED_DIFFERENCE.
void main() {
  int idx = global_index();
  if (idx >= pc.p[13]) return;
  // On a C4 tensor (p[21] = Cp > 0 channels of which p[20] are real) the
  // padding lanes stay zero: DIV or LOGISTIC of them would not be.
  if (pc.p[21] > 0 && idx % pc.p[21] >= pc.p[20]) {
    store(idx, 0.0);
    return;
  }
  int i3 = idx % pc.p[4];
  int t = idx / pc.p[4];
  int i2 = t % pc.p[3];
  t /= pc.p[3];
  int i1 = t % pc.p[2];
  int i0 = t / pc.p[2];
  float a = load0(i0 * pc.p[5] + i1 * pc.p[6] + i2 * pc.p[7] + i3 * pc.p[8]);
  float b = load1(i0 * pc.p[9] + i1 * pc.p[10] + i2 * pc.p[11] + i3 * pc.p[12]);
  float r;
  switch (pc.p[0]) {
    case 0: r = a + b; break;
    case 1: r = a - b; break;
    case 2: r = a * b; break;
    case 3: r = a / b; break;
    case 4: r = a >= 0.0 ? a : a * b; break;
    case 5: r = max(a, b); break;
    case 6: r = min(a, b); break;
    default: r = (a - b) * (a - b); break;
  }
  store(idx, activate(r));
}
