#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// CONCATENATION, one input at a time: in0 viewed as [outer, p[1]] goes to
// columns p[3] .. p[3] + p[1] of the output viewed as [outer, p[2]].
void main() {
  int idx = global_index();
  if (idx >= pc.p[4]) return;
  int row = idx / pc.p[1];
  int col = idx % pc.p[1];
  store(row * pc.p[2] + pc.p[3] + col, activate(load0(idx)));
}
