#include "update/bundle.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>

#include "io/npy.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "trust/atomic_file.h"
#include "trust/sha256.h"
#include "trust/signature.h"

namespace ember::update {
namespace {

constexpr char kModelFileName[] = "model.tflite";

Status ReadAll(const std::string &path, ErrorReporter &errors,
               std::vector<uint8_t> *out) {
  FILE *f = fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return errors.Report(
        errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
        "cannot open '%s': %s", path.c_str(), strerror(errno));
  }
  out->clear();
  uint8_t chunk[1 << 16];
  size_t n = 0;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    out->insert(out->end(), chunk, chunk + n);
  const bool failed = ferror(f) != 0;
  fclose(f);
  if (failed)
    return errors.Report(StatusCode::kIoError, "cannot read '%s'",
                         path.c_str());
  return Status::Ok();
}

// Writes `bytes` as bundle file `name` and describes it.
Status AddFile(const std::string &dir, const std::string &name,
               const uint8_t *bytes, size_t size, ErrorReporter &errors,
               BundleFile *file) {
  const std::string path = dir + "/" + name;
  EMBER_RETURN_IF_ERROR(
      trust::WriteFileAtomically(path.c_str(), bytes, size, 0644, errors));
  trust::Sha256Digest digest;
  uint64_t written = 0;
  EMBER_RETURN_IF_ERROR(
      trust::Sha256File(path.c_str(), errors, &digest, &written));
  file->name = name;
  file->sha256 = trust::DigestHex(digest);
  file->size = written;
  return Status::Ok();
}

Status AddNpyFile(const std::string &dir, const std::string &name,
                  const std::string &source, ErrorReporter &errors,
                  BundleFile *file) {
  std::vector<uint8_t> bytes;
  EMBER_RETURN_IF_ERROR(ReadAll(source, errors, &bytes));
  NpyArray check;
  if (!ParseNpy(bytes.data(), bytes.size(), &check, errors).ok()) {
    errors.Prefix("probe file '%s': ", source.c_str());
    return Status(StatusCode::kInvalidArgument);
  }
  return AddFile(dir, name, bytes.data(), bytes.size(), errors, file);
}

void FillRandom(Tensor &t, std::mt19937_64 &rng) {
  if (t.type == DataType::kFloat32) {
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    float *p = t.data_as<float>();
    for (int64_t i = 0; i < t.NumElements(); ++i) p[i] = dist(rng);
    return;
  }
  if (t.type == DataType::kBool) {
    uint8_t *p = static_cast<uint8_t *>(t.data);
    for (size_t i = 0; i < t.bytes; ++i) p[i] = rng() & 1;
    return;
  }
  uint8_t *p = static_cast<uint8_t *>(t.data);
  for (size_t i = 0; i < t.bytes; ++i) p[i] = static_cast<uint8_t>(rng());
}

std::vector<int64_t> Dims(const Shape &s) {
  return std::vector<int64_t>(s.dims, s.dims + s.rank);
}

// Random inputs (seeded), their outputs computed by Ember here.
Status AutoProbes(const BundleOptions &o, const Model &model,
                  const std::string &dir, ErrorReporter &errors,
                  std::vector<Probe> *probes) {
  std::unique_ptr<Interpreter> interp;
  EMBER_RETURN_IF_ERROR(Interpreter::Create(
      model, OpResolver::Builtins(), InterpreterOptions(), errors, &interp));
  if (!interp->AllocateTensors().ok()) {
    return errors.Report(StatusCode::kInvalidModel, "%s",
                         interp->errors().message());
  }
  Subgraph &sg = interp->primary();
  std::mt19937_64 rng(o.seed);
  const std::string tmp = dir + "/.probe.npy";
  for (int p = 0; p < o.auto_probes; ++p) {
    Probe probe;
    probe.tolerance = o.probe_tolerance;
    for (size_t i = 0; i < sg.inputs().size(); ++i) {
      Tensor &t = sg.tensors()[static_cast<size_t>(sg.inputs()[i])];
      FillRandom(t, rng);
      probe.inputs.emplace_back();
      const std::string name =
          "probe-" + std::to_string(p) + "-in-" + std::to_string(i) + ".npy";
      EMBER_RETURN_IF_ERROR(
          WriteNpy(tmp, t.type, Dims(t.shape), t.data, t.bytes, errors));
      EMBER_RETURN_IF_ERROR(
          AddNpyFile(dir, name, tmp, errors, &probe.inputs.back()));
    }
    if (!interp->Invoke().ok()) {
      remove(tmp.c_str());
      return errors.Report(StatusCode::kInvalidArgument,
                           "auto probe %d: invoke failed (%s); give probe "
                           "files with --probe instead",
                           p, interp->errors().message());
    }
    for (size_t i = 0; i < sg.outputs().size(); ++i) {
      const Tensor &t = sg.tensors()[static_cast<size_t>(sg.outputs()[i])];
      probe.outputs.emplace_back();
      const std::string name =
          "probe-" + std::to_string(p) + "-out-" + std::to_string(i) + ".npy";
      EMBER_RETURN_IF_ERROR(
          WriteNpy(tmp, t.type, Dims(t.shape), t.data, t.bytes, errors));
      EMBER_RETURN_IF_ERROR(
          AddNpyFile(dir, name, tmp, errors, &probe.outputs.back()));
    }
    probes->push_back(std::move(probe));
  }
  remove(tmp.c_str());
  return Status::Ok();
}

}  // namespace

Status MakeBundle(const BundleOptions &o, const trust::SecretKey &key,
                  ErrorReporter &errors, Manifest *out) {
  EMBER_RETURN_IF_ERROR(trust::RequireCrypto(errors));
  Manifest m;
  m.model_id = o.model_id;
  m.version = o.version;
  m.min_ember_version = o.min_ember_version;
  m.rollout_percent = o.rollout_percent;
  m.latency_budget_ms = o.latency_budget_ms;
  if (m.model_id.empty() || m.model_id.size() > 128)
    return errors.Report(StatusCode::kInvalidArgument,
                         "the model id must be 1 to 128 characters");
  if (!IsValidVersion(m.version))
    return errors.Report(StatusCode::kInvalidArgument,
                         "version '%s' is not dotted numbers (e.g. 1.2.0)",
                         m.version.c_str());
  if (!m.min_ember_version.empty() && !IsValidVersion(m.min_ember_version))
    return errors.Report(StatusCode::kInvalidArgument,
                         "minimum Ember version '%s' is not dotted numbers",
                         m.min_ember_version.c_str());
  if (m.rollout_percent < 0 || m.rollout_percent > 100)
    return errors.Report(StatusCode::kInvalidArgument,
                         "rollout percentage must be 0 to 100");
  if (o.auto_probes < 0 || o.auto_probes > 16)
    return errors.Report(StatusCode::kInvalidArgument,
                         "auto probes must be 0 to 16");

  // The model, signed by `key` (a model signed already must be signed by
  // this same key: devices trust one publisher).
  std::vector<uint8_t> bytes;
  EMBER_RETURN_IF_ERROR(ReadAll(o.model_path, errors, &bytes));
  if (trust::IsEncryptedModel(bytes.data(), bytes.size()))
    return errors.Report(StatusCode::kInvalidArgument,
                         "'%s' is encrypted: bundle the signed plain model",
                         o.model_path.c_str());
  size_t payload = 0;
  trust::TrustPolicy policy;
  policy.trusted_keys.push_back(key.Public());
  if (!trust::HasSignatureTrailer(bytes.data(), bytes.size(), &payload)) {
    std::vector<uint8_t> trailer;
    EMBER_RETURN_IF_ERROR(
        trust::SignModel(bytes.data(), bytes.size(), key, errors, &trailer));
    bytes.insert(bytes.end(), trailer.begin(), trailer.end());
  }
  std::unique_ptr<Model> model;
  if (!Model::FromBuffer(bytes.data(), bytes.size(), /*copy=*/true, policy,
                         errors, &model)
           .ok()) {
    errors.Prefix("'%s': ", o.model_path.c_str());
    return Status(StatusCode::kInvalidModel);
  }

  if (mkdir(o.output_dir.c_str(), 0755) != 0 && errno != EEXIST)
    return errors.Report(StatusCode::kIoError, "cannot create '%s': %s",
                         o.output_dir.c_str(), strerror(errno));
  if (DIR *d = opendir(o.output_dir.c_str())) {
    int entries = 0;
    while (dirent *e = readdir(d))
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
        ++entries;
    closedir(d);
    if (entries > 0)
      return errors.Report(StatusCode::kInvalidArgument,
                           "'%s' is not empty: a bundle goes into a new "
                           "folder",
                           o.output_dir.c_str());
  }
  EMBER_RETURN_IF_ERROR(AddFile(o.output_dir, kModelFileName, bytes.data(),
                                bytes.size(), errors, &m.model));
  EMBER_RETURN_IF_ERROR(AutoProbes(o, *model, o.output_dir, errors, &m.probes));
  for (size_t p = 0; p < o.probe_files.size(); ++p) {
    Probe probe;
    probe.tolerance = o.probe_tolerance;
    const size_t n = m.probes.size();
    for (size_t i = 0; i < o.probe_files[p].first.size(); ++i) {
      probe.inputs.emplace_back();
      EMBER_RETURN_IF_ERROR(AddNpyFile(
          o.output_dir,
          "probe-" + std::to_string(n) + "-in-" + std::to_string(i) + ".npy",
          o.probe_files[p].first[i], errors, &probe.inputs.back()));
    }
    for (size_t i = 0; i < o.probe_files[p].second.size(); ++i) {
      probe.outputs.emplace_back();
      EMBER_RETURN_IF_ERROR(AddNpyFile(
          o.output_dir,
          "probe-" + std::to_string(n) + "-out-" + std::to_string(i) + ".npy",
          o.probe_files[p].second[i], errors, &probe.outputs.back()));
    }
    m.probes.push_back(std::move(probe));
  }

  // The manifest, then its signature.
  const std::string text = ManifestToJson(m).Dump(2) + "\n";
  Manifest check;
  EMBER_RETURN_IF_ERROR(ParseManifest(text, errors, &check));
  std::vector<uint8_t> sig;
  EMBER_RETURN_IF_ERROR(
      trust::SignModel(reinterpret_cast<const uint8_t *>(text.data()),
                       text.size(), key, errors, &sig));
  EMBER_RETURN_IF_ERROR(trust::WriteFileAtomically(
      (o.output_dir + "/" + kManifestSignatureName).c_str(), sig.data(),
      sig.size(), 0644, errors));
  EMBER_RETURN_IF_ERROR(
      trust::WriteFileAtomically((o.output_dir + "/" + kManifestName).c_str(),
                                 reinterpret_cast<const uint8_t *>(text.data()),
                                 text.size(), 0644, errors));
  *out = std::move(m);
  return Status::Ok();
}

}  // namespace ember::update
