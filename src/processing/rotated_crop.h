// Rotated crops: sampling a rotated rectangle of an image into an upright
// picture (bilinear), and mapping points between the two. The landmark
// tasks use it to cut a face or hand out of the image at the angle its
// detector found, as MediaPipe's ImageToTensor does with a rotated ROI.
#pragma once

#include "processing/image.h"

namespace ember::processing {

// A rectangle in source pixel coordinates (pixel centres at integers, as
// the bilinear samplers here use them), turned by `rotation` radians about
// its centre; positive turns it clockwise on screen (y points down).
struct RotatedRect {
  float center_x = 0, center_y = 0;
  float width = 0, height = 0;
  float rotation = 0;
};

// What a sample outside the source image reads.
enum class Border { kZero, kReplicate };

// (u, v) in the rectangle's own frame, normalized: (0, 0) its top-left
// corner, (1, 1) the bottom-right one, u along its width -> source pixel
// coordinates.
void RectToSource(const RotatedRect& rect, float u, float v, float* x,
                  float* y);
// The inverse: source pixel coordinates -> (u, v) in the rectangle.
void SourceToRect(const RotatedRect& rect, float x, float y, float* u,
                  float* v);

// The rectangle sampled into a width x height image: output pixel (i, j)
// reads the source at RectToSource(i / width, j / height) (pixel corners
// mapped to the rectangle's corners, as an affine warp of its corner points
// does), bilinear, each channel rounded to 8 bits.
Image WarpRotatedRect(const Image& src, const RotatedRect& rect, int width,
                      int height, Border border = Border::kZero);

// Bilinear value of channel `c` at source coordinates (x, y).
float SampleBilinear(const Image& src, float x, float y, int c, Border border);

}  // namespace ember::processing
