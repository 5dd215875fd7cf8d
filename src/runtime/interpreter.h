// The interpreter: model + op resolver -> subgraphs ready to run. Mirrors
// TFLite's lifecycle: create, (resize inputs), allocate, set inputs, invoke.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "kernels/dispatch/isa.h"
#include "model/model.h"
#include "runtime/op_resolver.h"
#include "runtime/subgraph.h"

namespace ember {

class WeightCache;

struct InterpreterOptions {
  int num_threads = 1;
  // Keeps every intermediate tensor readable after Invoke (debugging): the
  // planner then gives each tensor its own memory instead of reusing it.
  bool preserve_all_tensors = false;
  // Upper bound on the bytes one subgraph may hold for tensors (arena,
  // variables, folded constants, dynamic tensors, scratch); 0 = no limit.
  // Going over fails allocation or invoke with kOutOfMemory.
  size_t max_tensor_bytes = 0;
  // Every op uses its reference kernel (no optimized variants), as does
  // the environment variable EMBER_FORCE_REF=1.
  bool force_reference_kernels = false;
  // Caps the instruction sets the optimized kernels may use, in the syntax
  // of the EMBER_ISA environment variable ("avx2", "avx512", "ref",
  // "neon,dotprod", ... see kernels/dispatch/isa.h); "" = no cap. Options,
  // EMBER_ISA and the CPU's features all narrow the set; an unknown name
  // fails Create with kInvalidArgument.
  std::string isa;
  // Turns off the graph passes run while planning (src/graph/: PAD folding,
  // activation fusion, fused fp32 inverted-residual blocks), as does the
  // environment variable EMBER_NO_FUSION=1. They are also off with
  // preserve_all_tensors (they drop intermediate tensors).
  bool disable_fusion = false;
  // With num_threads > 1, the threading cost model (base/work_split.h)
  // keeps small nodes, and subgraphs whose whole work is tiny, on the
  // calling thread. true splits everything as far as the threads and the
  // work's pieces allow (tests of the threaded paths; comparing), as does
  // the environment variable EMBER_SPLIT_SMALL_WORK=1.
  bool split_small_work = false;
  // Folder of the packed-weight cache (runtime/weight_cache.h): the first
  // start with a model writes what Prepare packed there, later starts map
  // it instead of packing again. "" = the environment variable
  // EMBER_WEIGHT_CACHE, and when that is unset too, no cache (the default:
  // the program decides where files may be written).
  std::string weight_cache_dir;
};

// Named inputs/outputs of one SignatureDef.
struct Signature {
  std::string key;
  int32_t subgraph_index = 0;
  std::vector<std::pair<std::string, int32_t>> inputs;   // name -> tensor
  std::vector<std::pair<std::string, int32_t>> outputs;  // name -> tensor
};

class Interpreter {
 public:
  // `model` must outlive the interpreter. Fails with kUnsupported naming
  // every op the resolver does not provide.
  static Status Create(const Model& model, const OpResolver& resolver,
                       const InterpreterOptions& options, ErrorReporter& errors,
                       std::unique_ptr<Interpreter>* out);
  ~Interpreter();

  ErrorReporter& errors() { return errors_; }
  const InterpreterOptions& options() const { return options_; }
  // The ISAs the optimized kernels may use (empty: reference kernels).
  kernels::IsaSet allowed_isas() const { return allowed_isas_; }
  const Model& model() const { return *model_; }

  int num_subgraphs() const { return static_cast<int>(subgraphs_.size()); }
  Subgraph* subgraph(int index) {
    return (index >= 0 && index < num_subgraphs()) ? subgraphs_[index].get()
                                                   : nullptr;
  }
  Subgraph& primary() { return *subgraphs_[0]; }

  // Primary subgraph shortcuts.
  Status ResizeInput(int position, const Shape& shape) {
    return primary().ResizeInput(position, shape);
  }
  // Prepares and plans every subgraph that needs it.
  Status AllocateTensors();
  Status Invoke();
  Status ResetVariables();
  Status SetNumThreads(int n);

  const std::vector<Signature>& signatures() const { return signatures_; }
  // nullptr (and an error message) when no signature has that key; an
  // empty key picks the only signature when there is exactly one.
  const Signature* FindSignature(const char* key);
  Status InvokeSubgraph(int index);
  // Shared by every subgraph's ops; sized to options().num_threads.
  ThreadPool* thread_pool() { return thread_pool_.get(); }
  // Keeps `object` alive as long as the interpreter (delegate kernels that
  // its nodes point to).
  void KeepAlive(std::shared_ptr<void> object) {
    kept_alive_.push_back(std::move(object));
  }
  // The packed-weight cache (nullptr: none configured).
  WeightCache* weight_cache() { return weight_cache_.get(); }

 private:
  Interpreter() = default;
  // options_.split_small_work or EMBER_SPLIT_SMALL_WORK=1.
  bool SplitsSmallWork() const;

  const Model* model_ = nullptr;
  InterpreterOptions options_;
  kernels::IsaSet allowed_isas_;
  ErrorReporter errors_;
  // Before the subgraphs: their ops point into its mapping.
  std::unique_ptr<WeightCache> weight_cache_;
  std::vector<std::unique_ptr<Subgraph>> subgraphs_;
  std::vector<Signature> signatures_;
  std::unique_ptr<ThreadPool> thread_pool_;
  // Destroyed before the subgraphs (declared after them).
  std::vector<std::shared_ptr<void>> kept_alive_;
};

}  // namespace ember
