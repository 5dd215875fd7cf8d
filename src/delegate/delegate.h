// The C++ side of a delegate (include/ember/delegate.h): owns the C
// struct (and the library it came from), applies delegates to an
// interpreter, and reports what each one took.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ember/delegate.h"
#include "runtime/interpreter.h"

namespace ember::delegate {

class Delegate {
 public:
  // Takes `d` over (its destroy runs last); `library` (a dlopen handle
  // holder, may be null) stays loaded while the delegate lives.
  Delegate(EmberDelegate* d, std::shared_ptr<void> library);
  ~Delegate();
  Delegate(const Delegate&) = delete;
  Delegate& operator=(const Delegate&) = delete;

  const EmberDelegate& c() const { return *d_; }
  const char* name() const { return d_->name ? d_->name : "delegate"; }

 private:
  EmberDelegate* d_;
  std::shared_ptr<void> library_;
};

using DelegateOptions = std::vector<std::pair<std::string, std::string>>;

// Loads a delegate library by path and calls its entry point with
// `options`. On failure returns an error naming the path and the reason.
Status LoadExternalDelegate(const std::string& path,
                            const DelegateOptions& options,
                            std::shared_ptr<Delegate>* out, std::string* error);

// The built-in delegates' names ("gpu" where it was built).
std::vector<std::string> BuiltinDelegateNames();

// A delegate by name or path: a built-in name ("gpu") creates that one
// (an error saying so when it was not built, or why it cannot run: no
// Vulkan loader or device); anything else is loaded as an external
// delegate library (LoadExternalDelegate).
Status CreateDelegate(const std::string& name_or_path,
                      const DelegateOptions& options,
                      std::shared_ptr<Delegate>* out, std::string* error);

// What one delegate took, as of now (a partition that failed at prepare or
// invoke has moved to the CPU and says why).
struct PartitionReport {
  int32_t nodes = 0;               // model nodes in it
  std::vector<int32_t> first_ops;  // model op indices (up to 8)
  bool on_cpu = false;             // declined or failed: runs on the CPU
  std::string reason;              // why, when on_cpu
};
struct DelegateReport {
  std::string name;
  int32_t nodes_offered = 0;  // nodes it said it supports
  // Nodes evaluated once before partitioning (all inputs constant: DENSIFY,
  // DEQUANTIZE of a constant, ...): never offered, never run again; the
  // delegate saw their outputs as constants.
  int32_t nodes_folded = 0;
  std::vector<PartitionReport> partitions;
  int32_t NodesTaken() const;
};

class AppliedDelegates {
 public:
  virtual ~AppliedDelegates() = default;
  virtual std::vector<DelegateReport> Report() const = 0;
};

// Applies `delegates` in order to the primary subgraph (before
// AllocateTensors). A delegate that declines a partition leaves it on the
// CPU; only an internal error fails. The interpreter keeps what this
// creates alive; `*out` (may be null) reports on it.
Status ApplyDelegates(Interpreter& interpreter,
                      const std::vector<std::shared_ptr<Delegate>>& delegates,
                      std::shared_ptr<AppliedDelegates>* out);

}  // namespace ember::delegate
