// A/B model updates (src/update, docs/update.md):
//   ember update bundle MODEL --key KEY --model-id ID --version V -o DIR
//   ember update apply URL --state DIR --pubkey KEY.pub [--device-id ID]
//   ember update status --state DIR --pubkey KEY.pub [--json]
//   ember update rollback --state DIR --pubkey KEY.pub
//   ember update run --state DIR --pubkey KEY.pub   (first use, once)
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "trust/keys.h"
#include "update/bundle.h"
#include "update/update_manager.h"

namespace ember::cli {
namespace {

struct UpdateArgs {
  // bundle
  std::string model, key, model_id, version, min_ember_version, output;
  int rollout = 100;
  double latency_budget_ms = 0;
  int auto_probes = 1;
  double probe_tolerance = 1e-4;
  std::vector<std::string> probes;  // "IN.npy[,IN2.npy]=OUT.npy[,OUT2.npy]"
  // apply / status / rollback / run
  std::string url, state;
  std::vector<std::string> pubkeys;
  std::string device_id;
  long stall_seconds = 10;
  bool json = false;
};

std::vector<std::string> SplitList(const std::string &text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

std::string DefaultDeviceId() {
  if (const char *env = getenv("EMBER_DEVICE_ID")) return env;
  std::string id;
  ErrorReporter ignored;
  if (trust::ReadSmallFile("/etc/machine-id", 256, ignored, &id).ok()) {
    while (!id.empty() && (id.back() == '\n' || id.back() == ' '))
      id.pop_back();
  }
  return id;
}

int Bundle(const UpdateArgs &a) {
  ErrorReporter errors;
  trust::SecretKey key;
  if (!trust::LoadSecretKeyFile(a.key.c_str(), errors, &key).ok())
    return Fail(kExitError, "--key: %s", errors.message());
  update::BundleOptions o;
  o.model_path = a.model;
  o.model_id = a.model_id;
  o.version = a.version;
  o.min_ember_version = a.min_ember_version;
  o.rollout_percent = a.rollout;
  o.latency_budget_ms = a.latency_budget_ms;
  o.auto_probes = a.auto_probes;
  o.probe_tolerance = a.probe_tolerance;
  o.output_dir = a.output;
  for (const std::string &p : a.probes) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      return Fail(kExitUsage,
                  "--probe '%s': expected IN.npy[,IN2.npy]=OUT.npy[,...]",
                  p.c_str());
    }
    o.probe_files.emplace_back(SplitList(p.substr(0, eq)),
                               SplitList(p.substr(eq + 1)));
  }
  update::Manifest m;
  if (!update::MakeBundle(o, key, errors, &m).ok())
    return Fail(kExitError, "%s", errors.message());
  if (a.json) {
    printf("%s\n", update::ManifestToJson(m).Dump(2).c_str());
  } else {
    printf("bundle %s: model %s version %s, %zu probe(s), rollout %d%%\n",
           a.output.c_str(), m.model_id.c_str(), m.version.c_str(),
           m.probes.size(), m.rollout_percent);
  }
  return kExitOk;
}

bool OpenManager(const UpdateArgs &a,
                 std::unique_ptr<update::UpdateManager> *out) {
  ErrorReporter errors;
  update::UpdateOptions o;
  o.state_dir = a.state;
  o.device_id = a.device_id.empty() ? DefaultDeviceId() : a.device_id;
  o.ember_version = EMBER_VERSION;
  o.fetch.stall_seconds = a.stall_seconds;
  for (const std::string &path : a.pubkeys) {
    trust::PublicKey key;
    if (!trust::LoadPublicKeyFile(path.c_str(), errors, &key).ok()) {
      Fail(kExitError, "--pubkey: %s", errors.message());
      return false;
    }
    o.trusted_keys.push_back(key);
  }
  if (!update::UpdateManager::Open(o, errors, out).ok()) {
    Fail(kExitError, "%s", errors.message());
    return false;
  }
  return true;
}

int Apply(const UpdateArgs &a) {
  // A full disk under `ulimit -f` must fail a write, not kill us.
  signal(SIGXFSZ, SIG_IGN);
  std::unique_ptr<update::UpdateManager> manager;
  if (!OpenManager(a, &manager)) return kExitError;
  update::ApplyResult r;
  if (!manager->Apply(a.url, &r).ok()) {
    return Fail(kExitError, "update from '%s' failed: %s (active model: %s)",
                a.url.c_str(), manager->errors().message(),
                manager->ActiveVersion().empty()
                    ? "none"
                    : manager->ActiveVersion().c_str());
  }
  const char *outcome =
      r.outcome == update::ApplyOutcome::kInstalled  ? "installed"
      : r.outcome == update::ApplyOutcome::kUpToDate ? "up-to-date"
                                                     : "not-in-rollout";
  if (a.json) {
    update::JsonValue j = update::JsonValue::Object();
    j.Set("outcome", update::JsonValue::String(outcome));
    j.Set("model_id", update::JsonValue::String(r.model_id));
    j.Set("version", update::JsonValue::String(r.version));
    j.Set("slot", update::JsonValue::String(r.slot));
    j.Set("rollout_bucket", update::JsonValue::Number(r.rollout_bucket));
    j.Set("probes_run", update::JsonValue::Number(r.health.probes_run));
    j.Set("max_latency_ms", update::JsonValue::Number(r.health.max_latency_ms));
    j.Set("active_model",
          update::JsonValue::String(manager->ActiveModelPath()));
    printf("%s\n", j.Dump(2).c_str());
  } else {
    printf(
        "%s: %s %s (slot %s, rollout bucket %d, %d probe(s), max %.3f "
        "ms)\n",
        outcome, r.model_id.c_str(), r.version.c_str(), r.slot.c_str(),
        r.rollout_bucket, r.health.probes_run, r.health.max_latency_ms);
  }
  return kExitOk;
}

int StatusCommand(const UpdateArgs &a) {
  std::unique_ptr<update::UpdateManager> manager;
  if (!OpenManager(a, &manager)) return kExitError;
  const update::JsonValue j = manager->StatusJson();
  if (a.json) {
    printf("%s\n", j.Dump(2).c_str());
    return kExitOk;
  }
  const std::string active = manager->ActiveVersion();
  printf("active:   %s\n",
         active.empty() ? "none"
                        : (active + "  " + manager->ActiveModelPath()).c_str());
  const update::JsonValue *prev = j.Find("previous");
  printf("previous: %s\n", prev && prev->is_object()
                               ? prev->Find("version")->string().c_str()
                               : "none");
  const update::JsonValue *first = j.Find("first_use");
  printf("first use: %s\n",
         first && first->is_string() ? first->string().c_str() : "done");
  return kExitOk;
}

int Rollback(const UpdateArgs &a) {
  std::unique_ptr<update::UpdateManager> manager;
  if (!OpenManager(a, &manager)) return kExitError;
  if (!manager->Rollback("requested by the operator").ok())
    return Fail(kExitError, "%s", manager->errors().message());
  printf("rolled back: active version %s\n", manager->ActiveVersion().c_str());
  return kExitOk;
}

// The first use of the active model under the first-use protocol: one
// invoke with zero inputs between BeginFirstUse and ConfirmFirstUse.
int RunOnce(const UpdateArgs &a) {
  std::unique_ptr<update::UpdateManager> manager;
  if (!OpenManager(a, &manager)) return kExitError;
  const std::string path = manager->ActiveModelPath();
  if (path.empty()) return Fail(kExitError, "no model is installed");
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  if (!Model::Load(path.c_str(), manager->policy(), errors, &model).ok())
    return Fail(kExitError, "%s", errors.message());
  if (!manager->BeginFirstUse().ok())
    return Fail(kExitError, "%s", manager->errors().message());
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), InterpreterOptions(),
                           errors, &interp)
           .ok())
    return Fail(kExitError, "%s", errors.message());
  if (!interp->AllocateTensors().ok())
    return Fail(kExitError, "%s", interp->errors().message());
  Subgraph &sg = interp->primary();
  for (int32_t index : sg.inputs()) {
    Tensor &t = sg.tensors()[static_cast<size_t>(index)];
    if (t.data != nullptr) memset(t.data, 0, t.bytes);
  }
  update::CrashPoint("first-use");
  if (!interp->Invoke().ok())
    return Fail(kExitError, "%s", interp->errors().message());
  if (!manager->ConfirmFirstUse().ok())
    return Fail(kExitError, "%s", manager->errors().message());
  printf("ran %s once (version %s)\n", path.c_str(),
         manager->ActiveVersion().c_str());
  return kExitOk;
}

void AddStateOptions(CLI::App *cmd, UpdateArgs *args) {
  cmd->add_option("--state", args->state, "State folder (slots, history)")
      ->required();
  cmd->add_option("--pubkey,-p", args->pubkeys,
                  "Publisher's public key (repeatable)")
      ->required()
      ->allow_extra_args(false);
}

}  // namespace

RegisteredCommand AddUpdateCommand(CLI::App &app) {
  auto args = std::make_shared<UpdateArgs>();
  CLI::App *cmd =
      app.add_subcommand("update", "A/B model updates (docs/update.md)");
  cmd->require_subcommand(1);

  CLI::App *bundle = cmd->add_subcommand(
      "bundle", "Make a signed update bundle for any static HTTP server");
  bundle->add_option("MODEL", args->model, ".tflite model")->required();
  bundle->add_option("--key,-k", args->key, "Secret signing key")->required();
  bundle->add_option("--model-id", args->model_id, "Model id")->required();
  bundle->add_option("--version", args->version, "Version, e.g. 1.2.0")
      ->required();
  bundle->add_option("--min-ember-version", args->min_ember_version,
                     "Oldest Ember that may install it");
  bundle
      ->add_option("--rollout", args->rollout,
                   "Rollout percentage (default 100)")
      ->check(CLI::Range(0, 100));
  bundle
      ->add_option("--latency-budget-ms", args->latency_budget_ms,
                   "Max time of one probe invoke on the device")
      ->check(CLI::NonNegativeNumber);
  bundle
      ->add_option("--auto-probes", args->auto_probes,
                   "Probes with random inputs, outputs computed here "
                   "(default 1)")
      ->check(CLI::Range(0, 16));
  bundle
      ->add_option("--probe", args->probes,
                   "IN.npy[,IN2.npy]=OUT.npy[,...] (repeatable)")
      ->allow_extra_args(false);
  bundle
      ->add_option("--probe-tolerance", args->probe_tolerance,
                   "Max |difference| of float outputs (default 1e-4)")
      ->check(CLI::NonNegativeNumber);
  bundle->add_option("-o,--output", args->output, "New bundle folder")
      ->required();
  bundle->add_flag("--json", args->json, "Print the manifest");

  CLI::App *apply = cmd->add_subcommand(
      "apply", "Fetch, verify, stage, health-check and switch to a bundle");
  apply
      ->add_option("URL", args->url,
                   "URL of the bundle's manifest.json (http, https, file)")
      ->required();
  AddStateOptions(apply, args.get());
  apply->add_option("--device-id", args->device_id,
                    "For the rollout bucket (default: $EMBER_DEVICE_ID or "
                    "/etc/machine-id)");
  apply
      ->add_option("--stall-timeout", args->stall_seconds,
                   "Give up when no byte arrives for this long (s, "
                   "default 10)")
      ->check(CLI::Range(1, 3600));
  apply->add_flag("--json", args->json, "Print one JSON object");

  CLI::App *status = cmd->add_subcommand(
      "status", "Active and previous versions, history (--json)");
  AddStateOptions(status, args.get());
  status->add_flag("--json", args->json, "Print one JSON object");

  CLI::App *rollback =
      cmd->add_subcommand("rollback", "Make the previous version active");
  AddStateOptions(rollback, args.get());

  CLI::App *run = cmd->add_subcommand(
      "run", "Run the active model once (confirms its first use)");
  AddStateOptions(run, args.get());

  return {cmd, [=] {
            if (bundle->parsed()) return Bundle(*args);
            if (apply->parsed()) return Apply(*args);
            if (status->parsed()) return StatusCommand(*args);
            if (rollback->parsed()) return Rollback(*args);
            return RunOnce(*args);
          }};
}

}  // namespace ember::cli
