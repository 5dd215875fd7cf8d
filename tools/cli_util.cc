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

TensorInfo DescribeTensor(const fb::Tensor& tensor, int32_t index) {
  TensorInfo info;
  info.index = index;
  info.name = tensor.name() ? tensor.name()->str() : "";
  info.type = static_cast<DataType>(tensor.type());
  if (const auto* shape = tensor.shape()) {
    for (int32_t d : *shape) {
      if (info.shape.rank == kMaxRank) break;  // the verifier rejects these
      info.shape.dims[info.shape.rank++] = d;
    }
  }
  info.signature = info.shape;
  if (const auto* sig = tensor.shape_signature()) {
    info.signature = Shape();
    for (int32_t d : *sig) {
      if (info.signature.rank == kMaxRank) break;
      info.signature.dims[info.signature.rank++] = d;
    }
  }
  if (const auto* q = tensor.quantization()) {
    if (q->scale() && q->scale()->size() > 0) {
      info.quant.scale = q->scale()->data();
      info.quant.count = static_cast<int32_t>(q->scale()->size());
      if (q->zero_point() && q->zero_point()->size() == q->scale()->size())
        info.quant.zero_point = q->zero_point()->data();
      info.quant.quantized_dimension = q->quantized_dimension();
    }
  }
  return info;
}

TensorInfo DescribeTensor(const Tensor& tensor, int32_t index,
                          const Shape& signature) {
  TensorInfo info;
  info.index = index;
  info.name = tensor.name ? tensor.name : "";
  info.type = tensor.type;
  info.shape = tensor.shape;
  info.signature = signature;
  info.quant = tensor.quant;
  return info;
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

std::vector<int64_t> ShapeVector(const Shape& shape) {
  return std::vector<int64_t>(shape.dims, shape.dims + shape.rank);
}

std::string FormatNumber(double value) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

nlohmann::json QuantJson(const QuantParams& q) {
  if (!q.quantized()) return nullptr;
  nlohmann::json j;
  auto zp = [&](int i) { return q.zero_point ? q.zero_point[i] : 0; };
  if (q.count == 1) {
    j["scale"] = q.scale[0];
    j["zero_point"] = zp(0);
    return j;
  }
  const auto [lo, hi] = std::minmax_element(q.scale, q.scale + q.count);
  std::set<int64_t> zero_points;
  for (int i = 0; i < q.count; ++i) zero_points.insert(zp(i));
  j["per_channel"] = true;
  j["quantized_dimension"] = q.quantized_dimension;
  j["count"] = q.count;
  j["scale_min"] = *lo;
  j["scale_max"] = *hi;
  j["zero_points"] = zero_points;  // distinct values
  return j;
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

nlohmann::json TensorJson(const TensorInfo& info) {
  return {{"index", info.index},
          {"name", info.name},
          {"shape", ShapeVector(info.shape)},
          {"shape_signature", ShapeVector(info.signature)},
          {"type", DataTypeName(info.type)},
          {"quantization", QuantJson(info.quant)}};
}

void PrintJson(const nlohmann::json& value) {
  const std::string text =
      value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  printf("%s\n", text.c_str());
}

std::string OpCodeName(const fb::OperatorCode& code) {
  const int32_t builtin = Model::BuiltinCode(&code);
  if (builtin == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)) {
    return std::string("CUSTOM(") +
           (code.custom_code() ? code.custom_code()->c_str() : "") + ")";
  }
  return BuiltinOperatorName(builtin);
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
