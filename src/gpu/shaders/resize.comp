#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// RESIZE_BILINEAR (p[6] == 1) and RESIZE_NEAREST_NEIGHBOR (p[6] == 0),
// NHWC, with TFLite's coordinate rules: scales (float bits) p[7], p[8];
// align_corners p[9], half_pixel_centers p[10]; p[11] elements.
void main() {
  int idx = global_index();
  if (idx >= pc.p[11]) return;
  int H = pc.p[1], W = pc.p[2], C = pc.p[3], OH = pc.p[4], OW = pc.p[5];
  int c = idx % C;
  int t = idx / C;
  int ox = t % OW;
  t /= OW;
  int oy = t % OH;
  int n = t / OH;
  float sy = pf(7), sx = pf(8);
  bool half_pixel = pc.p[10] != 0;
  int base = n * H * W * C + c;
  if (pc.p[6] == 1) {
    float fy = half_pixel ? (float(oy) + 0.5) * sy - 0.5 : float(oy) * sy;
    float fx = half_pixel ? (float(ox) + 0.5) * sx - 0.5 : float(ox) * sx;
    int y0 = max(int(floor(fy)), 0), y1 = min(int(ceil(fy)), H - 1);
    int x0 = max(int(floor(fx)), 0), x1 = min(int(ceil(fx)), W - 1);
    float dy = fy - float(y0), dx = fx - float(x0);
    store(idx, load0(base + (y0 * W + x0) * C) * (1.0 - dy) * (1.0 - dx) +
                   load0(base + (y1 * W + x0) * C) * dy * (1.0 - dx) +
                   load0(base + (y0 * W + x1) * C) * (1.0 - dy) * dx +
                   load0(base + (y1 * W + x1) * C) * dy * dx);
  } else {
    float off = half_pixel ? 0.5 : 0.0;
    float vy = (float(oy) + off) * sy, vx = (float(ox) + off) * sx;
    // align_corners rounds half away from zero (values are >= 0 here).
    int iy = pc.p[9] != 0 ? int(floor(vy + 0.5)) : int(floor(vy));
    int ix = pc.p[9] != 0 ? int(floor(vx + 0.5)) : int(floor(vx));
    iy = max(min(iy, H - 1), 0);
    ix = max(min(ix, W - 1), 0);
    store(idx, load0(base + (iy * W + ix) * C));
  }
}
