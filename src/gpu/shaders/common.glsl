// Shared by every shader: four storage buffers (0..2 read, 3 written),
// 32 words of push constants, a 1-D index over a 2-D dispatch, and the
// fused activation as a clamp range (words 30 and 31, float bits).
//
// Each shader is compiled twice: as is (fp32 storage) and with
// -DEMBER_FP16, where every buffer holds float16 (GL_EXT_shader_16bit_storage,
// the device feature storageBuffer16BitAccess). Shaders touch the buffers
// only through load0/1/2 and store, which widen to and narrow from float:
// arithmetic stays fp32, so only the storage rounds (and devices without
// shaderFloat16 arithmetic still run it).
#ifdef EMBER_FP16
#extension GL_EXT_shader_16bit_storage : require
#define EMBER_STORAGE float16_t
#else
#define EMBER_STORAGE float
#endif
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In0 { EMBER_STORAGE in0[]; };
layout(std430, binding = 1) readonly buffer In1 { EMBER_STORAGE in1[]; };
layout(std430, binding = 2) readonly buffer In2 { EMBER_STORAGE in2[]; };
layout(std430, binding = 3) writeonly buffer Out { EMBER_STORAGE outv[]; };
layout(push_constant) uniform Params { int p[32]; } pc;

float load0(int i) { return float(in0[i]); }
float load1(int i) { return float(in1[i]); }
float load2(int i) { return float(in2[i]); }
void store(int i, float v) { outv[i] = EMBER_STORAGE(v); }

int global_index() {
  return int(gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u +
             gl_GlobalInvocationID.x);
}
float pf(int i) { return intBitsToFloat(pc.p[i]); }
float activate(float v) { return clamp(v, pf(30), pf(31)); }
