// Shared by the "C4" shaders (docs/gpu_layout.md): the same four bindings
// and push constants as common.glsl, but every buffer is an array of
// 4-channel vectors. A C4 activation is NHWC with the channel count padded
// to Cp = 4 * ceil(C / 4), the padding lanes zero, so one vec4 load (16
// bytes; 8 with float16 storage) reads four channels of one pixel and the
// channel loop needs no tail. Weights are packed at prepare to match
// (zeros where they meet padding lanes, so padding never leaks in).
#ifdef EMBER_FP16
#extension GL_EXT_shader_16bit_storage : require
#define EMBER_STORAGE4 f16vec4
#else
#define EMBER_STORAGE4 vec4
#endif
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In0 { EMBER_STORAGE4 in0[]; };
layout(std430, binding = 1) readonly buffer In1 { EMBER_STORAGE4 in1[]; };
layout(std430, binding = 2) readonly buffer In2 { EMBER_STORAGE4 in2[]; };
layout(std430, binding = 3) writeonly buffer Out { EMBER_STORAGE4 outv[]; };
layout(push_constant) uniform Params { int p[32]; } pc;

vec4 load0(int i) { return vec4(in0[i]); }
vec4 load1(int i) { return vec4(in1[i]); }
vec4 load2(int i) { return vec4(in2[i]); }
void store(int i, vec4 v) { outv[i] = EMBER_STORAGE4(v); }

int global_index() {
  return int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u +
             gl_GlobalInvocationID.x);
}
float pf(int i) { return intBitsToFloat(pc.p[i]); }
vec4 activate(vec4 v) { return clamp(v, vec4(pf(30)), vec4(pf(31))); }
