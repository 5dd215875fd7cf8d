// Text into token ids for text models, as MediaPipe Tasks tokenizes for
// its "average word embedding" classifiers: split the text on a delimiter
// regex (default `[^\w\']+`; case is kept, as MediaPipe keeps it),
// look each word up in the vocabulary (<UNKNOWN> when absent), put
// <START> first and pad with <PAD> to the model's sequence length.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::processing {

// A vocabulary file: "word id" per line, or one word per line (its id is
// the line number, the BERT / WordPiece layout).
struct Vocabulary {
  std::unordered_map<std::string, int32_t> ids;
  bool Lookup(const std::string& word, int32_t* id) const;
};
bool ParseVocabulary(const std::vector<uint8_t>& file, Vocabulary* vocab,
                     std::string* error);

class RegexTokenizer {
 public:
  // False with `error` for a pattern other than `[^\w\']+` (or empty, the
  // same), or a vocabulary without <PAD> and <UNKNOWN>.
  static bool Create(const std::string& delim_pattern, Vocabulary vocab,
                     std::unique_ptr<RegexTokenizer>* out, std::string* error);
  // The words of `text`, split on the pattern (case kept), empty pieces
  // dropped.
  std::vector<std::string> Tokenize(const std::string& text) const;
  // `length` ids: <START> (when the vocabulary has it), the words' ids,
  // then <PAD>; words past `length` are dropped.
  std::vector<int32_t> Encode(const std::string& text, int length) const;
  const Vocabulary& vocabulary() const { return vocab_; }

 private:
  RegexTokenizer() = default;
  Vocabulary vocab_;
  int32_t pad_ = 0, unknown_ = 0, start_ = -1;
};

}  // namespace ember::processing
