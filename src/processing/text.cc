#include "processing/text.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ember::processing {
namespace {

// The delimiter pattern every published regex-tokenized text model uses.
// It is matched here by hand rather than by std::regex, whose libstdc++
// matcher recurses once per character (a long run of delimiters overflows
// the stack) and backtracks without bound on hostile patterns; a model's
// metadata is input like any other.
constexpr const char* kWordDelimiters = "[^\\w\\']+";

// ASCII by hand: <cctype> follows the process's locale.
bool IsWordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '\'';
}

}  // namespace

bool Vocabulary::Lookup(const std::string& word, int32_t* id) const {
  auto it = ids.find(word);
  if (it == ids.end()) return false;
  *id = it->second;
  return true;
}

bool ParseVocabulary(const std::vector<uint8_t>& file, Vocabulary* vocab,
                     std::string* error) {
  vocab->ids.clear();
  std::string text(file.begin(), file.end());
  size_t start = 0;
  int32_t line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const int32_t number = line_number++;
    if (line.empty()) continue;
    // "word id": the id is the last space-separated field when it is a
    // number; otherwise the whole line is the word, numbered by its line.
    const size_t space = line.rfind(' ');
    if (space != std::string::npos && space > 0 && space + 1 < line.size()) {
      const std::string field = line.substr(space + 1);
      char* rest = nullptr;
      const long id = std::strtol(field.c_str(), &rest, 10);
      if (*rest == '\0' && id >= 0 && id < (1L << 30)) {
        vocab->ids.emplace(line.substr(0, space), static_cast<int32_t>(id));
        continue;
      }
    }
    vocab->ids.emplace(line, number);
  }
  if (vocab->ids.empty()) {
    *error = "the vocabulary file is empty";
    return false;
  }
  return true;
}

bool RegexTokenizer::Create(const std::string& delim_pattern, Vocabulary vocab,
                            std::unique_ptr<RegexTokenizer>* out,
                            std::string* error) {
  std::unique_ptr<RegexTokenizer> t(new RegexTokenizer());
  if (!delim_pattern.empty() && delim_pattern != kWordDelimiters) {
    *error = "the tokenizer's delimiter pattern '" + delim_pattern +
             "' is not supported (Ember splits on " + kWordDelimiters +
             ", the pattern of the published regex-tokenized models)";
    return false;
  }
  if (!vocab.Lookup("<PAD>", &t->pad_) ||
      !vocab.Lookup("<UNKNOWN>", &t->unknown_)) {
    *error =
        "the vocabulary has no <PAD> or no <UNKNOWN> entry (a regex "
        "tokenizer's vocabulary needs both)";
    return false;
  }
  if (!vocab.Lookup("<START>", &t->start_)) t->start_ = -1;
  t->vocab_ = std::move(vocab);
  *out = std::move(t);
  return true;
}

std::vector<std::string> RegexTokenizer::Tokenize(
    const std::string& text) const {
  // ASCII only, as the pattern's \w (non-ASCII bytes are delimiters).
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsWordChar(c)) {
      word += ch;  // no lower-casing: MediaPipe's tokenizer keeps case
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::vector<int32_t> RegexTokenizer::Encode(const std::string& text,
                                            int length) const {
  std::vector<int32_t> ids;
  ids.reserve(static_cast<size_t>(std::max(length, 0)));
  if (start_ >= 0 && length > 0) ids.push_back(start_);
  for (const std::string& word : Tokenize(text)) {
    if (static_cast<int>(ids.size()) >= length) break;
    int32_t id;
    ids.push_back(vocab_.Lookup(word, &id) ? id : unknown_);
  }
  ids.resize(static_cast<size_t>(std::max(length, 0)), pad_);
  return ids;
}

}  // namespace ember::processing
