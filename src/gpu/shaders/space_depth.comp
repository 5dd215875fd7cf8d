#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// DEPTH_TO_SPACE (p[0] == 0) and SPACE_TO_DEPTH (p[0] == 1), NHWC, block
// size p[9], TFLite's channel order (block row, block column, channel).
// Input dims p[1..4], output dims p[5..8], p[10] output elements.
void main() {
  int idx = global_index();
  if (idx >= pc.p[10]) return;
  int H = pc.p[2], W = pc.p[3], C = pc.p[4];
  int OW = pc.p[7], OC = pc.p[8], OH = pc.p[6], b = pc.p[9];
  int c = idx % OC;
  int t = idx / OC;
  int x = t % OW;
  t /= OW;
  int y = t % OH;
  int n = t / OH;
  int src;
  if (pc.p[0] == 0) {
    int ic = ((y % b) * b + x % b) * OC + c;
    src = ((n * H + y / b) * W + x / b) * C + ic;
  } else {
    int block = c / C;
    int iy = y * b + block / b, ix = x * b + block % b;
    src = ((n * H + iy) * W + ix) * C + c % C;
  }
  store(idx, load0(src));
}
