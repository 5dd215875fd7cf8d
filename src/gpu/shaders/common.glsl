// Shared by every shader: four storage buffers (0..2 read, 3 written),
// 32 words of push constants, a 1-D index over a 2-D dispatch, and the
// fused activation as a clamp range (words 30 and 31, float bits).
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In0 { float in0[]; };
layout(std430, binding = 1) readonly buffer In1 { float in1[]; };
layout(std430, binding = 2) readonly buffer In2 { float in2[]; };
layout(std430, binding = 3) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform Params { int p[32]; } pc;

int global_index() {
  return int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u +
             gl_GlobalInvocationID.x);
}
float pf(int i) { return intBitsToFloat(pc.p[i]); }
float activate(float v) { return clamp(v, pf(30), pf(31)); }
