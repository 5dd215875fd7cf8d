#version 450
#extension GL_GOOGLE_include_directive : require
#include "common_c4.glsl"
// AVERAGE_POOL_2D (p[12] == 0) and MAX_POOL_2D (p[12] == 1) on C4 tensors,
// one output vec4 (four channels of one pixel) per invocation; C4 = p[3]
// (count of vec4 per pixel). Pooling the zero padding lanes gives zero.
void main() {
  int idx = global_index();
  if (idx >= pc.p[13]) return;
  int H = pc.p[1], W = pc.p[2], C4 = pc.p[3], OH = pc.p[4], OW = pc.p[5];
  int c4 = idx % C4;
  int t = idx / C4;
  int ox = t % OW;
  t /= OW;
  int oy = t % OH;
  int n = t / OH;
  int iy0 = oy * pc.p[8] - pc.p[10];
  int ix0 = ox * pc.p[9] - pc.p[11];
  int y_start = max(0, -iy0), y_end = min(pc.p[6], H - iy0);
  int x_start = max(0, -ix0), x_end = min(pc.p[7], W - ix0);
  bool is_max = pc.p[12] == 1;
  vec4 acc = vec4(is_max ? -3.402823466e38 : 0.0);
  int count = 0;
  for (int ky = y_start; ky < y_end; ++ky) {
    for (int kx = x_start; kx < x_end; ++kx) {
      vec4 v = load0(((n * H + iy0 + ky) * W + ix0 + kx) * C4 + c4);
      acc = is_max ? max(acc, v) : acc + v;
      ++count;
    }
  }
  if (!is_max) acc = count > 0 ? acc / float(count) : vec4(0.0);
  store(idx, activate(acc));
}
