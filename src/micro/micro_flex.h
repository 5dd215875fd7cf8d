// A bounded, heap-free reader of the FlexBuffers maps custom ops carry as
// options (the TFLM signal ops: a map of named scalars). Only what those
// options use is read: a root map whose values are inline integers,
// booleans or floats. Every offset is checked against the buffer before it
// is followed, so hostile options bytes give "not found" / false, never a
// read outside the buffer. flexbuffers.h is not used on the device: its
// helpers pull in std::string / iostream code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ember::micro {

class MicroFlexMap {
 public:
  // Opens the root map of `data`; false if the bytes are not one.
  bool Open(const uint8_t* data, size_t size) {
    data_ = data;
    size_ = size;
    if (data == nullptr || size < 3) return false;
    const size_t root_width = data[size - 1];
    const uint8_t packed = data[size - 2];
    if (!ValidWidth(root_width) || size < 2 + root_width) return false;
    if ((packed >> 2) != kTypeMap) return false;
    const size_t slot = size - 2 - root_width;
    size_t map = 0;
    if (!Indirect(slot, root_width, &map)) return false;
    width_ = size_t{1} << (packed & 3);
    // Keys offset, keys width and size precede the values.
    if (map < 3 * width_) return false;
    uint64_t keys_width = 0, count = 0;
    if (!Read(map - 2 * width_, width_, &keys_width) ||
        !Read(map - width_, width_, &count) ||
        !Indirect(map - 3 * width_, width_, &keys_))
      return false;
    keys_width_ = static_cast<size_t>(keys_width);
    if (!ValidWidth(keys_width_) || count > size_) return false;
    count_ = static_cast<size_t>(count);
    // Values, then one type byte per value.
    if (map + count_ * width_ + count_ > size_) return false;
    if (keys_ + count_ * keys_width_ > size_) return false;
    values_ = map;
    open_ = true;
    return true;
  }

  // An integer (int, uint or bool) option; false if missing, of another
  // kind, or outside [lo, hi].
  // T: int32_t or int (they differ on arm-none-eabi).
  template <typename T>
  bool Int(const char* key, int64_t lo, int64_t hi, T* out) const {
    int64_t v = 0;
    if (!Integer(key, &v) || v < lo || v > hi) return false;
    *out = static_cast<T>(v);
    return true;
  }
  bool Bool(const char* key, bool* out) const {
    int64_t v = 0;
    if (!Integer(key, &v) || v < 0 || v > 1) return false;
    *out = v == 1;
    return true;
  }

 private:
  static constexpr uint8_t kTypeInt = 1, kTypeUInt = 2, kTypeMap = 9,
                           kTypeBool = 26;

  static bool ValidWidth(size_t w) {
    return w == 1 || w == 2 || w == 4 || w == 8;
  }

  bool Read(size_t at, size_t width, uint64_t* out) const {
    if (at > size_ || width > size_ - at) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i)
      v |= static_cast<uint64_t>(data_[at + i]) << (8 * i);
    *out = v;
    return true;
  }
  bool ReadSigned(size_t at, size_t width, int64_t* out) const {
    uint64_t u = 0;
    if (!Read(at, width, &u)) return false;
    if (width < 8 && (u >> (8 * width - 1)) != 0)
      u |= ~uint64_t{0} << (8 * width);
    *out = static_cast<int64_t>(u);
    return true;
  }
  // Follows the offset stored at `slot` (it points backwards).
  bool Indirect(size_t slot, size_t width, size_t* target) const {
    uint64_t off = 0;
    if (!Read(slot, width, &off) || off > slot) return false;
    *target = slot - static_cast<size_t>(off);
    return true;
  }
  // Whether key i is `key` (a NUL-terminated string inside the buffer).
  bool KeyIs(size_t i, const char* key) const {
    size_t at = 0;
    if (!Indirect(keys_ + i * keys_width_, keys_width_, &at)) return false;
    const size_t n = std::strlen(key);
    if (at > size_ || n + 1 > size_ - at) return false;
    return std::memcmp(data_ + at, key, n) == 0 && data_[at + n] == '\0';
  }
  bool Integer(const char* key, int64_t* out) const {
    if (!open_) return false;
    for (size_t i = 0; i < count_; ++i) {
      if (!KeyIs(i, key)) continue;
      const uint8_t type = data_[values_ + count_ * width_ + i] >> 2;
      const size_t at = values_ + i * width_;
      if (type == kTypeInt) return ReadSigned(at, width_, out);
      if (type == kTypeUInt || type == kTypeBool) {
        uint64_t u = 0;
        if (!Read(at, width_, &u) || u > 0x7FFFFFFFFFFFFFFFull) return false;
        *out = static_cast<int64_t>(u);
        return true;
      }
      return false;
    }
    return false;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t width_ = 0;       // byte width of the map's values
  size_t keys_ = 0;        // first key offset slot
  size_t keys_width_ = 0;  // byte width of the key slots
  size_t values_ = 0;
  size_t count_ = 0;
  bool open_ = false;
};

}  // namespace ember::micro
