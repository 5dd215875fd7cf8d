// Writes the media fuzzer's seeds into DIR: small valid files of every kind
// the decoders read (baseline JPEG with and without an EXIF orientation,
// PNG gray and RGB, BMP 24-bit, WAV 16-bit), so that the fuzzer starts
// inside each format instead of guessing its signature.
//   ember_media_seeds DIR
#include <cstdio>
#include <string>
#include <vector>

#include "processing/image.h"
#include "util/test_images.h"

namespace {

using ember::processing::Image;

bool Write(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

void PutLe(std::vector<uint8_t>* b, uint32_t v, int n) {
  for (int k = 0; k < n; ++k) b->push_back(static_cast<uint8_t>(v >> (8 * k)));
}

// A 24-bit bottom-up BMP of `im` (rows padded to 4 bytes).
std::vector<uint8_t> Bmp24(const Image& im) {
  const uint32_t row = (static_cast<uint32_t>(im.width) * 3 + 3) & ~3u;
  const uint32_t pixels = row * static_cast<uint32_t>(im.height);
  std::vector<uint8_t> b = {'B', 'M'};
  PutLe(&b, 54 + pixels, 4);
  PutLe(&b, 0, 4);
  PutLe(&b, 54, 4);
  PutLe(&b, 40, 4);
  PutLe(&b, static_cast<uint32_t>(im.width), 4);
  PutLe(&b, static_cast<uint32_t>(im.height), 4);
  PutLe(&b, 1, 2);
  PutLe(&b, 24, 2);
  for (int k = 0; k < 6; ++k) PutLe(&b, 0, 4);
  for (int y = im.height - 1; y >= 0; --y) {
    for (int x = 0; x < im.width; ++x) {
      const uint8_t* p = im.at(x, y);
      b.insert(b.end(), {p[2], p[1], p[0]});
    }
    b.resize(b.size() + (row - static_cast<uint32_t>(im.width) * 3), 0);
  }
  return b;
}

std::vector<uint8_t> Wav16(int rate, int samples) {
  std::vector<uint8_t> b = {'R', 'I', 'F', 'F'};
  PutLe(&b, 36 + 2 * samples, 4);
  b.insert(b.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
  PutLe(&b, 16, 4);
  PutLe(&b, 1, 2);  // PCM
  PutLe(&b, 1, 2);  // mono
  PutLe(&b, static_cast<uint32_t>(rate), 4);
  PutLe(&b, static_cast<uint32_t>(rate) * 2, 4);
  PutLe(&b, 2, 2);
  PutLe(&b, 16, 2);
  b.insert(b.end(), {'d', 'a', 't', 'a'});
  PutLe(&b, 2 * samples, 4);
  for (int i = 0; i < samples; ++i)
    PutLe(&b, static_cast<uint32_t>(i * 997), 2);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ember_media_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  Image rgb(9, 7, 3), gray(5, 3, 1);
  for (size_t i = 0; i < rgb.pixels.size(); ++i) rgb.pixels[i] = i * 37 & 255;
  for (size_t i = 0; i < gray.pixels.size(); ++i) gray.pixels[i] = i * 51 & 255;
  std::vector<uint8_t> png_rgb, png_gray;
  std::string error;
  bool ok = ember::processing::EncodePng(rgb, &png_rgb, &error) &&
            ember::processing::EncodePng(gray, &png_gray, &error);
  ok = ok && Write(dir + "/rgb.jpg", ember::test::EncodeJpeg(rgb, {})) &&
       Write(dir + "/exif6.jpg",
             ember::test::EncodeJpeg(rgb, ember::test::ExifPayload(6, true))) &&
       Write(dir + "/rgb.png", png_rgb) && Write(dir + "/gray.png", png_gray) &&
       Write(dir + "/rgb.bmp", Bmp24(rgb)) &&
       Write(dir + "/clip.wav", Wav16(8000, 40));
  if (!ok) {
    std::fprintf(stderr, "ember_media_seeds: cannot write seeds into %s %s\n",
                 dir.c_str(), error.c_str());
    return 1;
  }
  return 0;
}
