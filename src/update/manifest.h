// The update bundle's manifest (docs/update.md): which model, which
// version, the SHA-256 and size of every file in the bundle, the minimum
// Ember version, the rollout percentage and the health-check probes. It is
// signed by the publisher: manifest.json.sig is an Ember signature trailer
// (docs/trust.md) over manifest.json's exact bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "update/json.h"

namespace ember::update {

constexpr char kManifestFormat[] = "ember-update-manifest/1";
constexpr char kManifestName[] = "manifest.json";
constexpr char kManifestSignatureName[] = "manifest.json.sig";
constexpr uint64_t kMaxBundleFileBytes = uint64_t{4} << 30;  // 4 GiB

struct BundleFile {
  std::string name;    // plain file name inside the bundle (no folders)
  std::string sha256;  // lower-case hex
  uint64_t size = 0;
};

// One health-check case: these inputs (one .npy per model input, in
// order) must give these outputs (one .npy per output) within tolerance.
struct Probe {
  std::vector<BundleFile> inputs;
  std::vector<BundleFile> outputs;
  double tolerance = 0;  // max |difference|; 0 = exact (integer models)
};

struct Manifest {
  std::string model_id;
  std::string version;            // dotted numbers, "1.2.0"
  std::string min_ember_version;  // dotted numbers; empty: any
  int rollout_percent = 100;      // 0..100
  BundleFile model;
  std::vector<Probe> probes;
  double latency_budget_ms = 0;  // 0: no budget

  // Every file the bundle holds besides the manifest: model, then probes.
  std::vector<const BundleFile*> Files() const;
};

// Strict: unknown format, missing or mistyped fields, unsafe file names,
// bad versions and out-of-range numbers are refused, naming the field.
Status ParseManifest(const std::string& bytes, ErrorReporter& errors,
                     Manifest* out);
JsonValue ManifestToJson(const Manifest& manifest);

// Dotted-number versions ("1", "1.2", "1.2.3", up to 4 parts, each at most
// 9 digits). Compare returns <0, 0 or >0; parts missing count as 0.
bool IsValidVersion(const std::string& version);
int CompareVersions(const std::string& a, const std::string& b);

// The device's rollout bucket for a model, 0..99: the first 4 bytes of
// SHA-256("ember-rollout" NUL model_id NUL device_id), little-endian,
// modulo 100. A device takes a release when bucket < rollout_percent, so
// raising the percentage only adds devices (the same ones stay early).
// -1 when the build has no SHA-256 (no trust support).
int RolloutBucket(const std::string& model_id, const std::string& device_id);

// A bundle file name: 1..128 characters of [A-Za-z0-9._-], not starting
// with '.' (no folders, no hidden files, no "..").
bool IsSafeFileName(const std::string& name);

}  // namespace ember::update
