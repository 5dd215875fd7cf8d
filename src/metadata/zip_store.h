// The zip archive that TFLite Metadata appends to a .tflite file to pack its
// associated files. The format asks for uncompressed ("stored") entries so
// that a reader can use a file's bytes in place; that is all this writes and
// all this reads (a compressed entry is an error naming the entry).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ember::metadata {

struct PackedFile {
  std::string name;
  std::vector<uint8_t> data;
};

// CRC-32 (IEEE 802.3, the zip and PNG checksum).
uint32_t Crc32(std::span<const uint8_t> bytes);

// Appends a zip archive of `files` to `out`. Offsets in the archive count
// from the start of `out` (what Python's zipfile writes when it appends an
// archive to a file), so the result is one valid zip file too.
// False (with `error`) for a name or size the format cannot hold.
bool AppendStoredZip(const std::vector<PackedFile>& files,
                     std::vector<uint8_t>* out, std::string* error);

// Finds a zip archive at the end of `bytes` and reads its entries.
// No archive at all: true with `*found` false. A damaged archive (bad
// offsets, sizes, CRC) or a compressed entry: false with `error`.
bool ReadStoredZip(std::span<const uint8_t> bytes, bool* found,
                   std::vector<PackedFile>* files, std::string* error);

}  // namespace ember::metadata
