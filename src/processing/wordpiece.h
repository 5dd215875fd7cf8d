// BERT's WordPiece tokenizer, for BERT-style text models (three int32
// inputs: token ids, attention mask, segment ids): the text is lower-cased
// (ASCII), split on whitespace and around each punctuation character, and
// each word is cut greedily into the longest vocabulary pieces
// ("play", "##ing"); a word with no cut is [UNK]. The ids are [CLS], the
// pieces, [SEP], then padding (id 0, mask 0).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "processing/text.h"

namespace ember::processing {

struct BertInputs {
  std::vector<int32_t> ids, mask, segment_ids;  // each `length` long
};

class WordPieceTokenizer {
 public:
  // False with `error` when the vocabulary lacks [CLS], [SEP] or [UNK].
  static bool Create(Vocabulary vocab, std::unique_ptr<WordPieceTokenizer>* out,
                     std::string* error);
  // The pieces of `text` (before [CLS]/[SEP] and the length limit).
  std::vector<std::string> Tokenize(const std::string& text) const;
  // Pieces past length - 2 are dropped.
  BertInputs Encode(const std::string& text, int length) const;

 private:
  WordPieceTokenizer() = default;
  void AddWordPieces(const std::string& word,
                     std::vector<std::string>* out) const;
  Vocabulary vocab_;
  int32_t cls_ = 0, sep_ = 0, unknown_ = 0;
};

}  // namespace ember::processing
