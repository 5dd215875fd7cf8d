#version 450
#extension GL_GOOGLE_include_directive : require
#include "common_c4.glsl"
// CONV_2D (one group) on C4 tensors: in0 the C4 input [N, H, W, Ci4],
// in1 the filter packed at prepare as [Co4][KH][KW][Ci4] blocks of four
// vec4 (one per output lane, each holding four input channels), in2 the
// bias padded to Co4 vec4 (when p[16] != 0). One invocation computes one
// output vec4: four output channels of one pixel, each input vec4 loaded
// once for all four. Ci4 = p[3], Co4 = p[6] (counts of vec4).
void main() {
  int idx = global_index();
  if (idx >= pc.p[17]) return;
  int H = pc.p[1], W = pc.p[2], Ci4 = pc.p[3], OH = pc.p[4], OW = pc.p[5];
  int Co4 = pc.p[6], KH = pc.p[7], KW = pc.p[8];
  int co4 = idx % Co4;
  int t = idx / Co4;
  int ox = t % OW;
  t /= OW;
  int oy = t % OH;
  int n = t / OH;
  int iy0 = oy * pc.p[9] - pc.p[13];
  int ix0 = ox * pc.p[10] - pc.p[14];
  vec4 sum = pc.p[16] != 0 ? load2(co4) : vec4(0.0);
  for (int ky = 0; ky < KH; ++ky) {
    int iy = iy0 + ky * pc.p[11];
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      int ix = ix0 + kx * pc.p[12];
      if (ix < 0 || ix >= W) continue;
      int ib = ((n * H + iy) * W + ix) * Ci4;
      int fb = (((co4 * KH + ky) * KW + kx) * Ci4) * 4;
      for (int c = 0; c < Ci4; ++c) {
        vec4 x = load0(ib + c);
        sum += vec4(dot(x, load1(fb + 4 * c)), dot(x, load1(fb + 4 * c + 1)),
                    dot(x, load1(fb + 4 * c + 2)),
                    dot(x, load1(fb + 4 * c + 3)));
      }
    }
  }
  store(idx, activate(sum));
}
