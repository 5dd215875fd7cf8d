// Test inputs for the image decoders, made with libjpeg so that no test
// needs an image file: shared by the EXIF tests and the media fuzzer's seeds.
#pragma once

#include <cstdint>
#include <vector>

#include "processing/image.h"

namespace ember::test {

// `im` (RGB) as a quality-100 baseline JPEG, with `app1` (when not empty) as
// an APP1 segment right after the JFIF header.
std::vector<uint8_t> EncodeJpeg(const processing::Image& im,
                                const std::vector<uint8_t>& app1);

// An APP1 payload ("Exif\0\0" + TIFF) with one IFD0 entry: the orientation
// tag (SHORT) set to `value`, in big- or little-endian byte order.
std::vector<uint8_t> ExifPayload(int value, bool big_endian);

}  // namespace ember::test
