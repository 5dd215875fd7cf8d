// JPEG decoding: EXIF orientation and truncated files. The JPEGs are made
// with libjpeg (util/test_images.h), so the test needs no files; the corner
// positions come from the EXIF specification's orientation table.
#include "processing/exif.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "processing/image.h"
#include "util/test_images.h"

namespace ember {
namespace {

using processing::Image;
using test::EncodeJpeg;
using test::ExifPayload;

// 32x16, four flat quadrants: red top-left, green top-right, blue
// bottom-left, white bottom-right (flat so JPEG keeps them apart).
Image Quadrants() {
  Image im(32, 16, 3);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 32; ++x) {
      const bool right = x >= 16, bottom = y >= 8;
      uint8_t* p = im.at(x, y);
      p[0] = !bottom ? (right ? 0 : 255) : (right ? 255 : 0);
      p[1] = !bottom ? (right ? 255 : 0) : (right ? 255 : 0);
      p[2] = bottom ? 255 : 0;
    }
  }
  return im;
}

enum Corner { kTL, kTR, kBL, kBR };

// The colour near a corner of `im` ('r', 'g', 'b', 'w' or '?').
char ColourAt(const Image& im, Corner c) {
  const int x = (c == kTR || c == kBR) ? im.width - 3 : 2;
  const int y = (c == kBL || c == kBR) ? im.height - 3 : 2;
  const uint8_t* p = im.at(x, y);
  auto hi = [](uint8_t v) { return v > 200; };
  auto lo = [](uint8_t v) { return v < 55; };
  if (hi(p[0]) && lo(p[1]) && lo(p[2])) return 'r';
  if (lo(p[0]) && hi(p[1]) && lo(p[2])) return 'g';
  if (lo(p[0]) && lo(p[1]) && hi(p[2])) return 'b';
  if (hi(p[0]) && hi(p[1]) && hi(p[2])) return 'w';
  return '?';
}

TEST(JpegExif, EveryOrientationStandsUpright) {
  // Where the stored top-left (red) and top-right (green) corners are
  // displayed, per the EXIF orientation table.
  struct Case {
    int orientation;
    Corner red, green;
  };
  const Case cases[] = {{1, kTL, kTR}, {2, kTR, kTL}, {3, kBR, kBL},
                        {4, kBL, kBR}, {5, kTL, kBL}, {6, kTR, kBR},
                        {7, kBR, kTR}, {8, kBL, kTL}};
  for (bool big_endian : {false, true}) {
    for (const Case& c : cases) {
      SCOPED_TRACE("orientation " + std::to_string(c.orientation) +
                   (big_endian ? " MM" : " II"));
      const auto jpeg =
          EncodeJpeg(Quadrants(), ExifPayload(c.orientation, big_endian));
      Image im;
      std::string error;
      ASSERT_TRUE(processing::DecodeImage(jpeg, &im, &error)) << error;
      const bool turned = c.orientation >= 5;
      EXPECT_EQ(im.width, turned ? 16 : 32);
      EXPECT_EQ(im.height, turned ? 32 : 16);
      EXPECT_EQ(ColourAt(im, c.red), 'r');
      EXPECT_EQ(ColourAt(im, c.green), 'g');
    }
  }
}

TEST(JpegExif, MissingOrDamagedTagsLeaveTheImageAsStored) {
  Image im;
  std::string error;
  ASSERT_TRUE(
      processing::DecodeImage(EncodeJpeg(Quadrants(), {}), &im, &error));
  EXPECT_EQ(ColourAt(im, kTL), 'r');
  // IFD offset past the end, an orientation of 9, a non-EXIF APP1.
  auto bad_offset = ExifPayload(6, false);
  bad_offset[10] = 0xF0;
  EXPECT_EQ(processing::ExifOrientation(bad_offset), 1);
  EXPECT_EQ(processing::ExifOrientation(ExifPayload(9, true)), 1);
  const std::vector<uint8_t> xmp = {'h', 't', 't', 'p', ':', '/', '/', 'n',
                                    's', '.', 'a', 'd', 'o', 'b', 'e'};
  EXPECT_EQ(processing::ExifOrientation(xmp), 1);
  ASSERT_TRUE(processing::DecodeImage(EncodeJpeg(Quadrants(), bad_offset), &im,
                                      &error));
  EXPECT_EQ(im.width, 32);
  // Random payloads behind a valid prefix: never a read out of bounds
  // (ASan/valgrind catch one), always an orientation in 1..8.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    auto p = ExifPayload(6, i % 2 == 0);
    p.resize(6 + rng() % 40);
    for (size_t k = 6; k < p.size(); ++k) {
      if (rng() % 4 == 0) p[k] = static_cast<uint8_t>(rng());
    }
    const int o = processing::ExifOrientation(p);
    EXPECT_GE(o, 1);
    EXPECT_LE(o, 8);
  }
}

TEST(JpegExif, TruncatedJpegIsAnErrorNotAGreyImage) {
  // Big and busy enough that the cut falls inside the scan data.
  Image busy(128, 128, 3);
  std::mt19937 rng(3);
  for (uint8_t& v : busy.pixels) v = static_cast<uint8_t>(rng());
  const auto jpeg = EncodeJpeg(busy, {});
  Image im;
  std::string error;
  ASSERT_TRUE(processing::DecodeImage(jpeg, &im, &error)) << error;
  const std::vector<uint8_t> cut(jpeg.begin(),
                                 jpeg.begin() + jpeg.size() * 2 / 3);
  EXPECT_FALSE(processing::DecodeImage(cut, &im, &error));
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
  EXPECT_TRUE(im.empty());
}

}  // namespace
}  // namespace ember
