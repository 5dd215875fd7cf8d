// EXIF orientation: cameras store the sensor's pixels as read out and record
// in an APP1 "Exif" segment how the picture must be turned to stand upright.
// Users expect a phone photo to be classified the way they see it, so JPEG
// decoding applies the tag.
#pragma once

#include <cstdint>
#include <span>

#include "processing/image.h"

namespace ember::processing {

// The orientation (1..8, TIFF tag 0x0112) recorded in an APP1 segment's
// payload (starting at "Exif\0\0"), or 1 when the payload is not EXIF, has
// no orientation, or is malformed (a damaged tag must not refuse the image).
int ExifOrientation(std::span<const uint8_t> app1);

// `src` turned upright for EXIF orientation `orientation`: 2 mirror, 3 turn
// 180 degrees, 4 flip, 5 transpose, 6 turn 90 clockwise, 7 transverse,
// 8 turn 90 counter-clockwise. Values outside 2..8 return `src` unchanged.
Image ApplyExifOrientation(const Image& src, int orientation);

}  // namespace ember::processing
