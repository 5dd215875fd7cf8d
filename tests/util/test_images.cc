// Made with libjpeg (see test_images.h).
#include "util/test_images.h"

#include <jpeglib.h>

#include <cstdio>
#include <cstdlib>

namespace ember::test {

using processing::Image;

std::vector<uint8_t> EncodeJpeg(const Image& im,
                                const std::vector<uint8_t>& app1) {
  jpeg_compress_struct info;
  jpeg_error_mgr err;
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(im.width);
  info.image_height = static_cast<JDIMENSION>(im.height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 100, TRUE);
  jpeg_start_compress(&info, TRUE);
  if (!app1.empty()) {
    jpeg_write_marker(&info, JPEG_APP0 + 1, app1.data(),
                      static_cast<unsigned>(app1.size()));
  }
  while (info.next_scanline < info.image_height) {
    JSAMPROW row =
        const_cast<uint8_t*>(im.at(0, static_cast<int>(info.next_scanline)));
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  std::vector<uint8_t> out(buffer, buffer + size);
  jpeg_destroy_compress(&info);
  free(buffer);
  return out;
}

std::vector<uint8_t> ExifPayload(int value, bool big_endian) {
  std::vector<uint8_t> p = {'E', 'x', 'i', 'f', 0, 0};
  auto u16 = [&](uint32_t v) {
    if (big_endian) {
      p.push_back(static_cast<uint8_t>(v >> 8));
      p.push_back(static_cast<uint8_t>(v));
    } else {
      p.push_back(static_cast<uint8_t>(v));
      p.push_back(static_cast<uint8_t>(v >> 8));
    }
  };
  auto u32 = [&](uint32_t v) {
    u16(big_endian ? v >> 16 : v & 0xFFFF);
    u16(big_endian ? v & 0xFFFF : v >> 16);
  };
  p.push_back(big_endian ? 'M' : 'I');
  p.push_back(big_endian ? 'M' : 'I');
  u16(42);
  u32(8);  // IFD0 right after the header
  u16(1);  // one entry
  u16(0x0112);
  u16(3);  // SHORT
  u32(1);
  u16(static_cast<uint32_t>(value));
  u16(0);
  u32(0);  // no next IFD
  return p;
}

}  // namespace ember::test
