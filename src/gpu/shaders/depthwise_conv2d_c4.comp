#version 450
#extension GL_GOOGLE_include_directive : require
#include "common_c4.glsl"
// DEPTHWISE_CONV_2D with depth multiplier 1 on C4 tensors: in0 the C4
// input, in1 the filter [KH, KW, C4] (channels padded with zeros), in2 the
// padded bias (when p[16] != 0); one output vec4 per invocation. C4 = p[6].
void main() {
  int idx = global_index();
  if (idx >= pc.p[17]) return;
  int H = pc.p[1], W = pc.p[2], OH = pc.p[4], OW = pc.p[5];
  int C4 = pc.p[6], KH = pc.p[7], KW = pc.p[8];
  int c4 = idx % C4;
  int t = idx / C4;
  int ox = t % OW;
  t /= OW;
  int oy = t % OH;
  int n = t / OH;
  int iy0 = oy * pc.p[9] - pc.p[13];
  int ix0 = ox * pc.p[10] - pc.p[14];
  vec4 sum = pc.p[16] != 0 ? load2(c4) : vec4(0.0);
  for (int ky = 0; ky < KH; ++ky) {
    int iy = iy0 + ky * pc.p[11];
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      int ix = ix0 + kx * pc.p[12];
      if (ix < 0 || ix >= W) continue;
      sum += load0(((n * H + iy) * W + ix) * C4 + c4) *
             load1((ky * KW + kx) * C4 + c4);
    }
  }
  store(idx, activate(sum));
}
