// The health check a staged model must pass before it becomes active: it
// loads under the trust policy (signature checked before parsing), the
// interpreter builds and allocates, and every probe of the manifest runs
// within the latency budget and reproduces its expected outputs (float32
// within the probe's tolerance, other types byte for byte).
#pragma once

#include <string>

#include "base/status.h"
#include "trust/trust_policy.h"
#include "update/manifest.h"

namespace ember::update {

struct HealthReport {
  int probes_run = 0;
  double max_latency_ms = 0;
};

// `slot_dir` holds the manifest's files, already checked against their
// hashes. Errors start with "health check failed:".
Status CheckHealth(const std::string& slot_dir, const Manifest& manifest,
                   const trust::TrustPolicy& policy, ErrorReporter& errors,
                   HealthReport* report);

}  // namespace ember::update
