#include "processing/wordpiece.h"

#include <algorithm>

namespace ember::processing {
namespace {

// Words longer than this are [UNK] outright (as BERT's reference
// tokenizer does), which also bounds the greedy search.
constexpr size_t kMaxWordChars = 100;

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// ASCII punctuation, as BERT's basic tokenizer counts it (every
// non-alphanumeric printable character).
bool IsPunctuation(unsigned char c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
         (c >= 123 && c <= 126);
}

bool IsControl(unsigned char c) { return c < 32 || c == 127; }

}  // namespace

bool WordPieceTokenizer::Create(Vocabulary vocab,
                                std::unique_ptr<WordPieceTokenizer>* out,
                                std::string* error) {
  std::unique_ptr<WordPieceTokenizer> t(new WordPieceTokenizer());
  if (!vocab.Lookup("[CLS]", &t->cls_) || !vocab.Lookup("[SEP]", &t->sep_) ||
      !vocab.Lookup("[UNK]", &t->unknown_)) {
    *error = "the WordPiece vocabulary has no [CLS], [SEP] or [UNK] entry";
    return false;
  }
  t->vocab_ = std::move(vocab);
  *out = std::move(t);
  return true;
}

void WordPieceTokenizer::AddWordPieces(const std::string& word,
                                       std::vector<std::string>* out) const {
  if (word.size() > kMaxWordChars) {
    out->push_back("[UNK]");
    return;
  }
  std::vector<std::string> pieces;
  size_t start = 0;
  int32_t id;
  while (start < word.size()) {
    size_t end = word.size();
    std::string found;
    for (; end > start; --end) {
      // Never cut inside a UTF-8 sequence: continuation bytes are
      // 10xxxxxx.
      if (end < word.size() &&
          (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80)
        continue;
      std::string piece = word.substr(start, end - start);
      if (start > 0) piece = "##" + piece;
      if (vocab_.Lookup(piece, &id)) {
        found = std::move(piece);
        break;
      }
    }
    if (found.empty()) {
      out->push_back("[UNK]");
      return;
    }
    pieces.push_back(std::move(found));
    start = end;
  }
  out->insert(out->end(), pieces.begin(), pieces.end());
}

std::vector<std::string> WordPieceTokenizer::Tokenize(
    const std::string& text) const {
  std::vector<std::string> pieces;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) AddWordPieces(word, &pieces);
    word.clear();
  };
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsSpace(c)) {
      flush();
    } else if (IsPunctuation(c)) {
      flush();
      word = std::string(1, ch);
      flush();
    } else if (!IsControl(c)) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  flush();
  return pieces;
}

BertInputs WordPieceTokenizer::Encode(const std::string& text,
                                      int length) const {
  BertInputs in;
  const size_t n = static_cast<size_t>(std::max(length, 0));
  in.ids.assign(n, 0);
  in.mask.assign(n, 0);
  in.segment_ids.assign(n, 0);
  if (n < 2) return in;
  std::vector<int32_t> ids = {cls_};
  for (const std::string& piece : Tokenize(text)) {
    if (ids.size() + 1 >= n) break;  // room for [SEP]
    int32_t id = unknown_;
    vocab_.Lookup(piece, &id);
    ids.push_back(id);
  }
  ids.push_back(sep_);
  std::copy(ids.begin(), ids.end(), in.ids.begin());
  std::fill(in.mask.begin(), in.mask.begin() + ids.size(), 1);
  return in;
}

}  // namespace ember::processing
