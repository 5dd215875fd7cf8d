#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// SOFTMAX over the last axis: p[0] rows of p[1] values, beta p[2].
void main() {
  int row = global_index();
  if (row >= pc.p[0]) return;
  int D = pc.p[1];
  float beta = pf(2);
  int base = row * D;
  float m = -3.402823466e38;
  for (int i = 0; i < D; ++i) m = max(m, load0(base + i));
  float sum = 0.0;
  for (int i = 0; i < D; ++i) sum += exp((load0(base + i) - m) * beta);
  for (int i = 0; i < D; ++i)
    store(base + i, exp((load0(base + i) - m) * beta) / sum);
}
