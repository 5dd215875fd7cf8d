#include "update/update_manager.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "trust/atomic_file.h"
#include "trust/sha256.h"
#include "trust/signature.h"

namespace ember::update {

void CrashPoint(const char* step) {
  const char* at = getenv("EMBER_UPDATE_CRASH_AT");
  if (at != nullptr && strcmp(at, step) == 0) kill(getpid(), SIGKILL);
}

namespace {

constexpr char kStateFormat[] = "ember-update-state/1";
constexpr char kStateName[] = "state.json";
constexpr char kMarkerName[] = "first_use.json";
constexpr char kHistoryName[] = "history.json";
constexpr size_t kMaxHistory = 200;
constexpr size_t kMaxSignatureBytes = trust::kSignatureTrailerBytes;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

Status MakeDir(const std::string& path, ErrorReporter& errors) {
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return errors.Report(StatusCode::kIoError, "cannot create '%s': %s",
                         path.c_str(), strerror(errno));
  }
  return Status::Ok();
}

void SyncDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

// Names of the entries of `dir` (no "." / "..").
std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  return names;
}

Status ReadText(const std::string& path, size_t max_bytes,
                ErrorReporter& errors, std::string* out) {
  return trust::ReadSmallFile(path.c_str(), max_bytes, errors, out);
}

Status WriteText(const std::string& path, const std::string& text,
                 ErrorReporter& errors) {
  return trust::WriteFileAtomically(
      path.c_str(), reinterpret_cast<const uint8_t*>(text.data()), text.size(),
      0644, errors);
}

std::string Now() {
  char buf[32];
  const time_t t = time(nullptr);
  tm utc;
  gmtime_r(&t, &utc);
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

std::string OtherSlot(const std::string& slot) {
  return slot == "a" ? "b" : "a";
}

// The manifest's signature: an Ember signature trailer over its bytes.
Status VerifyManifest(const std::string& manifest, const std::string& sig,
                      const trust::TrustPolicy& policy, ErrorReporter& errors) {
  if (!policy.requires_signature()) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "no trusted public key: updates must be verified "
                         "(give the publisher's KEY.pub)");
  }
  std::vector<uint8_t> signed_bytes(manifest.begin(), manifest.end());
  signed_bytes.insert(signed_bytes.end(), sig.begin(), sig.end());
  size_t payload = 0;
  const Status s = trust::VerifySignedModel(
      signed_bytes.data(), signed_bytes.size(), policy.trusted_keys.data(),
      policy.trusted_keys.size(), errors, &payload);
  if (!s.ok()) {
    errors.Prefix("manifest signature: ");
    return s;
  }
  return Status::Ok();
}

Status CheckFile(const std::string& path, const BundleFile& file,
                 ErrorReporter& errors) {
  trust::Sha256Digest digest;
  uint64_t size = 0;
  EMBER_RETURN_IF_ERROR(
      trust::Sha256File(path.c_str(), errors, &digest, &size));
  if (size != file.size) {
    return errors.Report(StatusCode::kInvalidModel,
                         "'%s' has %llu bytes, the manifest says %llu "
                         "(truncated or corrupted download)",
                         file.name.c_str(),
                         static_cast<unsigned long long>(size),
                         static_cast<unsigned long long>(file.size));
  }
  const std::string hex = trust::DigestHex(digest);
  if (hex != file.sha256) {
    return errors.Report(StatusCode::kInvalidModel,
                         "'%s' has SHA-256 %s, the manifest says %s "
                         "(corrupted download)",
                         file.name.c_str(), hex.c_str(), file.sha256.c_str());
  }
  return Status::Ok();
}

JsonValue SlotJson(const std::string& slot, const std::string& dir,
                   const Manifest& m) {
  JsonValue j = JsonValue::Object();
  j.Set("slot", JsonValue::String(slot));
  j.Set("model_id", JsonValue::String(m.model_id));
  j.Set("version", JsonValue::String(m.version));
  j.Set("model_path", JsonValue::String(dir + "/" + m.model.name));
  j.Set("sha256", JsonValue::String(m.model.sha256));
  return j;
}

}  // namespace

std::string UpdateManager::Path(const std::string& name) const {
  return options_.state_dir + "/" + name;
}

std::string UpdateManager::SlotDir(const std::string& slot) const {
  return Path("slot-" + slot);
}

Status UpdateManager::Open(const UpdateOptions& options, ErrorReporter& errors,
                           std::unique_ptr<UpdateManager>* out) {
  if (options.state_dir.empty()) {
    return errors.Report(StatusCode::kInvalidArgument, "no state folder given");
  }
  std::unique_ptr<UpdateManager> m(new UpdateManager());
  m->options_ = options;
  while (m->options_.state_dir.size() > 1 &&
         m->options_.state_dir.back() == '/')
    m->options_.state_dir.pop_back();
  m->policy_.trusted_keys = options.trusted_keys;
  EMBER_RETURN_IF_ERROR(MakeDir(m->options_.state_dir, errors));
  EMBER_RETURN_IF_ERROR(MakeDir(m->SlotDir("a"), errors));
  EMBER_RETURN_IF_ERROR(MakeDir(m->SlotDir("b"), errors));
  const Status s = m->Recover();
  if (!s.ok()) {
    errors.Report(s.code(), "%s", m->errors_.message()).IgnoreError();
    return s;
  }
  *out = std::move(m);
  return Status::Ok();
}

Status UpdateManager::LoadState() {
  state_ = State();
  const std::string path = Path(kStateName);
  if (!Exists(path)) return Status::Ok();  // nothing installed yet
  std::string text;
  EMBER_RETURN_IF_ERROR(ReadText(path, 1 << 16, errors_, &text));
  JsonValue j;
  EMBER_RETURN_IF_ERROR(
      ParseJson(text.data(), text.size(), path.c_str(), errors_, &j));
  const JsonValue* format = j.Find("format");
  const JsonValue* active = j.Find("active");
  const JsonValue* previous = j.Find("previous");
  const JsonValue* rejected = j.Find("rejected");
  const auto slot_ok = [](const JsonValue* v) {
    return v != nullptr && v->is_string() &&
           (v->string().empty() || v->string() == "a" || v->string() == "b");
  };
  if (format == nullptr || !format->is_string() ||
      format->string() != kStateFormat || !slot_ok(active) ||
      !slot_ok(previous) || rejected == nullptr || !rejected->is_array()) {
    return errors_.Report(StatusCode::kInvalidArgument,
                          "'%s' is not an Ember update state file",
                          path.c_str());
  }
  state_.active = active->string();
  state_.previous = previous->string();
  for (const JsonValue& v : rejected->array())
    if (v.is_string()) state_.rejected.push_back(v.string());
  return Status::Ok();
}

Status UpdateManager::SaveState(const State& state) {
  JsonValue j = JsonValue::Object();
  j.Set("format", JsonValue::String(kStateFormat));
  j.Set("active", JsonValue::String(state.active));
  j.Set("previous", JsonValue::String(state.previous));
  JsonValue rejected = JsonValue::Array();
  for (const std::string& v : state.rejected)
    rejected.Append(JsonValue::String(v));
  j.Set("rejected", std::move(rejected));
  EMBER_RETURN_IF_ERROR(WriteText(Path(kStateName), j.Dump(2) + "\n", errors_));
  state_ = state;
  return Status::Ok();
}

// Reads and verifies a slot's signed manifest; with check_files, every
// file's size and hash too (the model's own signature is checked when it
// is loaded).
Status UpdateManager::ReadSlot(const std::string& slot, bool check_files,
                               SlotInfo* info) {
  *info = SlotInfo();
  const std::string dir = SlotDir(slot);
  std::string manifest, sig;
  EMBER_RETURN_IF_ERROR(
      ReadText(dir + "/" + kManifestName, kMaxJsonBytes, errors_, &manifest));
  EMBER_RETURN_IF_ERROR(ReadText(dir + "/" + kManifestSignatureName,
                                 kMaxSignatureBytes, errors_, &sig));
  EMBER_RETURN_IF_ERROR(VerifyManifest(manifest, sig, policy_, errors_));
  EMBER_RETURN_IF_ERROR(ParseManifest(manifest, errors_, &info->manifest));
  if (check_files) {
    for (const BundleFile* f : info->manifest.Files())
      EMBER_RETURN_IF_ERROR(CheckFile(dir + "/" + f->name, *f, errors_));
  }
  info->present = true;
  return Status::Ok();
}

Status UpdateManager::Recover() {
  // Temporary files of atomic writes cut short.
  for (const std::string& dir :
       {options_.state_dir, SlotDir("a"), SlotDir("b")}) {
    for (const std::string& name : ListDir(dir))
      if (name.rfind(".ember-tmp-", 0) == 0) unlink((dir + "/" + name).c_str());
  }
  EMBER_RETURN_IF_ERROR(LoadState());
  if (!state_.active.empty()) {
    // The active slot was complete and checked when it was switched to;
    // its manifest is read (and its signature checked) at every start.
    EMBER_RETURN_IF_ERROR(ReadSlot(state_.active, false, &active_));
  }
  if (!state_.previous.empty()) {
    ErrorReporter ignored;
    std::swap(ignored, errors_);
    if (!ReadSlot(state_.previous, false, &previous_).ok())
      previous_ = SlotInfo();
    std::swap(ignored, errors_);
  }

  // First-use marker: written before the switch, set to "started" before
  // the first invoke, removed after it succeeded.
  const std::string marker_path = Path(kMarkerName);
  if (Exists(marker_path)) {
    std::string text;
    JsonValue marker;
    const bool read = ReadText(marker_path, 4096, errors_, &text).ok() &&
                      ParseJson(text.data(), text.size(), "first-use marker",
                                errors_, &marker)
                          .ok();
    const JsonValue* slot = marker.Find("slot");
    const JsonValue* stage = marker.Find("state");
    const bool for_active =
        read && slot && slot->is_string() && slot->string() == state_.active;
    if (for_active && stage && stage->is_string() &&
        stage->string() == "started") {
      // The process died during the first use of this model.
      if (previous_.present) {
        EMBER_RETURN_IF_ERROR(Rollback("crashed on first use"));
      } else {
        RecordEvent("first-use-crash", active_.manifest.version, state_.active,
                    "crashed on first use; no previous model to roll back to")
            .IgnoreError();
        unlink(marker_path.c_str());
      }
    } else if (!for_active) {
      unlink(marker_path.c_str());  // from an update that never switched
    }
  }

  // History: an "activated" event lost to a crash right after the switch.
  if (active_.present) {
    std::string text;
    JsonValue history;
    std::string last_active;
    ErrorReporter ignored;
    if (ReadText(Path(kHistoryName), kMaxJsonBytes, ignored, &text).ok() &&
        ParseJson(text.data(), text.size(), "history", ignored, &history)
            .ok()) {
      if (const JsonValue* events = history.Find("events")) {
        for (const JsonValue& e : events->array()) {
          const JsonValue* active = e.Find("active_version");
          if (active && active->is_string()) last_active = active->string();
        }
      }
    }
    if (last_active != active_.manifest.version) {
      EMBER_RETURN_IF_ERROR(
          RecordEvent("activated", active_.manifest.version, state_.active,
                      "recorded after an interrupted update"));
    }
  }
  return Status::Ok();
}

Status UpdateManager::RecordEvent(const std::string& event,
                                  const std::string& version,
                                  const std::string& slot,
                                  const std::string& detail) {
  JsonValue history = JsonValue::Object();
  std::string text;
  ErrorReporter ignored;
  if (ReadText(Path(kHistoryName), kMaxJsonBytes, ignored, &text).ok())
    ParseJson(text.data(), text.size(), "history", ignored, &history)
        .IgnoreError();
  JsonValue events = JsonValue::Array();
  if (const JsonValue* old = history.Find("events"); old && old->is_array()) {
    const auto& list = old->array();
    const size_t keep = std::min(list.size(), kMaxHistory - 1);
    for (size_t i = list.size() - keep; i < list.size(); ++i)
      events.Append(list[i]);
  }
  JsonValue e = JsonValue::Object();
  e.Set("time", JsonValue::String(Now()));
  e.Set("event", JsonValue::String(event));
  e.Set("version", JsonValue::String(version));
  e.Set("slot", JsonValue::String(slot));
  e.Set("active_version",
        JsonValue::String(active_.present ? active_.manifest.version
                                          : std::string()));
  if (!detail.empty()) e.Set("detail", JsonValue::String(detail));
  events.Append(std::move(e));
  JsonValue out = JsonValue::Object();
  out.Set("events", std::move(events));
  return WriteText(Path(kHistoryName), out.Dump(2) + "\n", errors_);
}

bool UpdateManager::IsRejected(const std::string& version) const {
  for (const std::string& v : state_.rejected)
    if (CompareVersions(v, version) == 0) return true;
  return false;
}

Status UpdateManager::FetchFile(const std::string& manifest_url,
                                const std::string& dir,
                                const BundleFile& file) {
  const std::string final_path = dir + "/" + file.name;
  if (Exists(final_path)) {
    ErrorReporter ignored;
    if (CheckFile(final_path, file, ignored).ok()) return Status::Ok();
    unlink(final_path.c_str());
  }
  const std::string part = final_path + ".part";
  const std::string url = SiblingUrl(manifest_url, file.name);
  FetchOptions fetch = options_.fetch;
  fetch.max_bytes = file.size;
  bool crash_hook_armed = true;
  fetch.on_progress = [&](uint64_t) {
    if (crash_hook_armed) CrashPoint("download");
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    struct stat st;
    const bool resumed = stat(part.c_str(), &st) == 0 && st.st_size > 0;
    EMBER_RETURN_IF_ERROR(FetchToFile(url, part, fetch, errors_));
    CrashPoint("downloaded");
    const Status check = CheckFile(part, file, errors_);
    if (check.ok()) break;
    unlink(part.c_str());
    // Bytes kept from an earlier attempt may be what is wrong: fetch the
    // whole file once more; a fresh download that fails is reported.
    if (!resumed || attempt == 1) return check;
    crash_hook_armed = false;
  }
  if (rename(part.c_str(), final_path.c_str()) != 0) {
    return errors_.Report(StatusCode::kIoError, "cannot rename '%s': %s",
                          part.c_str(), strerror(errno));
  }
  SyncDir(dir);
  return Status::Ok();
}

Status UpdateManager::Apply(const std::string& manifest_url,
                            ApplyResult* result) {
  *result = ApplyResult();
  EMBER_RETURN_IF_ERROR(trust::RequireCrypto(errors_));
  // 1. The signed manifest, into memory.
  std::string manifest_bytes, sig;
  FetchOptions small = options_.fetch;
  small.max_bytes = kMaxJsonBytes;
  EMBER_RETURN_IF_ERROR(
      FetchToMemory(manifest_url, small, errors_, &manifest_bytes));
  small.max_bytes = kMaxSignatureBytes;
  EMBER_RETURN_IF_ERROR(FetchToMemory(
      SiblingUrl(manifest_url, kManifestSignatureName), small, errors_, &sig));
  EMBER_RETURN_IF_ERROR(VerifyManifest(manifest_bytes, sig, policy_, errors_));
  Manifest manifest;
  EMBER_RETURN_IF_ERROR(ParseManifest(manifest_bytes, errors_, &manifest));
  result->model_id = manifest.model_id;
  result->version = manifest.version;

  // 2. Is it for this device, now?
  if (active_.present && manifest.model_id != active_.manifest.model_id) {
    return errors_.Report(StatusCode::kInvalidArgument,
                          "the bundle is for model '%s'; this state folder "
                          "holds model '%s'",
                          manifest.model_id.c_str(),
                          active_.manifest.model_id.c_str());
  }
  if (!manifest.min_ember_version.empty() &&
      CompareVersions(manifest.min_ember_version, options_.ember_version) > 0) {
    return errors_.Report(StatusCode::kUnsupported,
                          "version %s needs Ember %s or newer; this is %s",
                          manifest.version.c_str(),
                          manifest.min_ember_version.c_str(),
                          options_.ember_version.c_str());
  }
  if (active_.present) {
    const int order =
        CompareVersions(manifest.version, active_.manifest.version);
    if (order == 0) {
      result->outcome = ApplyOutcome::kUpToDate;
      result->slot = state_.active;
      return Status::Ok();
    }
    if (order < 0) {
      return errors_.Report(StatusCode::kFailedPrecondition,
                            "downgrade refused: the bundle holds version %s, "
                            "version %s is active (use rollback to go back)",
                            manifest.version.c_str(),
                            active_.manifest.version.c_str());
    }
  }
  if (IsRejected(manifest.version)) {
    return errors_.Report(StatusCode::kFailedPrecondition,
                          "version %s was rejected on this device earlier "
                          "(failed health check, first use or rolled back)",
                          manifest.version.c_str());
  }
  result->rollout_bucket = RolloutBucket(manifest.model_id, options_.device_id);
  if (result->rollout_bucket >= manifest.rollout_percent) {
    result->outcome = ApplyOutcome::kNotInRollout;
    return Status::Ok();
  }
  CrashPoint("manifest");

  // 3. Stage into the inactive slot. It may hold the previous model: that
  // one is given up (state.json first), the active one never is.
  const std::string slot =
      state_.active.empty() ? std::string("a") : OtherSlot(state_.active);
  const std::string dir = SlotDir(slot);
  result->slot = slot;
  if (state_.previous == slot) {
    State s = state_;
    s.previous.clear();
    EMBER_RETURN_IF_ERROR(SaveState(s));
    previous_ = SlotInfo();
  }
  std::string staged;
  ErrorReporter ignored;
  const bool same_bundle =
      ReadText(dir + "/" + kManifestName, kMaxJsonBytes, ignored, &staged)
          .ok() &&
      staged == manifest_bytes;
  if (!same_bundle) {  // keep partial downloads only for the same bundle
    for (const std::string& name : ListDir(dir))
      unlink((dir + "/" + name).c_str());
    EMBER_RETURN_IF_ERROR(
        WriteText(dir + "/" + kManifestSignatureName, sig, errors_));
    EMBER_RETURN_IF_ERROR(
        WriteText(dir + "/" + kManifestName, manifest_bytes, errors_));
  }
  CrashPoint("staged");

  // 4. Every file, resumable, checked against the manifest.
  for (const BundleFile* f : manifest.Files()) {
    const Status s = FetchFile(manifest_url, dir, *f);
    if (!s.ok()) {
      RecordEvent("download-failed", manifest.version, slot, errors_.message())
          .IgnoreError();
      return s;
    }
  }
  SyncDir(dir);
  CrashPoint("verified");

  // 5. Health check of the staged slot.
  const Status health =
      CheckHealth(dir, manifest, policy_, errors_, &result->health);
  if (!health.ok()) {
    const std::string why = errors_.message();
    State s = state_;
    if (!IsRejected(manifest.version)) s.rejected.push_back(manifest.version);
    if (SaveState(s).ok())
      RecordEvent("rejected", manifest.version, slot, why).IgnoreError();
    errors_.Report(StatusCode::kFailedPrecondition, "%s", why.c_str())
        .IgnoreError();
    return health;
  }
  CrashPoint("health");

  // 6. Switch: first-use marker, then the atomic rename of state.json.
  JsonValue marker = JsonValue::Object();
  marker.Set("slot", JsonValue::String(slot));
  marker.Set("version", JsonValue::String(manifest.version));
  marker.Set("state", JsonValue::String("pending"));
  EMBER_RETURN_IF_ERROR(WriteText(Path(kMarkerName), marker.Dump(), errors_));
  CrashPoint("marker");
  const std::string old_active = state_.active;
  SlotInfo old = active_;
  EMBER_RETURN_IF_ERROR(SwitchTo(slot, old_active, ""));
  active_.present = true;
  active_.manifest = manifest;
  previous_ = old;
  CrashPoint("switch");
  EMBER_RETURN_IF_ERROR(RecordEvent("activated", manifest.version, slot, ""));
  CrashPoint("history");
  result->outcome = ApplyOutcome::kInstalled;
  return Status::Ok();
}

Status UpdateManager::SwitchTo(const std::string& slot,
                               const std::string& previous,
                               const std::string& reject_version) {
  State s = state_;
  s.active = slot;
  s.previous = previous;
  if (!reject_version.empty() && !IsRejected(reject_version))
    s.rejected.push_back(reject_version);
  return SaveState(s);
}

Status UpdateManager::Rollback(const std::string& reason) {
  if (state_.previous.empty() || !previous_.present) {
    return errors_.Report(StatusCode::kFailedPrecondition,
                          "rollback: there is no previous model to go back "
                          "to");
  }
  // The previous slot is checked in full before it becomes active again.
  SlotInfo target;
  if (!ReadSlot(state_.previous, true, &target).ok()) {
    errors_.Prefix("rollback: the previous slot does not verify: ");
    return Status(StatusCode::kInvalidModel);
  }
  const std::string rolled_back = active_.manifest.version;
  const std::string from = state_.active;
  EMBER_RETURN_IF_ERROR(SwitchTo(state_.previous, from, rolled_back));
  unlink(Path(kMarkerName).c_str());
  SlotInfo old = active_;
  active_ = target;
  previous_ = old;
  return RecordEvent("rolled-back", rolled_back, state_.active,
                     reason + "; active again: " + target.manifest.version);
}

Status UpdateManager::BeginFirstUse() {
  const std::string path = Path(kMarkerName);
  if (!Exists(path) || state_.active.empty()) return Status::Ok();
  JsonValue marker = JsonValue::Object();
  marker.Set("slot", JsonValue::String(state_.active));
  marker.Set("version", JsonValue::String(active_.manifest.version));
  marker.Set("state", JsonValue::String("started"));
  return WriteText(path, marker.Dump(), errors_);
}

Status UpdateManager::ConfirmFirstUse() {
  const std::string path = Path(kMarkerName);
  if (!Exists(path)) return Status::Ok();
  if (unlink(path.c_str()) != 0) {
    return errors_.Report(StatusCode::kIoError, "cannot remove '%s': %s",
                          path.c_str(), strerror(errno));
  }
  SyncDir(options_.state_dir);
  return RecordEvent("first-use-ok", active_.manifest.version, state_.active,
                     "");
}

std::string UpdateManager::ActiveModelPath() const {
  if (!active_.present) return std::string();
  return SlotDir(state_.active) + "/" + active_.manifest.model.name;
}

std::string UpdateManager::ActiveVersion() const {
  return active_.present ? active_.manifest.version : std::string();
}

JsonValue UpdateManager::StatusJson() const {
  JsonValue j = JsonValue::Object();
  j.Set("state_dir", JsonValue::String(options_.state_dir));
  j.Set("active",
        active_.present
            ? SlotJson(state_.active, SlotDir(state_.active), active_.manifest)
            : JsonValue::Null());
  j.Set("previous", previous_.present
                        ? SlotJson(state_.previous, SlotDir(state_.previous),
                                   previous_.manifest)
                        : JsonValue::Null());
  std::string marker_text;
  ErrorReporter ignored;
  JsonValue marker;
  if (ReadText(Path(kMarkerName), 4096, ignored, &marker_text).ok() &&
      ParseJson(marker_text.data(), marker_text.size(), "marker", ignored,
                &marker)
          .ok() &&
      marker.Find("state") != nullptr) {
    j.Set("first_use", *marker.Find("state"));
  } else {
    j.Set("first_use", JsonValue::Null());
  }
  JsonValue rejected = JsonValue::Array();
  for (const std::string& v : state_.rejected)
    rejected.Append(JsonValue::String(v));
  j.Set("rejected", std::move(rejected));
  std::string text;
  JsonValue history;
  if (ReadText(Path(kHistoryName), kMaxJsonBytes, ignored, &text).ok() &&
      ParseJson(text.data(), text.size(), "history", ignored, &history).ok() &&
      history.Find("events") != nullptr) {
    j.Set("history", *history.Find("events"));
  } else {
    j.Set("history", JsonValue::Array());
  }
  return j;
}

}  // namespace ember::update
