// What the text tasks share: a model over word ids (one int32 [1, length]
// input) whose metadata carries a regex tokenizer and its vocabulary, and
// writing a sentence's ids into that input.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/text.h"
#include "tasks/task_model.h"

namespace ember::tasks {

class TextInput {
 public:
  // False with `error` naming what is missing (and for `task`, how to add
  // it with `ember metadata`).
  bool Init(TaskModel& model, const std::string& task, std::string* error);
  // The ids `text` becomes (<START>, words, <PAD> to the input's length).
  std::vector<int32_t> Encode(const std::string& text) const {
    return tokenizer_->Encode(text, length_);
  }
  void Set(TaskModel& model, const std::string& text) const;

 private:
  std::unique_ptr<processing::RegexTokenizer> tokenizer_;
  int length_ = 0;
};

}  // namespace ember::tasks
