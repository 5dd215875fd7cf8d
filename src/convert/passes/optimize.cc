// OptimizeModel: the graph passes in a fixed order, repeated while any of
// them still rewrites something; each pass's total goes into the notes.
#include <string>

#include "convert/convert.h"
#include "convert/passes/passes.h"

namespace ember::convert {

void OptimizeModel(fb::ModelT* model, Diagnostics* diag) {
  const size_t ops_before =
      model->subgraphs.empty() ? 0 : model->subgraphs[0]->operators.size();
  struct Pass {
    const char* name;
    const char* unit;
    int (*run)(fb::ModelT&);
    int total = 0;
  };
  Pass passes[] = {
      {"constant folding", "ops folded", passes::FoldConstants},
      {"transpose/reshape cancellation", "pairs rewritten",
       passes::CancelTransposesAndReshapes},
      {"batch-norm folding", "MUL/ADD folded into conv/FC weights",
       passes::FoldBatchNorm},
      {"activation fusion", "activations fused", passes::FuseActivations},
      {"dead-code removal", "ops/tensors/buffers/op codes removed",
       passes::RemoveDeadCode},
  };
  for (int round = 0; round < 8; ++round) {
    int changes = 0;
    for (Pass& p : passes) {
      const int n = p.run(*model);
      p.total += n;
      changes += n;
    }
    if (changes == 0) break;
  }
  for (const Pass& p : passes)
    diag->notes.push_back(std::string(p.name) + ": " + std::to_string(p.total) +
                          " " + p.unit);
  const int versions = passes::SetMinimalOpVersions(*model);
  diag->notes.push_back("op versions: " + std::to_string(versions) +
                        " operator codes set to the lowest version they need");
  const size_t ops_after =
      model->subgraphs.empty() ? 0 : model->subgraphs[0]->operators.size();
  diag->notes.push_back("operators: " + std::to_string(ops_before) + " -> " +
                        std::to_string(ops_after));
}

}  // namespace ember::convert
