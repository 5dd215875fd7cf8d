#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// PAD / PADV2 over 4-D: input dims p[0..3], output dims p[4..7], leading
// padding p[8..11], fill value (float bits) p[12], p[13] elements.
void main() {
  int idx = global_index();
  if (idx >= pc.p[13]) return;
  int t = idx;
  int src = 0;
  bool inside = true;
  int stride = 1;
  for (int a = 3; a >= 0; --a) {
    int o = t % pc.p[4 + a];
    t /= pc.p[4 + a];
    int i = o - pc.p[8 + a];
    if (i < 0 || i >= pc.p[a]) inside = false;
    src += i * stride;
    stride *= pc.p[a];
  }
  store(idx, inside ? load0(src) : pf(12));
}
