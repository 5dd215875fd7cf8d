// SentencePiece tokenization (unigram and BPE models, as trained by
// Google's sentencepiece), for text models whose metadata carries
// SentencePieceTokenizerOptions. The work is done by Debian's
// libsentencepiece through Ember's module libember_sentencepiece.so, loaded
// on first use with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): libsentencepiece
// carries its own protobuf-lite, which must not bind to (or be bound by) the
// libprotobuf the ONNX frontend links into the same process.
//
// The module is looked for in $EMBER_SENTENCEPIECE_MODULE (a file), then
// next to the binary or library that holds this code, then in
// ../lib/ember/ from there (an installed `ember`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ember::processing {

struct SentencePieceModule;  // the loaded module's entry points

class SentencePieceTokenizer {
 public:
  // False with `error` for a missing module or libsentencepiece (naming
  // what to install) or model bytes the library refuses.
  static bool Create(const std::vector<uint8_t>& model,
                     std::unique_ptr<SentencePieceTokenizer>* out,
                     std::string* error);
  ~SentencePieceTokenizer();
  SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

  // The ids and pieces of `text` (UTF-8), as SentencePieceProcessor.Encode
  // gives them; either output may be null.
  bool Encode(const std::string& text, std::vector<int32_t>* ids,
              std::vector<std::string>* pieces, std::string* error) const;
  // The id of `piece`, or -1 when the vocabulary lacks it.
  int32_t PieceId(const std::string& piece) const;
  // The special pieces' ids; -1 when the model has none.
  int32_t unknown_id() const;
  int32_t pad_id() const;
  int32_t bos_id() const;
  int32_t eos_id() const;
  int32_t vocab_size() const;

  // Where the module was loaded from (empty before the first Create).
  static std::string ModulePath();

 private:
  SentencePieceTokenizer() = default;
  const SentencePieceModule* module_ = nullptr;
  void* handle_ = nullptr;  // EmberSpm*
};

}  // namespace ember::processing
