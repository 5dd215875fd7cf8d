#include "tasks/text_input.h"

#include <algorithm>
#include <cstring>

namespace ember::tasks {
namespace {

namespace md = metadata::fb;

// The input's tokenizer from the metadata: true with the regex pattern and
// vocabulary file; false with `error` naming what is missing.
bool FindRegexTokenizer(const TaskModel& m, const std::string& task,
                        std::string* pattern,
                        const std::vector<uint8_t>** vocab,
                        const std::vector<uint8_t>** sentencepiece,
                        std::string* error) {
  const auto& subgraphs = m.metadata().metadata.subgraph_metadata;
  const md::TensorMetadataT* input = nullptr;
  if (!subgraphs.empty() && subgraphs[0] &&
      !subgraphs[0]->input_tensor_metadata.empty())
    input = subgraphs[0]->input_tensor_metadata[0].get();
  const std::string hint =
      "add it with `ember metadata " + m.path() + " -o OUT.tflite --task " +
      task + " --vocab vocab.txt" +
      (task == "text_classifier" ? " --labels labels.txt`" : "`");
  if (input == nullptr) {
    *error = "model '" + m.path() +
             "' has no input metadata, so Ember does not know how to "
             "tokenize text for it; " +
             hint;
    return false;
  }
  for (const auto& unit : input->process_units) {
    if (!unit) continue;
    if (const auto* sp = unit->options.AsSentencePieceTokenizerOptions()) {
      if (sp->sentencePiece_model.empty() || !sp->sentencePiece_model[0]) {
        *error = "the SentencePiece tokenizer of model '" + m.path() +
                 "' names no model file";
        return false;
      }
      const std::string& name = sp->sentencePiece_model[0]->name;
      for (const auto& f : m.metadata().files) {
        if (f.name == name) {
          *sentencepiece = &f.data;
          return true;
        }
      }
      *error = "model '" + m.path() +
               "' does not pack its SentencePiece model '" + name + "'";
      return false;
    }
    if (unit->options.AsBertTokenizerOptions()) {
      *error = "model '" + m.path() +
               "' has a WordPiece tokenizer on a single input; Ember runs "
               "those for BERT-style models (three inputs: ids, mask, "
               "segment ids)";
      return false;
    }
    const auto* regex = unit->options.AsRegexTokenizerOptions();
    if (regex == nullptr) continue;
    if (regex->vocab_file.empty() || !regex->vocab_file[0]) {
      *error = "the regex tokenizer of model '" + m.path() +
               "' names no vocabulary file";
      return false;
    }
    const std::string& name = regex->vocab_file[0]->name;
    for (const auto& f : m.metadata().files) {
      if (f.name == name) {
        *pattern = regex->delim_regex_pattern;
        *vocab = &f.data;
        return true;
      }
    }
    *error =
        "model '" + m.path() + "' does not pack its vocabulary '" + name + "'";
    return false;
  }
  *error = "model '" + m.path() + "' has no tokenizer in its input metadata; " +
           hint;
  return false;
}

// The vocabulary packed under `name`, or null.
const std::vector<uint8_t>* PackedFile(const TaskModel& m,
                                       const std::string& name) {
  for (const auto& f : m.metadata().files)
    if (f.name == name) return &f.data;
  return nullptr;
}

// A BERT-style model's tokenizer file: BertTokenizerOptions' WordPiece
// vocabulary or SentencePieceTokenizerOptions' model (`*sentencepiece`
// says which), in the subgraph's input process units (where MediaPipe's
// writer puts it) or on an input tensor.
const std::vector<uint8_t>* FindBertTokenizer(const TaskModel& m,
                                              bool* sentencepiece,
                                              std::string* error) {
  const auto& subgraphs = m.metadata().metadata.subgraph_metadata;
  std::vector<const md::ProcessUnitT*> units;
  if (!subgraphs.empty() && subgraphs[0]) {
    for (const auto& u : subgraphs[0]->input_process_units)
      units.push_back(u.get());
    for (const auto& t : subgraphs[0]->input_tensor_metadata)
      if (t)
        for (const auto& u : t->process_units) units.push_back(u.get());
  }
  for (const md::ProcessUnitT* u : units) {
    if (u == nullptr) continue;
    const std::vector<std::unique_ptr<md::AssociatedFileT>>* files = nullptr;
    if (const auto* sp = u->options.AsSentencePieceTokenizerOptions()) {
      files = &sp->sentencePiece_model;
      *sentencepiece = true;
    } else if (const auto* bert = u->options.AsBertTokenizerOptions()) {
      files = &bert->vocab_file;
      *sentencepiece = false;
    } else {
      continue;
    }
    if (files->empty() || !(*files)[0]) break;
    const auto* file = PackedFile(m, (*files)[0]->name);
    if (file == nullptr)
      *error = "model '" + m.path() + "' does not pack its " +
               (*sentencepiece ? "SentencePiece model '" : "vocabulary '") +
               (*files)[0]->name + "'";
    return file;
  }
  *error = "model '" + m.path() +
           "' has three inputs but no WordPiece or SentencePiece tokenizer "
           "in its metadata; add it with `ember metadata " +
           m.path() +
           " -o OUT.tflite --task text_classifier --vocab vocab.txt --labels "
           "labels.txt` (or --sentencepiece FILE.model; three int32 inputs "
           "are taken as ids, mask, segment ids)";
  return nullptr;
}

// MediaPipe lower-cases the text of BERT-style models before SentencePiece
// (measured: "Terrible." and "terrible." score alike there, and so do "ÉTÉ"
// and "été"). Done here for ASCII, Latin-1, basic Greek and basic Cyrillic
// capitals; other scripts' capitals are kept (a known difference).
std::string LowerCaseForBert(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32)
                                    : static_cast<char>(c);
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0 && i + 1 < text.size() &&
        (static_cast<unsigned char>(text[i + 1]) & 0xc0) == 0x80) {
      uint32_t cp = ((c & 0x1fu) << 6) |
                    (static_cast<unsigned char>(text[i + 1]) & 0x3fu);
      if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||     // Latin-1
          (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) ||  // Greek
          (cp >= 0x410 && cp <= 0x42f))                   // Cyrillic
        cp += 0x20;
      else if (cp >= 0x400 && cp <= 0x40f)  // Cyrillic Ѐ..Џ
        cp += 0x50;
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
      i += 2;
      continue;
    }
    out += static_cast<char>(c);  // other bytes (and broken UTF-8) as is
    ++i;
  }
  return out;
}

bool IsIdsInput(const Tensor& t) {
  return t.type == DataType::kInt32 && t.shape.rank == 2 &&
         t.shape.dim(0) == 1 && t.shape.dim(1) >= 2;
}

}  // namespace

bool TextInput::InitBert(TaskModel& m, std::string* error) {
  const int length = m.input(0).shape.dim(1);
  for (int i = 0; i < 3; ++i) {
    if (!IsIdsInput(m.input(i)) || m.input(i).shape.dim(1) != length) {
      *error = "model '" + m.path() +
               "' has three inputs but they are not int32 [1,length] of one "
               "length (BERT's ids, mask and segment ids)";
      return false;
    }
  }
  // Which input is which: the metadata's names (MediaPipe's "ids", "mask",
  // "segment_ids"), else the model's order.
  int roles[3] = {0, 1, 2};
  const auto& subgraphs = m.metadata().metadata.subgraph_metadata;
  if (!subgraphs.empty() && subgraphs[0] &&
      subgraphs[0]->input_tensor_metadata.size() == 3) {
    const char* names[3] = {"ids", "mask", "segment_ids"};
    int found[3] = {-1, -1, -1};
    for (int i = 0; i < 3; ++i)
      for (int r = 0; r < 3; ++r)
        if (subgraphs[0]->input_tensor_metadata[i] &&
            subgraphs[0]->input_tensor_metadata[i]->name == names[r])
          found[r] = i;
    if (found[0] >= 0 && found[1] >= 0 && found[2] >= 0)
      std::copy(found, found + 3, roles);
  }
  ids_ = roles[0];
  mask_ = roles[1];
  segment_ = roles[2];
  length_ = length;
  bool sentencepiece = false;
  const std::vector<uint8_t>* file =
      FindBertTokenizer(m, &sentencepiece, error);
  if (file == nullptr) return false;
  if (sentencepiece) {
    if (!processing::SentencePieceTokenizer::Create(*file, &sentencepiece_,
                                                    error)) {
      *error = "model '" + m.path() + "': " + *error;
      return false;
    }
    // BERT's markers, as MediaPipe looks them up: pieces of the model.
    cls_ = sentencepiece_->PieceId("[CLS]");
    sep_ = sentencepiece_->PieceId("[SEP]");
    if (cls_ < 0 || sep_ < 0) {
      *error = "model '" + m.path() +
               "': its SentencePiece model has no [CLS] or [SEP] piece, "
               "which BERT-style inputs start and end with (train it with "
               "user_defined_symbols=[CLS],[SEP])";
      return false;
    }
    bert_ = true;
    return true;
  }
  processing::Vocabulary vocab;
  if (!processing::ParseVocabulary(*file, &vocab, error) ||
      !processing::WordPieceTokenizer::Create(std::move(vocab), &wordpiece_,
                                              error)) {
    *error = "model '" + m.path() + "': " + *error;
    return false;
  }
  bert_ = true;
  return true;
}

bool TextInput::Init(TaskModel& m, const std::string& task,
                     std::string* error) {
  if (m.num_inputs() == 3) return InitBert(m, error);
  if (m.num_inputs() != 1 || m.input(0).type != DataType::kInt32 ||
      m.input(0).shape.rank != 2 || m.input(0).shape.dim(0) != 1 ||
      m.input(0).shape.dim(1) < 1) {
    *error = "model '" + m.path() +
             "' is not a word-id text model (it needs one int32 [1,length] "
             "input, or BERT's three)";
    return false;
  }
  length_ = m.input(0).shape.dim(1);
  std::string pattern;
  const std::vector<uint8_t>* vocab_file = nullptr;
  const std::vector<uint8_t>* sentencepiece = nullptr;
  if (!FindRegexTokenizer(m, task, &pattern, &vocab_file, &sentencepiece,
                          error))
    return false;
  if (sentencepiece) return InitSentencePiece(m, *sentencepiece, error);
  processing::Vocabulary vocab;
  if (!processing::ParseVocabulary(*vocab_file, &vocab, error) ||
      !processing::RegexTokenizer::Create(pattern, std::move(vocab), &regex_,
                                          error)) {
    *error = "model '" + m.path() + "': " + *error;
    return false;
  }
  return true;
}

bool TextInput::InitSentencePiece(TaskModel& m,
                                  const std::vector<uint8_t>& file,
                                  std::string* error) {
  if (!processing::SentencePieceTokenizer::Create(file, &sentencepiece_,
                                                  error)) {
    *error = "model '" + m.path() + "': " + *error;
    return false;
  }
  // Models trained without a pad piece (pad_id -1) are padded with 0, as
  // Keras' masking and the regex tokenizer's <PAD> expect.
  pad_id_ = std::max(sentencepiece_->pad_id(), 0);
  return true;
}

processing::BertInputs TextInput::EncodeBert(const std::string& text) const {
  if (wordpiece_) return wordpiece_->Encode(text, length_);
  // SentencePiece: [CLS], the pieces of the lower-cased text (those past
  // length - 2 dropped), [SEP], then padding (id 0, mask 0), one segment.
  std::vector<int32_t> pieces;
  std::string error;
  if (!sentencepiece_->Encode(LowerCaseForBert(text), &pieces, nullptr, &error))
    pieces.clear();
  if (pieces.size() > static_cast<size_t>(length_ - 2))
    pieces.resize(length_ - 2);
  processing::BertInputs in;
  in.ids.assign(length_, 0);
  in.mask.assign(length_, 0);
  in.segment_ids.assign(length_, 0);
  in.ids[0] = cls_;
  std::copy(pieces.begin(), pieces.end(), in.ids.begin() + 1);
  in.ids[pieces.size() + 1] = sep_;
  std::fill(in.mask.begin(), in.mask.begin() + pieces.size() + 2, 1);
  return in;
}

std::vector<int32_t> TextInput::Encode(const std::string& text) const {
  if (bert_) return EncodeBert(text).ids;
  if (sentencepiece_) {
    std::vector<int32_t> ids;
    std::string error;
    // Encoding fails only on an exception inside libsentencepiece (memory);
    // the text then counts as empty.
    if (!sentencepiece_->Encode(text, &ids, nullptr, &error)) ids.clear();
    ids.resize(length_, pad_id_);
    return ids;
  }
  return regex_->Encode(text, length_);
}

void TextInput::Set(TaskModel& m, const std::string& text) const {
  auto copy = [&m](int input, const std::vector<int32_t>& values) {
    std::memcpy(m.input(input).data_as<int32_t>(), values.data(),
                values.size() * sizeof(int32_t));
  };
  if (bert_) {
    const processing::BertInputs in = EncodeBert(text);
    copy(ids_, in.ids);
    copy(mask_, in.mask);
    copy(segment_, in.segment_ids);
    return;
  }
  copy(0, Encode(text));
}

}  // namespace ember::tasks
