// A/B model updates (docs/update.md). The state folder holds two slots,
// slot-a/ and slot-b/, each a complete bundle (signed manifest, model,
// probe files), and state.json, which names the active and the previous
// slot; the active model changes only by the atomic rename of a new
// state.json. An update is staged into the inactive slot (downloads resume
// there), checked file by file against the signed manifest, health-checked
// (health.h), and only then switched to. The slot that was active stays as
// the previous one: every failure before the switch leaves the active
// model untouched, and a model that dies on its first use is rolled back
// at the next start (first-use marker).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "trust/keys.h"
#include "trust/trust_policy.h"
#include "update/fetch.h"
#include "update/health.h"
#include "update/json.h"
#include "update/manifest.h"

namespace ember::update {

struct UpdateOptions {
  std::string state_dir;
  // The publisher's keys: manifests and models must be signed by one.
  std::vector<trust::PublicKey> trusted_keys;
  // Hashed against the rollout percentage (manifest.h, RolloutBucket).
  std::string device_id;
  // This runtime's version, checked against min_ember_version.
  std::string ember_version;
  FetchOptions fetch;
};

enum class ApplyOutcome {
  kInstalled,     // the new version is active (first use pending)
  kUpToDate,      // this version is already active
  kNotInRollout,  // the device's bucket is outside the rollout percentage
};

struct ApplyResult {
  ApplyOutcome outcome = ApplyOutcome::kUpToDate;
  std::string model_id;
  std::string version;
  std::string slot;
  int rollout_bucket = -1;
  HealthReport health;
};

class UpdateManager {
 public:
  // Opens (creating) the state folder and recovers from an interrupted
  // run: stale temporary files are removed, a first-use marker left by a
  // crash rolls back to the previous slot, and history missed by a crash
  // after the switch is recorded.
  static Status Open(const UpdateOptions& options, ErrorReporter& errors,
                     std::unique_ptr<UpdateManager>* out);

  // Fetches the manifest at `manifest_url` (its files are its siblings),
  // verifies, stages, health-checks and switches. Refuses downgrades,
  // versions rejected earlier on this device, other model ids, bundles for
  // a newer Ember, and anything unsigned or signed by another key.
  Status Apply(const std::string& manifest_url, ApplyResult* result);

  // Makes the previous slot active again (after verifying it completely)
  // and rejects the version rolled back from.
  Status Rollback(const std::string& reason);

  // First use of a newly activated model: Begin marks it in use (a crash
  // before Confirm means a rollback at the next Open), Confirm clears it.
  // Both do nothing when no first use is pending.
  Status BeginFirstUse();
  Status ConfirmFirstUse();

  // Absolute path of the active model file; empty when none is installed.
  std::string ActiveModelPath() const;
  std::string ActiveVersion() const;
  // Active/previous slots, pending first use, rejected versions, history.
  JsonValue StatusJson() const;

  ErrorReporter& errors() { return errors_; }
  const trust::TrustPolicy& policy() const { return policy_; }

 private:
  struct SlotInfo {
    bool present = false;
    Manifest manifest;
  };
  struct State {
    std::string active;    // "a", "b" or empty
    std::string previous;  // "a", "b" or empty
    std::vector<std::string> rejected;
  };

  UpdateManager() = default;
  std::string Path(const std::string& name) const;
  std::string SlotDir(const std::string& slot) const;
  Status LoadState();
  Status SaveState(const State& state);
  Status ReadSlot(const std::string& slot, bool check_files, SlotInfo* info);
  Status Recover();
  Status RecordEvent(const std::string& event, const std::string& version,
                     const std::string& slot, const std::string& detail);
  Status FetchFile(const std::string& manifest_url, const std::string& dir,
                   const BundleFile& file);
  Status SwitchTo(const std::string& slot, const std::string& previous,
                  const std::string& reject_version);
  bool IsRejected(const std::string& version) const;

  UpdateOptions options_;
  trust::TrustPolicy policy_;
  State state_;
  SlotInfo active_;
  SlotInfo previous_;
  ErrorReporter errors_;
};

// Fault injection for the tests: when the environment variable
// EMBER_UPDATE_CRASH_AT names `step`, the process kills itself with
// SIGKILL there (no cleanup, like a power cut or kill -9). Steps, in
// order: manifest, staged, download (after the first bytes of the model
// land), downloaded, verified, health, marker, switch, history, first-use.
void CrashPoint(const char* step);

}  // namespace ember::update
