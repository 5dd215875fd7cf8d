#include "update/manifest.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "trust/sha256.h"

namespace ember::update {
namespace {

Status Field(const JsonValue& object, const char* name, JsonValue::Kind kind,
             const char* kind_name, ErrorReporter& errors,
             const JsonValue** out, bool optional = false) {
  *out = object.Find(name);
  if (*out == nullptr) {
    if (optional) return Status::Ok();
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: missing field '%s'", name);
  }
  if ((*out)->kind() != kind) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: field '%s' must be a %s", name, kind_name);
  }
  return Status::Ok();
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status ParseFile(const JsonValue& v, const char* where, ErrorReporter& errors,
                 BundleFile* out) {
  if (!v.is_object()) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: %s must be an object", where);
  }
  const JsonValue* name = nullptr;
  const JsonValue* sha = nullptr;
  const JsonValue* size = nullptr;
  EMBER_RETURN_IF_ERROR(
      Field(v, "name", JsonValue::Kind::kString, "string", errors, &name));
  EMBER_RETURN_IF_ERROR(
      Field(v, "sha256", JsonValue::Kind::kString, "string", errors, &sha));
  EMBER_RETURN_IF_ERROR(
      Field(v, "size", JsonValue::Kind::kNumber, "number", errors, &size));
  if (!IsSafeFileName(name->string())) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: %s has an unsafe file name (only "
                         "[A-Za-z0-9._-], no leading '.', at most 128)",
                         where);
  }
  if (!IsHex64(sha->string())) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: %s sha256 must be 64 lower-case hex "
                         "digits",
                         where);
  }
  const double s = size->number();
  if (!(s >= 1) || s != std::floor(s) ||
      s > static_cast<double>(kMaxBundleFileBytes)) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: %s size must be a whole number of bytes "
                         "from 1 to %llu",
                         where,
                         static_cast<unsigned long long>(kMaxBundleFileBytes));
  }
  out->name = name->string();
  out->sha256 = sha->string();
  out->size = static_cast<uint64_t>(s);
  return Status::Ok();
}

Status ParseFileList(const JsonValue& v, const char* what, size_t probe,
                     ErrorReporter& errors, std::vector<BundleFile>* out) {
  if (!v.is_array() || v.array().empty() || v.array().size() > 64) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: probes[%zu].%s must be a list of 1 to 64 "
                         "files",
                         probe, what);
  }
  for (const JsonValue& f : v.array()) {
    char where[64];
    snprintf(where, sizeof(where), "probes[%zu].%s[%zu]", probe, what,
             out->size());
    out->emplace_back();
    EMBER_RETURN_IF_ERROR(ParseFile(f, where, errors, &out->back()));
  }
  return Status::Ok();
}

JsonValue FileToJson(const BundleFile& f) {
  JsonValue j = JsonValue::Object();
  j.Set("name", JsonValue::String(f.name));
  j.Set("sha256", JsonValue::String(f.sha256));
  j.Set("size", JsonValue::Number(static_cast<double>(f.size)));
  return j;
}

bool SplitVersion(const std::string& v, std::vector<uint64_t>* parts) {
  parts->clear();
  if (v.empty() || v.size() > 64) return false;
  size_t i = 0;
  while (true) {
    size_t digits = 0;
    uint64_t n = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
      n = n * 10 + static_cast<uint64_t>(v[i] - '0');
      ++i;
      if (++digits > 9) return false;
    }
    if (digits == 0) return false;
    parts->push_back(n);
    if (parts->size() > 4) return false;
    if (i == v.size()) return true;
    if (v[i] != '.') return false;
    ++i;
  }
}

}  // namespace

std::vector<const BundleFile*> Manifest::Files() const {
  std::vector<const BundleFile*> files = {&model};
  for (const Probe& p : probes) {
    for (const BundleFile& f : p.inputs) files.push_back(&f);
    for (const BundleFile& f : p.outputs) files.push_back(&f);
  }
  return files;
}

bool IsSafeFileName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  // The manifest's own names and in-progress downloads are reserved.
  if (name == kManifestName || name == kManifestSignatureName) return false;
  const std::string part = ".part";
  return !(name.size() >= part.size() &&
           name.compare(name.size() - part.size(), part.size(), part) == 0);
}

bool IsValidVersion(const std::string& version) {
  std::vector<uint64_t> parts;
  return SplitVersion(version, &parts);
}

int CompareVersions(const std::string& a, const std::string& b) {
  std::vector<uint64_t> pa, pb;
  SplitVersion(a, &pa);
  SplitVersion(b, &pb);
  for (size_t i = 0; i < 4; ++i) {
    const uint64_t x = i < pa.size() ? pa[i] : 0;
    const uint64_t y = i < pb.size() ? pb[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

int RolloutBucket(const std::string& model_id, const std::string& device_id) {
  trust::Sha256 hash;
  if (!hash.ok()) return -1;
  const char tag[] = "ember-rollout";
  hash.Update(reinterpret_cast<const uint8_t*>(tag), sizeof(tag));
  hash.Update(reinterpret_cast<const uint8_t*>(model_id.data()),
              model_id.size());
  const uint8_t nul = 0;
  hash.Update(&nul, 1);
  hash.Update(reinterpret_cast<const uint8_t*>(device_id.data()),
              device_id.size());
  const trust::Sha256Digest d = hash.Final();
  const uint32_t v = uint32_t{d[0]} | uint32_t{d[1]} << 8 |
                     uint32_t{d[2]} << 16 | uint32_t{d[3]} << 24;
  return static_cast<int>(v % 100);
}

Status ParseManifest(const std::string& bytes, ErrorReporter& errors,
                     Manifest* out) {
  JsonValue root;
  EMBER_RETURN_IF_ERROR(
      ParseJson(bytes.data(), bytes.size(), "manifest", errors, &root));
  if (!root.is_object()) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: the document must be a JSON object");
  }
  const JsonValue* v = nullptr;
  EMBER_RETURN_IF_ERROR(
      Field(root, "format", JsonValue::Kind::kString, "string", errors, &v));
  if (v->string() != kManifestFormat) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: format '%.64s' is not supported "
                         "(expected '%s')",
                         v->string().c_str(), kManifestFormat);
  }
  Manifest m;
  EMBER_RETURN_IF_ERROR(
      Field(root, "model_id", JsonValue::Kind::kString, "string", errors, &v));
  m.model_id = v->string();
  if (m.model_id.empty() || m.model_id.size() > 128) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: model_id must be 1 to 128 characters");
  }
  EMBER_RETURN_IF_ERROR(
      Field(root, "version", JsonValue::Kind::kString, "string", errors, &v));
  m.version = v->string();
  if (!IsValidVersion(m.version)) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "manifest: version '%.64s' is not dotted numbers "
                         "(e.g. 1.2.0)",
                         m.version.c_str());
  }
  EMBER_RETURN_IF_ERROR(Field(root, "min_ember_version",
                              JsonValue::Kind::kString, "string", errors, &v,
                              /*optional=*/true));
  if (v != nullptr) {
    m.min_ember_version = v->string();
    if (!IsValidVersion(m.min_ember_version)) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "manifest: min_ember_version '%.64s' is not "
                           "dotted numbers",
                           m.min_ember_version.c_str());
    }
  }
  EMBER_RETURN_IF_ERROR(Field(root, "rollout_percent", JsonValue::Kind::kNumber,
                              "number", errors, &v,
                              /*optional=*/true));
  if (v != nullptr) {
    const double p = v->number();
    if (!(p >= 0 && p <= 100) || p != std::floor(p)) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "manifest: rollout_percent must be a whole number "
                           "from 0 to 100");
    }
    m.rollout_percent = static_cast<int>(p);
  }
  EMBER_RETURN_IF_ERROR(Field(root, "latency_budget_ms",
                              JsonValue::Kind::kNumber, "number", errors, &v,
                              /*optional=*/true));
  if (v != nullptr) {
    if (!(v->number() >= 0 && v->number() <= 3.6e6)) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "manifest: latency_budget_ms must be from 0 to "
                           "3600000");
    }
    m.latency_budget_ms = v->number();
  }
  EMBER_RETURN_IF_ERROR(
      Field(root, "model", JsonValue::Kind::kObject, "object", errors, &v));
  EMBER_RETURN_IF_ERROR(ParseFile(*v, "model", errors, &m.model));
  EMBER_RETURN_IF_ERROR(Field(root, "probes", JsonValue::Kind::kArray, "list",
                              errors, &v, /*optional=*/true));
  if (v != nullptr) {
    if (v->array().size() > 64) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "manifest: at most 64 probes");
    }
    for (const JsonValue& p : v->array()) {
      const size_t index = m.probes.size();
      if (!p.is_object()) {
        return errors.Report(StatusCode::kInvalidArgument,
                             "manifest: probes[%zu] must be an object", index);
      }
      Probe probe;
      const JsonValue* f = nullptr;
      EMBER_RETURN_IF_ERROR(
          Field(p, "inputs", JsonValue::Kind::kArray, "list", errors, &f));
      EMBER_RETURN_IF_ERROR(
          ParseFileList(*f, "inputs", index, errors, &probe.inputs));
      EMBER_RETURN_IF_ERROR(
          Field(p, "outputs", JsonValue::Kind::kArray, "list", errors, &f));
      EMBER_RETURN_IF_ERROR(
          ParseFileList(*f, "outputs", index, errors, &probe.outputs));
      EMBER_RETURN_IF_ERROR(Field(p, "tolerance", JsonValue::Kind::kNumber,
                                  "number", errors, &f, /*optional=*/true));
      if (f != nullptr) {
        if (!(f->number() >= 0 && std::isfinite(f->number()))) {
          return errors.Report(StatusCode::kInvalidArgument,
                               "manifest: probes[%zu].tolerance must be a "
                               "finite number >= 0",
                               index);
        }
        probe.tolerance = f->number();
      }
      m.probes.push_back(std::move(probe));
    }
  }
  // Two entries with one name would let one file pass for another.
  const std::vector<const BundleFile*> files = m.Files();
  for (size_t i = 0; i < files.size(); ++i) {
    for (size_t j = i + 1; j < files.size(); ++j) {
      if (files[i]->name == files[j]->name &&
          files[i]->sha256 != files[j]->sha256) {
        return errors.Report(StatusCode::kInvalidArgument,
                             "manifest: file '%s' is listed twice with "
                             "different hashes",
                             files[i]->name.c_str());
      }
    }
  }
  *out = std::move(m);
  return Status::Ok();
}

JsonValue ManifestToJson(const Manifest& m) {
  JsonValue j = JsonValue::Object();
  j.Set("format", JsonValue::String(kManifestFormat));
  j.Set("model_id", JsonValue::String(m.model_id));
  j.Set("version", JsonValue::String(m.version));
  if (!m.min_ember_version.empty())
    j.Set("min_ember_version", JsonValue::String(m.min_ember_version));
  j.Set("rollout_percent", JsonValue::Number(m.rollout_percent));
  if (m.latency_budget_ms > 0)
    j.Set("latency_budget_ms", JsonValue::Number(m.latency_budget_ms));
  j.Set("model", FileToJson(m.model));
  JsonValue probes = JsonValue::Array();
  for (const Probe& p : m.probes) {
    JsonValue probe = JsonValue::Object();
    JsonValue inputs = JsonValue::Array();
    for (const BundleFile& f : p.inputs) inputs.Append(FileToJson(f));
    JsonValue outputs = JsonValue::Array();
    for (const BundleFile& f : p.outputs) outputs.Append(FileToJson(f));
    probe.Set("inputs", std::move(inputs));
    probe.Set("outputs", std::move(outputs));
    probe.Set("tolerance", JsonValue::Number(p.tolerance));
    probes.Append(std::move(probe));
  }
  j.Set("probes", std::move(probes));
  return j;
}

}  // namespace ember::update
