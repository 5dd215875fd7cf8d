#include "runtime/interpreter.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

#include "runtime/weight_cache.h"

namespace ember {

Interpreter::~Interpreter() = default;

Status Interpreter::Create(const Model& model, const OpResolver& resolver,
                           const InterpreterOptions& options,
                           ErrorReporter& errors,
                           std::unique_ptr<Interpreter>* out) {
  std::unique_ptr<Interpreter> interp(new Interpreter());
  interp->model_ = &model;
  interp->options_ = options;
  if (interp->options_.num_threads < 1) interp->options_.num_threads = 1;
  std::string isa_error;
  if (!kernels::ResolveAllowedIsas(options.isa, options.force_reference_kernels,
                                   &interp->allowed_isas_, &isa_error)) {
    return errors.Report(StatusCode::kInvalidArgument, "%s", isa_error.c_str());
  }
  interp->thread_pool_ =
      std::make_unique<ThreadPool>(interp->options_.num_threads);
  interp->thread_pool_->set_split_small_work(interp->SplitsSmallWork());
  const auto* sgs = model.fb()->subgraphs();
  std::vector<std::string> missing;
  for (uint32_t i = 0; i < sgs->size(); ++i) {
    interp->subgraphs_.push_back(
        std::make_unique<Subgraph>(interp.get(), static_cast<int>(i)));
    Status status =
        interp->subgraphs_.back()->Init(model, sgs->Get(i), resolver, &missing);
    if (!status.ok()) {
      errors.Report(status.code(), "%s", interp->errors_.message())
          .IgnoreError();
      return status;
    }
  }
  std::string cache_dir = options.weight_cache_dir;
  if (cache_dir.empty()) {
    const char* env = std::getenv("EMBER_WEIGHT_CACHE");
    if (env != nullptr) cache_dir = env;
  }
  if (!cache_dir.empty() && !interp->subgraphs_.empty()) {
    interp->weight_cache_ =
        WeightCache::Open(cache_dir, model, interp->allowed_isas_,
                          interp->subgraphs_[0]->graph_passes_enabled());
  }
  if (!missing.empty()) {
    std::string list;
    std::vector<std::string> seen;
    for (const auto& name : missing) {
      bool dup = false;
      for (const auto& s : seen) dup |= (s == name);
      if (dup) continue;
      seen.push_back(name);
      if (!list.empty()) list += ", ";
      list += name;
    }
    return errors.Report(StatusCode::kUnsupported,
                         "model uses ops Ember does not support: %s",
                         list.c_str());
  }
  if (const auto* sigs = model.fb()->signature_defs()) {
    for (const fb::SignatureDef* sd : *sigs) {
      Signature sig;
      sig.key = sd->signature_key() ? sd->signature_key()->str() : "";
      sig.subgraph_index = static_cast<int32_t>(sd->subgraph_index());
      if (sd->inputs())
        for (const fb::TensorMap* m : *sd->inputs())
          sig.inputs.emplace_back(m->name()->str(), m->tensor_index());
      if (sd->outputs())
        for (const fb::TensorMap* m : *sd->outputs())
          sig.outputs.emplace_back(m->name()->str(), m->tensor_index());
      interp->signatures_.push_back(std::move(sig));
    }
  }
  *out = std::move(interp);
  return Status::Ok();
}

Status Interpreter::AllocateTensors() {
  for (auto& sg : subgraphs_) {
    if (sg->needs_allocation()) EMBER_RETURN_IF_ERROR(sg->Allocate());
  }
  // Every node has packed by now (a no-op after the first call).
  if (weight_cache_) weight_cache_->Flush();
  return Status::Ok();
}

Status Interpreter::Invoke() { return primary().Invoke(); }

Status Interpreter::InvokeSubgraph(int index) {
  Subgraph* sg = subgraph(index);
  if (sg == nullptr) {
    return errors_.Report(StatusCode::kInvalidArgument, "no subgraph %d",
                          index);
  }
  return sg->Invoke();
}

Status Interpreter::ResetVariables() {
  for (auto& sg : subgraphs_) EMBER_RETURN_IF_ERROR(sg->ResetVariables());
  return Status::Ok();
}

bool Interpreter::SplitsSmallWork() const {
  if (options_.split_small_work) return true;
  const char* env = std::getenv("EMBER_SPLIT_SMALL_WORK");
  return env != nullptr && *env != '\0' && std::string_view(env) != "0";
}

Status Interpreter::SetNumThreads(int n) {
  if (n < 1) {
    return errors_.Report(StatusCode::kInvalidArgument,
                          "num_threads must be >= 1, got %d", n);
  }
  if (n != options_.num_threads) {
    thread_pool_ = std::make_unique<ThreadPool>(n);
    thread_pool_->set_split_small_work(SplitsSmallWork());
  }
  options_.num_threads = n;
  return Status::Ok();
}

const Signature* Interpreter::FindSignature(const char* key) {
  if ((key == nullptr || *key == '\0') && signatures_.size() == 1)
    return &signatures_[0];
  for (const auto& sig : signatures_) {
    if (key != nullptr && sig.key == key) return &sig;
  }
  std::string known;
  for (const auto& sig : signatures_) {
    if (!known.empty()) known += ", ";
    known += "'" + sig.key + "'";
  }
  errors_
      .Report(StatusCode::kNotFound, "no signature '%s' (model has: %s)",
              key ? key : "", known.empty() ? "none" : known.c_str())
      .IgnoreError();
  return nullptr;
}

}  // namespace ember
