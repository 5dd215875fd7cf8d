// C ABI of the update manager (include/ember/ember.h, "Model updates").
#include <memory>
#include <new>
#include <string>

#include "capi/capi_internal.h"
#include "update/update_manager.h"

struct EmberUpdater {
  std::unique_ptr<ember::update::UpdateManager> manager;
  std::string text;  // the last returned string
  ember::ErrorReporter errors;
};

using namespace ember;        // NOLINT: C entry points below
using namespace ember::capi;  // NOLINT

namespace {

// The manager's message for a failed call.
EmberStatus Result(EmberUpdater* u, const Status& s) {
  if (!s.ok())
    u->errors.Report(s.code(), "%s", u->manager->errors().message())
        .IgnoreError();
  return ToC(s);
}

}  // namespace

extern "C" {

EmberStatus EmberUpdaterCreate(const char* state_dir,
                               const EmberTrustPolicy* policy,
                               const char* device_id, EmberUpdater** out,
                               char* error, size_t error_size) {
  if (out == nullptr || state_dir == nullptr) {
    WriteError(
        error, error_size,
        out == nullptr ? "out (EmberUpdater**) is NULL" : "state_dir is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = nullptr;
  ErrorReporter errors;
  const EmberStatus status = Guard(&errors, [&]() -> EmberStatus {
    update::UpdateOptions o;
    o.state_dir = state_dir;
    if (policy != nullptr) o.trusted_keys = policy->policy.trusted_keys;
    o.device_id = device_id ? device_id : "";
    o.ember_version = EMBER_VERSION_STRING;
    auto u = std::make_unique<EmberUpdater>();
    const Status s = update::UpdateManager::Open(o, errors, &u->manager);
    if (!s.ok()) return ToC(s);
    *out = u.release();
    return EMBER_STATUS_OK;
  });
  if (status != EMBER_STATUS_OK)
    WriteError(error, error_size, errors.message());
  return status;
}

void EmberUpdaterDestroy(EmberUpdater* updater) { delete updater; }

EmberStatus EmberUpdaterApply(EmberUpdater* u, const char* manifest_url,
                              int* installed) {
  if (u == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  if (installed != nullptr) *installed = 0;
  return Guard(&u->errors, [&]() -> EmberStatus {
    if (manifest_url == nullptr) {
      return ToC(u->errors.Report(StatusCode::kInvalidArgument,
                                  "manifest_url is NULL"));
    }
    update::ApplyResult r;
    const Status s = u->manager->Apply(manifest_url, &r);
    if (s.ok() && installed != nullptr)
      *installed = r.outcome == update::ApplyOutcome::kInstalled;
    return Result(u, s);
  });
}

EmberStatus EmberUpdaterRollback(EmberUpdater* u) {
  if (u == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&u->errors, [&]() -> EmberStatus {
    return Result(u, u->manager->Rollback("requested through the C ABI"));
  });
}

const char* EmberUpdaterGetActiveModelPath(EmberUpdater* u) {
  if (u == nullptr) return "";
  u->text = u->manager->ActiveModelPath();
  return u->text.c_str();
}

EmberStatus EmberUpdaterBeginFirstUse(EmberUpdater* u) {
  if (u == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&u->errors, [&]() -> EmberStatus {
    return Result(u, u->manager->BeginFirstUse());
  });
}

EmberStatus EmberUpdaterConfirmFirstUse(EmberUpdater* u) {
  if (u == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&u->errors, [&]() -> EmberStatus {
    return Result(u, u->manager->ConfirmFirstUse());
  });
}

const char* EmberUpdaterGetStatusJson(EmberUpdater* u) {
  if (u == nullptr) return "null";
  u->text = u->manager->StatusJson().Dump(2);
  return u->text.c_str();
}

const char* EmberUpdaterGetLastError(const EmberUpdater* u) {
  if (u == nullptr) return "updater is NULL";
  return u->errors.message();
}

}  // extern "C"
