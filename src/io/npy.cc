#include "io/npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ember {
namespace {

struct DescrEntry {
  const char* descr;
  DataType type;
};

constexpr DescrEntry kDescrs[] = {
    {"<f4", DataType::kFloat32},   {"<f2", DataType::kFloat16},
    {"<f8", DataType::kFloat64},   {"<i4", DataType::kInt32},
    {"<i8", DataType::kInt64},     {"<i2", DataType::kInt16},
    {"|i1", DataType::kInt8},      {"|u1", DataType::kUInt8},
    {"<u2", DataType::kUInt16},    {"<u4", DataType::kUInt32},
    {"<u8", DataType::kUInt64},    {"|b1", DataType::kBool},
    {"<c8", DataType::kComplex64}, {"<c16", DataType::kComplex128},
};

// Finds the value of 'key' in the header dict; returns the text after ':'.
const char* FindKey(const std::string& header, const char* key) {
  const size_t pos = header.find(key);
  if (pos == std::string::npos) return nullptr;
  const size_t colon = header.find(':', pos);
  if (colon == std::string::npos) return nullptr;
  return header.c_str() + colon + 1;
}

}  // namespace

std::string NpyDescr(DataType type) {
  for (const auto& e : kDescrs)
    if (e.type == type) return e.descr;
  return "";
}

Status ParseNpy(const uint8_t* bytes, size_t size, NpyArray* out,
                ErrorReporter& errors) {
  if (size < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "not a .npy file (bad magic)");
  }
  const uint8_t major = bytes[6];
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "truncated .npy header");
    }
    header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) |
                 (static_cast<size_t>(bytes[11]) << 24);
    header_start = 12;
  } else {
    return errors.Report(StatusCode::kInvalidArgument,
                         ".npy format version %d is not supported", major);
  }
  if (header_start + header_len > size) {
    return errors.Report(StatusCode::kInvalidArgument, "truncated .npy header");
  }
  const std::string header(reinterpret_cast<const char*>(bytes) + header_start,
                           header_len);
  const char* descr = FindKey(header, "'descr'");
  const char* fortran = FindKey(header, "'fortran_order'");
  const char* shape = FindKey(header, "'shape'");
  if (!descr || !fortran || !shape) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "malformed .npy header: %s", header.c_str());
  }
  while (*descr == ' ') ++descr;
  const char* q1 = strchr(descr, '\'');
  const char* q2 = q1 ? strchr(q1 + 1, '\'') : nullptr;
  if (!q1 || !q2) {
    return errors.Report(StatusCode::kInvalidArgument, "malformed .npy descr");
  }
  std::string d(q1 + 1, q2);
  if (d == "<b1" || d == "=b1") d = "|b1";
  if (d == "<i1") d = "|i1";
  if (d == "<u1") d = "|u1";
  bool found = false;
  for (const auto& e : kDescrs) {
    if (d == e.descr) {
      out->type = e.type;
      found = true;
    }
  }
  if (!found) {
    return errors.Report(StatusCode::kUnsupported,
                         ".npy dtype '%s' is not supported (big-endian, "
                         "object and string arrays cannot be used)",
                         d.c_str());
  }
  while (*fortran == ' ') ++fortran;
  if (strncmp(fortran, "True", 4) == 0) {
    return errors.Report(StatusCode::kUnsupported,
                         "Fortran-order .npy arrays are not supported; save "
                         "with np.ascontiguousarray");
  }
  while (*shape == ' ') ++shape;
  if (*shape != '(') {
    return errors.Report(StatusCode::kInvalidArgument, "malformed .npy shape");
  }
  out->shape.clear();
  const char* p = shape + 1;
  int64_t count = 1;
  while (*p && *p != ')') {
    while (*p == ' ' || *p == ',') ++p;
    if (*p == ')') break;
    char* end = nullptr;
    const long long v = strtoll(p, &end, 10);
    if (end == p || v < 0 || v > (1LL << 40)) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "malformed .npy shape");
    }
    out->shape.push_back(v);
    // Checked before multiplying: two dimensions of 2^40 overflow int64.
    if (v != 0 && count > (1LL << 40) / v) {
      return errors.Report(StatusCode::kInvalidArgument,
                           ".npy array too large");
    }
    count *= v;
    p = end;
  }
  const size_t expected = BytesFor(out->type, count);
  const size_t data_start = header_start + header_len;
  if (size - data_start < expected) {
    return errors.Report(StatusCode::kInvalidArgument,
                         ".npy data is truncated: %zu bytes, need %zu",
                         size - data_start, expected);
  }
  out->data.assign(bytes + data_start, bytes + data_start + expected);
  return Status::Ok();
}

Status ReadNpy(const std::string& path, NpyArray* out, ErrorReporter& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return errors.Report(StatusCode::kNotFound, "cannot open '%s'",
                         path.c_str());
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  Status status = ParseNpy(bytes.data(), bytes.size(), out, errors);
  if (!status.ok()) errors.Prefix("%s: ", path.c_str());
  return status;
}

Status WriteNpy(const std::string& path, DataType type,
                const std::vector<int64_t>& shape, const void* data,
                size_t bytes, ErrorReporter& errors) {
  const std::string descr = NpyDescr(type);
  if (descr.empty()) {
    return errors.Report(StatusCode::kUnsupported,
                         "type %s cannot be written as .npy",
                         DataTypeName(type));
  }
  std::string dict =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
  }
  dict += "), }";
  // Pad so the data starts on a 64-byte boundary; header ends with '\n'.
  size_t total = 10 + dict.size() + 1;
  const size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  const std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "wb");
  if (!f) {
    return errors.Report(StatusCode::kIoError, "cannot write '%s'",
                         path.c_str());
  }
  const uint16_t len = static_cast<uint16_t>(dict.size());
  const uint8_t prefix[10] = {0x93,
                              'N',
                              'U',
                              'M',
                              'P',
                              'Y',
                              1,
                              0,
                              static_cast<uint8_t>(len & 0xff),
                              static_cast<uint8_t>(len >> 8)};
  bool ok = fwrite(prefix, 1, 10, f) == 10 &&
            fwrite(dict.data(), 1, dict.size(), f) == dict.size() &&
            (bytes == 0 || fwrite(data, 1, bytes, f) == bytes);
  ok = (fclose(f) == 0) && ok;
  // Write-then-rename: a failed write never leaves a corrupt output file.
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    remove(tmp.c_str());
    return errors.Report(StatusCode::kIoError, "cannot write '%s'",
                         path.c_str());
  }
  return Status::Ok();
}

}  // namespace ember
