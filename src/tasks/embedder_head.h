// The outputs of an embedder model (image or text) as embeddings: every
// output must be one feature vector (batch 1; axes but the last are 1).
#pragma once

#include <string>
#include <vector>

#include "tasks/embedding.h"
#include "tasks/task_model.h"

namespace ember::tasks {

class EmbedderHeads {
 public:
  bool Init(TaskModel& model, const EmbedderOptions& options,
            std::string* error);
  // The embeddings of the outputs after an Invoke.
  bool Embed(TaskModel& model, EmbeddingResult* result,
             std::string* error) const;

 private:
  EmbedderOptions options_;
  std::vector<std::string> names_;
};

}  // namespace ember::tasks
