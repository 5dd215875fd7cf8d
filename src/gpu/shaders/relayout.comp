#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// NHWC <-> C4 (docs/gpu_layout.md), element by element. p[0] == 0: in0 is
// NHWC with C = p[1] channels, the output C4 with Cp = p[2] (padding lanes
// written as zero); p[0] == 1: the other way. p[3]: output elements.
void main() {
  int idx = global_index();
  if (idx >= pc.p[3]) return;
  int C = pc.p[1], Cp = pc.p[2];
  if (pc.p[0] == 0) {
    int c = idx % Cp;
    store(idx, c < C ? load0(idx / Cp * C + c) : 0.0);
  } else {
    store(idx, load0(idx / C * Cp + idx % C));
  }
}
