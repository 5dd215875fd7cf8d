#include "metadata/zip_store.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ember::metadata {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndRecordSig = 0x06054b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kMaxComment = 0xffff;
// Zip64 is not written: every size and offset must fit 32 bits.
constexpr uint64_t kMax32 = 0xffffffffu;

void Put16(std::vector<uint8_t>* out, uint32_t v) {
  out->push_back(static_cast<uint8_t>(v));
  out->push_back(static_cast<uint8_t>(v >> 8));
}
void Put32(std::vector<uint8_t>* out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}
uint32_t Get16(const uint8_t* p) { return p[0] | (p[1] << 8); }
uint32_t Get32(const uint8_t* p) {
  return Get16(p) | (static_cast<uint32_t>(Get16(p + 2)) << 16);
}

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

// Fields shared by the local and the central header, from "version needed"
// to the name length. Time and date: 1980-01-01 00:00, so that the same
// files give the same bytes.
void PutCommonFields(std::vector<uint8_t>* out, const PackedFile& file,
                     uint32_t crc) {
  Put16(out, 10);                       // version needed: 1.0, stored entries
  Put16(out, 0);                        // flags
  Put16(out, 0);                        // method: stored
  Put16(out, 0);                        // time
  Put16(out, (0 << 9) | (1 << 5) | 1);  // date
  Put32(out, crc);
  Put32(out, static_cast<uint32_t>(file.data.size()));  // compressed
  Put32(out, static_cast<uint32_t>(file.data.size()));  // uncompressed
  Put16(out, static_cast<uint32_t>(file.name.size()));
}

}  // namespace

uint32_t Crc32(std::span<const uint8_t> bytes) {
  static const std::array<uint32_t, 256> table = MakeCrcTable();
  uint32_t c = 0xffffffffu;
  for (uint8_t b : bytes) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

bool AppendStoredZip(const std::vector<PackedFile>& files,
                     std::vector<uint8_t>* out, std::string* error) {
  if (files.size() > 0xffff) {
    *error = "too many associated files for a zip archive (over 65535)";
    return false;
  }
  std::vector<uint32_t> offsets, crcs;
  for (const PackedFile& file : files) {
    if (file.name.empty() || file.name.size() > 0xffff) {
      *error = "associated file name '" + file.name + "' is empty or too long";
      return false;
    }
    if (out->size() + kLocalHeaderSize + file.name.size() + file.data.size() >
        kMax32) {
      *error = "associated file '" + file.name +
               "' would end beyond 4 GiB (zip64 is not written)";
      return false;
    }
    offsets.push_back(static_cast<uint32_t>(out->size()));
    crcs.push_back(Crc32(file.data));
    Put32(out, kLocalHeaderSig);
    PutCommonFields(out, file, crcs.back());
    Put16(out, 0);  // extra field length
    out->insert(out->end(), file.name.begin(), file.name.end());
    out->insert(out->end(), file.data.begin(), file.data.end());
  }
  const size_t central_start = out->size();
  for (size_t i = 0; i < files.size(); ++i) {
    Put32(out, kCentralHeaderSig);
    Put16(out, 20);  // made by: MS-DOS, 2.0
    PutCommonFields(out, files[i], crcs[i]);
    Put16(out, 0);  // extra
    Put16(out, 0);  // comment
    Put16(out, 0);  // disk
    Put16(out, 0);  // internal attributes
    Put32(out, 0);  // external attributes
    Put32(out, offsets[i]);
    out->insert(out->end(), files[i].name.begin(), files[i].name.end());
  }
  if (out->size() + kEndRecordSize > kMax32) {
    *error = "associated files end beyond 4 GiB (zip64 is not written)";
    return false;
  }
  Put32(out, kEndRecordSig);
  Put16(out, 0);  // this disk
  Put16(out, 0);  // disk of the central directory
  Put16(out, static_cast<uint32_t>(files.size()));
  Put16(out, static_cast<uint32_t>(files.size()));
  Put32(out, static_cast<uint32_t>(out->size() - central_start - 12));
  Put32(out, static_cast<uint32_t>(central_start));
  Put16(out, 0);  // comment length
  return true;
}

bool ReadStoredZip(std::span<const uint8_t> bytes, bool* found,
                   std::vector<PackedFile>* files, std::string* error) {
  *found = false;
  files->clear();
  if (bytes.size() < kEndRecordSize) return true;
  // The end record is the last thing in the file but for a comment of up
  // to 64 KiB; search backwards for a signature whose comment length fits.
  const size_t lowest = bytes.size() > kEndRecordSize + kMaxComment
                            ? bytes.size() - kEndRecordSize - kMaxComment
                            : 0;
  size_t end = bytes.size() - kEndRecordSize + 1;
  const uint8_t* record = nullptr;
  while (end-- > lowest) {
    const uint8_t* p = bytes.data() + end;
    if (Get32(p) == kEndRecordSig &&
        end + kEndRecordSize + Get16(p + 20) == bytes.size()) {
      record = p;
      break;
    }
  }
  if (record == nullptr) return true;
  *found = true;
  const size_t end_pos = static_cast<size_t>(record - bytes.data());
  const uint32_t count = Get16(record + 10);
  const uint64_t dir_size = Get32(record + 12);
  const uint64_t dir_offset = Get32(record + 16);
  if (Get16(record + 4) != 0 || Get16(record + 6) != 0 ||
      Get16(record + 8) != count) {
    *error = "associated files: multi-disk zip archives are not supported";
    return false;
  }
  if (dir_size > end_pos) {
    *error = "associated files: zip central directory larger than the file";
    return false;
  }
  // Offsets are absolute when the archive was appended by a writer that
  // counts from the file's start (Python, Ember), or relative to the
  // archive's start otherwise; the central directory's real position tells.
  const uint64_t dir_pos = end_pos - dir_size;
  if (dir_offset > dir_pos) {
    *error = "associated files: zip central directory offset past its end";
    return false;
  }
  const uint64_t shift = dir_pos - dir_offset;
  size_t pos = dir_pos;
  for (uint32_t i = 0; i < count; ++i) {
    if (pos + kCentralHeaderSize > end_pos ||
        Get32(bytes.data() + pos) != kCentralHeaderSig) {
      *error = "associated files: zip central directory entry " +
               std::to_string(i) + " is damaged";
      return false;
    }
    const uint8_t* h = bytes.data() + pos;
    const uint32_t method = Get16(h + 10);
    const uint32_t crc = Get32(h + 16);
    const uint64_t packed_size = Get32(h + 20);
    const uint64_t size = Get32(h + 24);
    const size_t name_len = Get16(h + 28);
    const size_t extra_len = Get16(h + 30);
    const size_t comment_len = Get16(h + 32);
    const uint64_t local = Get32(h + 42) + shift;
    if (pos + kCentralHeaderSize + name_len + extra_len + comment_len >
        end_pos) {
      *error = "associated files: zip central directory entry " +
               std::to_string(i) + " runs past the directory";
      return false;
    }
    PackedFile file;
    file.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize),
                     name_len);
    pos += kCentralHeaderSize + name_len + extra_len + comment_len;
    if (method != 0 || packed_size != size) {
      *error = "associated file '" + file.name +
               "' is compressed (zip method " + std::to_string(method) +
               "); TFLite metadata packs files uncompressed";
      return false;
    }
    if (local + kLocalHeaderSize > dir_pos ||
        Get32(bytes.data() + local) != kLocalHeaderSig) {
      *error = "associated file '" + file.name +
               "': zip local header missing or out of range";
      return false;
    }
    const uint8_t* lh = bytes.data() + local;
    const uint64_t data_pos =
        local + kLocalHeaderSize + Get16(lh + 26) + Get16(lh + 28);
    if (data_pos + size > dir_pos) {
      *error = "associated file '" + file.name + "' runs past the archive (" +
               std::to_string(size) + " bytes)";
      return false;
    }
    file.data.assign(bytes.data() + data_pos, bytes.data() + data_pos + size);
    if (Crc32(file.data) != crc) {
      *error = "associated file '" + file.name + "': CRC mismatch (damaged)";
      return false;
    }
    files->push_back(std::move(file));
  }
  return true;
}

}  // namespace ember::metadata
