// Making an update bundle (the publisher's side of docs/update.md): a
// folder that any static HTTP server or CDN can serve as it is.
//   manifest.json      the manifest (manifest.h), canonical JSON
//   manifest.json.sig  Ember signature trailer over manifest.json's bytes
//   <model file>       the model, signed (signed here when it is not)
//   probe-N-in-K.npy / probe-N-out-K.npy   health-check probes
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "trust/keys.h"
#include "update/manifest.h"

namespace ember::update {

struct BundleOptions {
  std::string model_path;
  std::string model_id;
  std::string version;
  std::string min_ember_version;
  int rollout_percent = 100;
  double latency_budget_ms = 0;
  // Probes whose outputs are computed here with random inputs (seeded).
  int auto_probes = 1;
  uint64_t seed = 1;
  double probe_tolerance = 1e-4;  // float32 outputs; integers are exact
  // Probes given as files: (inputs, outputs) lists of .npy paths.
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>
      probe_files;
  std::string output_dir;  // created; must be empty or absent
};

Status MakeBundle(const BundleOptions &options, const trust::SecretKey &key,
                  ErrorReporter &errors, Manifest *manifest);

}  // namespace ember::update
