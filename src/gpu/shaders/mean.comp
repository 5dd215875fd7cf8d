#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// MEAN over any of 4 axes: input dims p[0..3], p[4..7] 1 where reduced;
// output element idx indexes the kept-dims shape (p[8] elements).
void main() {
  int idx = global_index();
  if (idx >= pc.p[8]) return;
  int d[4] = int[4](pc.p[0], pc.p[1], pc.p[2], pc.p[3]);
  int o[4];
  int t = idx;
  for (int a = 3; a >= 0; --a) {
    int extent = pc.p[4 + a] != 0 ? 1 : d[a];
    o[a] = t % extent;
    t /= extent;
  }
  int r0 = pc.p[4] != 0 ? d[0] : 1, r1 = pc.p[5] != 0 ? d[1] : 1;
  int r2 = pc.p[6] != 0 ? d[2] : 1, r3 = pc.p[7] != 0 ? d[3] : 1;
  float sum = 0.0;
  for (int a = 0; a < r0; ++a)
    for (int b = 0; b < r1; ++b)
      for (int c = 0; c < r2; ++c)
        for (int e = 0; e < r3; ++e) {
          int i0 = o[0] + a, i1 = o[1] + b, i2 = o[2] + c, i3 = o[3] + e;
          sum += load0(((i0 * d[1] + i1) * d[2] + i2) * d[3] + i3);
        }
  store(idx, sum / float(r0 * r1 * r2 * r3));
}
