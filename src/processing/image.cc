#include "processing/image.h"

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

#include <array>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "processing/exif.h"

namespace ember::processing {
namespace {

bool TooLarge(int64_t w, int64_t h, std::string* error) {
  if (w <= 0 || h <= 0) {
    *error = "image has no pixels (" + std::to_string(w) + "x" +
             std::to_string(h) + ")";
    return true;
  }
  if (w * h > kMaxImagePixels) {
    *error = "image is too large (" + std::to_string(w) + "x" +
             std::to_string(h) + " pixels)";
    return true;
  }
  return false;
}

// --- JPEG ------------------------------------------------------------------
// libjpeg reports errors through a callback that must not return: it jumps
// back to DecodeJpeg, which then cleans up.
struct JpegError {
  jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated = false;
};

void JpegErrorExit(j_common_ptr info) {
  auto* err = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, err->message);
  longjmp(err->jump, 1);
}

// Warnings are mostly harmless (stray bytes before a marker), but libjpeg
// also only warns when the data ends early and pads the rest of the picture
// with grey: a cut-off download must be an error, not a half-grey image.
void JpegWarning(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
    reinterpret_cast<JpegError*>(info->err)->truncated = true;
  }
}

// The EXIF orientation of the header's APP1 segments (1 when none).
int JpegOrientation(const jpeg_decompress_struct& info) {
  for (jpeg_saved_marker_ptr m = info.marker_list; m != nullptr; m = m->next) {
    if (m->marker != JPEG_APP0 + 1) continue;
    const int orientation = ExifOrientation({m->data, m->data_length});
    if (orientation != 1) return orientation;
  }
  return 1;
}

bool DecodeJpeg(std::span<const uint8_t> bytes, Image* out,
                std::string* error) {
  jpeg_decompress_struct info;
  JpegError err;
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = JpegErrorExit;
  err.mgr.emit_message = JpegWarning;
  err.message[0] = '\0';
  // Kept out of the setjmp frame's locals that change after setjmp.
  Image* volatile result = out;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&info);
    *error = std::string("damaged JPEG: ") + err.message;
    result->pixels.clear();
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&info);
    *error = "CMYK JPEG images are not supported (convert it to RGB)";
    return false;
  }
  info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  if (TooLarge(info.image_width, info.image_height, error)) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_start_decompress(&info);
  *result = Image(static_cast<int>(info.output_width),
                  static_cast<int>(info.output_height), info.output_components);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = result->at(0, static_cast<int>(info.output_scanline));
    jpeg_read_scanlines(&info, &row, 1);
  }
  if (err.truncated) {
    jpeg_destroy_decompress(&info);
    *error =
        "damaged JPEG: the data ends before the last row (truncated file?)";
    result->pixels.clear();
    return false;
  }
  const int orientation = JpegOrientation(info);
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  if (orientation != 1) *result = ApplyExifOrientation(*result, orientation);
  return true;
}

// --- PNG (libpng's simplified API) ---------------------------------------
bool DecodePng(std::span<const uint8_t> bytes, Image* out, std::string* error) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    *error = std::string("damaged PNG: ") + png.message;
    return false;
  }
  const bool color = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  png.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  if (TooLarge(png.width, png.height, error)) {
    png_image_free(&png);
    return false;
  }
  *out = Image(static_cast<int>(png.width), static_cast<int>(png.height),
               color ? 3 : 1);
  if (!png_image_finish_read(&png, nullptr, out->pixels.data(), 0, nullptr)) {
    *error = std::string("damaged PNG: ") + png.message;
    png_image_free(&png);
    out->pixels.clear();
    return false;
  }
  return true;
}

// --- BMP (uncompressed 8-bit palette, 24- and 32-bit) ----------------------
uint32_t Le32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t Le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

bool DecodeBmp(std::span<const uint8_t> bytes, Image* out, std::string* error) {
  const size_t n = bytes.size();
  const uint8_t* b = bytes.data();
  if (n < 54) {
    *error = "damaged BMP: file shorter than its headers";
    return false;
  }
  const uint32_t data_offset = Le32(b + 10);
  const uint32_t header_size = Le32(b + 14);
  if (header_size < 40 || 14 + static_cast<size_t>(header_size) > n) {
    *error = "unsupported BMP: header size " + std::to_string(header_size) +
             " (only BITMAPINFOHEADER and later)";
    return false;
  }
  const int64_t width = static_cast<int32_t>(Le32(b + 18));
  const int64_t signed_height = static_cast<int32_t>(Le32(b + 22));
  const int bits = Le16(b + 28);
  const uint32_t compression = Le32(b + 30);
  uint32_t palette_size = Le32(b + 46);
  const bool bottom_up = signed_height > 0;
  const int64_t height = bottom_up ? signed_height : -signed_height;
  if (compression != 0 && !(compression == 3 && bits == 32)) {
    *error = "unsupported BMP: compressed (method " +
             std::to_string(compression) + "); only uncompressed BMP is read";
    return false;
  }
  if (bits != 8 && bits != 24 && bits != 32) {
    *error = "unsupported BMP: " + std::to_string(bits) +
             " bits per pixel (8, 24 and 32 are read)";
    return false;
  }
  if (TooLarge(width, height, error)) return false;
  const size_t stride = ((static_cast<size_t>(width) * bits + 31) / 32) * 4;
  if (data_offset > n || stride * height > n - data_offset) {
    *error = "damaged BMP: pixel data runs past the end of the file";
    return false;
  }
  // 8-bit: the palette follows the info header; gray palettes give gray.
  std::vector<std::array<uint8_t, 3>> palette;
  bool gray = true;
  if (bits == 8) {
    if (palette_size == 0 || palette_size > 256) palette_size = 256;
    const size_t palette_at = 14 + header_size;
    if (palette_at + palette_size * 4 > data_offset) {
      *error = "damaged BMP: palette overlaps the pixel data";
      return false;
    }
    for (uint32_t i = 0; i < palette_size; ++i) {
      const uint8_t* e = b + palette_at + i * 4;  // B, G, R, reserved
      palette.push_back({e[2], e[1], e[0]});
      gray = gray && e[0] == e[1] && e[1] == e[2];
    }
  } else {
    gray = false;
  }
  *out = Image(static_cast<int>(width), static_cast<int>(height), gray ? 1 : 3);
  for (int64_t y = 0; y < height; ++y) {
    const uint8_t* row =
        b + data_offset + stride * (bottom_up ? height - 1 - y : y);
    uint8_t* dst = out->at(0, static_cast<int>(y));
    for (int64_t x = 0; x < width; ++x) {
      if (bits == 8) {
        const uint8_t index = row[x];
        if (index >= palette.size()) {
          *error = "damaged BMP: pixel refers to palette entry " +
                   std::to_string(index) + " of " +
                   std::to_string(palette.size());
          out->pixels.clear();
          return false;
        }
        if (gray) {
          dst[x] = palette[index][0];
        } else {
          std::memcpy(dst + 3 * x, palette[index].data(), 3);
        }
      } else {
        const uint8_t* p = row + x * (bits / 8);  // B, G, R[, A]
        dst[3 * x] = p[2];
        dst[3 * x + 1] = p[1];
        dst[3 * x + 2] = p[0];
      }
    }
  }
  return true;
}

}  // namespace

bool DecodeImage(std::span<const uint8_t> bytes, Image* out,
                 std::string* error) {
  static const uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 &&
      bytes[2] == 0xFF)
    return DecodeJpeg(bytes, out, error);
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPng, 8) == 0)
    return DecodePng(bytes, out, error);
  if (bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M')
    return DecodeBmp(bytes, out, error);
  *error = "not a JPEG, PNG or BMP image (unknown signature)";
  return false;
}

bool ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes,
                   std::string* error) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    *error = "cannot read '" + path + "': no such file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open '" + path + "'";
    return false;
  }
  bytes->assign(std::istreambuf_iterator<char>(in),
                std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

bool ReadImageFile(const std::string& path, Image* out, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!ReadFileBytes(path, &bytes, error)) return false;
  if (!DecodeImage(bytes, out, error)) {
    *error = "image '" + path + "': " + *error;
    return false;
  }
  return true;
}

bool EncodePng(const Image& image, std::vector<uint8_t>* out,
               std::string* error) {
  if (image.empty() || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() !=
          static_cast<size_t>(image.width) * image.height * image.channels) {
    *error = "cannot encode an empty or inconsistent image as PNG";
    return false;
  }
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  static const png_uint_32 kFormats[] = {PNG_FORMAT_GRAY, PNG_FORMAT_GA,
                                         PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
  png.format = kFormats[image.channels - 1];
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(png, size, 0, image.pixels.data(), 0,
                                       nullptr)) {
    *error = std::string("PNG encoding failed: ") + png.message;
    return false;
  }
  out->resize(size);
  if (!png_image_write_to_memory(&png, out->data(), &size, 0,
                                 image.pixels.data(), 0, nullptr)) {
    *error = std::string("PNG encoding failed: ") + png.message;
    return false;
  }
  out->resize(size);
  return true;
}

bool WritePngFile(const std::string& path, const Image& image,
                  std::string* error) {
  std::vector<uint8_t> png;
  if (!EncodePng(image, &png, error)) return false;
  const std::string temp = path + ".tmp";
  {
    std::ofstream f(temp, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(png.data()),
            static_cast<std::streamsize>(png.size()));
    f.close();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      *error = "cannot write '" + path + "'";
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    *error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  return true;
}

}  // namespace ember::processing
