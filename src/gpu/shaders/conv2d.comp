#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// CONV_2D, NHWC input (in0), OHWI filter (in1, [Co, KH, KW, Ci/groups]),
// bias (in2, when p[16] != 0); one output element per invocation. Covers
// 1x1, KxK, strided, dilated and grouped convolutions.
void main() {
  int idx = global_index();
  if (idx >= pc.p[17]) return;
  int H = pc.p[1], W = pc.p[2], Ci = pc.p[3], OH = pc.p[4], OW = pc.p[5];
  int Co = pc.p[6], KH = pc.p[7], KW = pc.p[8];
  int groups = pc.p[15];
  int co = idx % Co;
  int t = idx / Co;
  int ox = t % OW;
  t /= OW;
  int oy = t % OH;
  int n = t / OH;
  int cig = Ci / groups;
  int ci0 = (co / (Co / groups)) * cig;
  int iy0 = oy * pc.p[9] - pc.p[13];
  int ix0 = ox * pc.p[10] - pc.p[14];
  float sum = pc.p[16] != 0 ? load2(co) : 0.0;
  for (int ky = 0; ky < KH; ++ky) {
    int iy = iy0 + ky * pc.p[11];
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      int ix = ix0 + kx * pc.p[12];
      if (ix < 0 || ix >= W) continue;
      int ib = ((n * H + iy) * W + ix) * Ci + ci0;
      int fb = ((co * KH + ky) * KW + kx) * cig;
      for (int c = 0; c < cig; ++c) sum += load0(ib + c) * load1(fb + c);
    }
  }
  store(idx, activate(sum));
}
