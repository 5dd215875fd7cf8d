#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// FULLY_CONNECTED: input rows in0 [M, K], weights in1 [N, K], bias in2
// when p[3] != 0; output [M, N].
void main() {
  int idx = global_index();
  if (idx >= pc.p[4]) return;
  int K = pc.p[1], N = pc.p[2];
  int nn = idx % N;
  int m = idx / N;
  float sum = pc.p[3] != 0 ? load2(nn) : 0.0;
  for (int k = 0; k < K; ++k) sum += load0(m * K + k) * load1(nn * K + k);
  store(idx, activate(sum));
}
