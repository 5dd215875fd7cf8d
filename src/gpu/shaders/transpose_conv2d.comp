#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// TRANSPOSE_CONV (and MediaPipe's Convolution2DTransposeBias): input
// in0 [N, H, W, Ci], filter in1 [Co, KH, KW, Ci], bias in2 when p[16];
// each output element gathers the input pixels that scatter into it.
void main() {
  int idx = global_index();
  if (idx >= pc.p[17]) return;
  int H = pc.p[1], W = pc.p[2], Ci = pc.p[3], OH = pc.p[4], OW = pc.p[5];
  int Co = pc.p[6], KH = pc.p[7], KW = pc.p[8];
  int sh = pc.p[9], sw = pc.p[10];
  int co = idx % Co;
  int t = idx / Co;
  int ox = t % OW;
  t /= OW;
  int oy = t % OH;
  int n = t / OH;
  float sum = pc.p[16] != 0 ? load2(co) : 0.0;
  for (int ky = 0; ky < KH; ++ky) {
    int ty = oy + pc.p[13] - ky;
    if (ty < 0 || ty % sh != 0) continue;
    int iy = ty / sh;
    if (iy >= H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      int tx = ox + pc.p[14] - kx;
      if (tx < 0 || tx % sw != 0) continue;
      int ix = tx / sw;
      if (ix >= W) continue;
      int ib = ((n * H + iy) * W + ix) * Ci;
      int fb = ((co * KH + ky) * KW + kx) * Ci;
      for (int c = 0; c < Ci; ++c) sum += load0(ib + c) * load1(fb + c);
    }
  }
  store(idx, activate(sum));
}
