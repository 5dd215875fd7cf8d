// What the text tasks share: a model over word ids whose metadata carries
// its tokenizer and vocabulary, and writing a sentence's ids into its
// inputs. Two layouts: one int32 [1, length] input with a regex tokenizer
// (average-word-embedding models), or BERT's three int32 [1, length] inputs
// (ids, mask, segment ids) with a WordPiece tokenizer. A one-input model may
// instead carry a SentencePiece model (SentencePieceTokenizerOptions): its
// ids are the pieces' ids, then the model's pad id; so may a BERT-style one
// (as MediaPipe's ALBERT-like models: [CLS], pieces, [SEP] from its pieces).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/sentencepiece.h"
#include "processing/text.h"
#include "processing/wordpiece.h"
#include "tasks/task_model.h"

namespace ember::tasks {

class TextInput {
 public:
  // False with `error` naming what is missing (and for `task`, how to add
  // it with `ember metadata`).
  bool Init(TaskModel& model, const std::string& task, std::string* error);
  // The ids `text` becomes (regex: <START>, words, <PAD>; BERT: [CLS],
  // pieces, [SEP], 0; SentencePiece: pieces, pad), the input's length long.
  std::vector<int32_t> Encode(const std::string& text) const;
  void Set(TaskModel& model, const std::string& text) const;

 private:
  bool InitBert(TaskModel& model, std::string* error);
  bool InitSentencePiece(TaskModel& model, const std::vector<uint8_t>& file,
                         std::string* error);
  processing::BertInputs EncodeBert(const std::string& text) const;
  std::unique_ptr<processing::RegexTokenizer> regex_;
  std::unique_ptr<processing::WordPieceTokenizer> wordpiece_;
  std::unique_ptr<processing::SentencePieceTokenizer> sentencepiece_;
  int32_t pad_id_ = 0;  // SentencePiece: what fills the input after the text
  bool bert_ = false;   // three inputs (WordPiece or SentencePiece)
  int32_t cls_ = 0, sep_ = 0;  // BERT with SentencePiece: the markers' ids
  int length_ = 0;
  int ids_ = 0, mask_ = 1, segment_ = 2;  // BERT: which input is which
};

}  // namespace ember::tasks
