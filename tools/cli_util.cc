#include "cli_util.h"

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <set>

#include "runtime/op_resolver.h"
#include "trust/keys.h"
#include "trust/trust_policy.h"

namespace ember::cli {
namespace {

void PrintPrefixed(const char* prefix, const char* format, va_list args) {
  fprintf(stderr, "ember: %s: ", prefix);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

int Fail(int code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  PrintPrefixed("error", format, args);
  va_end(args);
  return code;
}

void Warn(const char* format, ...) {
  va_list args;
  va_start(args, format);
  PrintPrefixed("warning", format, args);
  va_end(args);
}

bool LoadModelFile(const std::string& path, std::unique_ptr<Model>* model) {
  return LoadModelFile(path, TrustFlags(), model);
}

bool LoadModelFile(const std::string& path, const TrustFlags& trust,
                   std::unique_ptr<Model>* model) {
  ErrorReporter errors;
  trust::TrustPolicy policy;
  for (const std::string& key_path : trust.trusted_keys) {
    trust::PublicKey key;
    if (!trust::LoadPublicKeyFile(key_path.c_str(), errors, &key).ok()) {
      Fail(kExitError, "--trust: %s", errors.message());
      return false;
    }
    policy.trusted_keys.push_back(key);
  }
  if (!trust.device_key.empty()) {
    policy.device_key.emplace();
    if (!trust::LoadDeviceKeyFile(trust.device_key.c_str(), errors,
                                  &*policy.device_key)
             .ok()) {
      Fail(kExitError, "--device-key: %s", errors.message());
      return false;
    }
  }
  if (!Model::Load(path.c_str(), policy, errors, model).ok()) {
    Fail(kExitError, "cannot load model '%s': %s", path.c_str(),
         errors.message());
    return false;
  }
  return true;
}

std::string ShapeString(const Shape& shape) {
  return ShapeString(nlohmann::json(ShapeVector(shape)));
}

std::string ShapeString(const nlohmann::json& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ", ";
    s += dims[i].dump();
  }
  return s + "]";
}

std::string FormatNumber(double value) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

std::string QuantString(const nlohmann::json& q) {
  if (q.is_null()) return "none";
  if (!q.contains("per_channel")) {
    return "scale=" + FormatNumber(q["scale"].get<double>()) +
           " zero_point=" + q["zero_point"].dump();
  }
  const nlohmann::json& zps = q["zero_points"];
  return "per-channel dim=" + q["quantized_dimension"].dump() +
         " n=" + q["count"].dump() + " scale=[" +
         FormatNumber(q["scale_min"].get<double>()) + ", " +
         FormatNumber(q["scale_max"].get<double>()) +
         "] zero_point=" + (zps.size() == 1 ? zps[0].dump() : "mixed");
}

void PrintJson(const nlohmann::json& value) {
  const std::string text =
      value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  printf("%s\n", text.c_str());
}

Table::Table(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void Table::Add(std::vector<std::string> row) {
  rows_.push_back(std::move(row));
}

void Table::Print(int indent) const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows_) {
    std::string line(indent, ' ');
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size())
        line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    printf("%s\n", line.c_str());
  }
}

std::string FormatBytes(size_t bytes) {
  char buf[64];
  if (bytes < 1024) {
    snprintf(buf, sizeof(buf), "%zu B", bytes);
  } else if (bytes < 1024 * 1024) {
    snprintf(buf, sizeof(buf), "%.1f KiB (%zu B)", bytes / 1024.0, bytes);
  } else {
    snprintf(buf, sizeof(buf), "%.2f MiB (%zu B)", bytes / (1024.0 * 1024.0),
             bytes);
  }
  return buf;
}

std::string SanitizeFileName(const std::string& name, int position) {
  std::string out = name;
  for (char& c : out) {
    const bool ok = isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  // Names made of dots only ("", ".", "..") are not usable file names.
  if (out.find_first_not_of('.') == std::string::npos)
    out = "output_" + std::to_string(position);
  return out;
}

std::vector<std::string> Deduplicate(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::set<std::string> taken;
  for (const auto& name : names) {
    std::string candidate = name;
    for (int k = 1; taken.count(Lower(candidate)); ++k)
      candidate = name + "_" + std::to_string(k);
    taken.insert(Lower(candidate));
    out.push_back(candidate);
  }
  return out;
}

}  // namespace ember::cli
