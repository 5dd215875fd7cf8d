#include "tasks/text_input.h"

#include <cstring>

namespace ember::tasks {
namespace {

namespace md = metadata::fb;

// The input's tokenizer from the metadata: true with the regex pattern and
// vocabulary file; false with `error` naming what is missing.
bool FindRegexTokenizer(const TaskModel& m, const std::string& task,
                        std::string* pattern,
                        const std::vector<uint8_t>** vocab,
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
    if (unit->options.AsBertTokenizerOptions() ||
        unit->options.AsSentencePieceTokenizerOptions()) {
      *error = "model '" + m.path() +
               "' uses a WordPiece/SentencePiece tokenizer (a BERT-style "
               "model); Ember's TextClassifier supports regex-tokenized "
               "models only so far";
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

}  // namespace

bool TextInput::Init(TaskModel& m, const std::string& task,
                     std::string* error) {
  if (m.num_inputs() != 1 || m.input(0).type != DataType::kInt32 ||
      m.input(0).shape.rank != 2 || m.input(0).shape.dim(0) != 1 ||
      m.input(0).shape.dim(1) < 1) {
    *error = "model '" + m.path() +
             "' is not a word-id text model (it needs one int32 [1,length] "
             "input)";
    return false;
  }
  length_ = m.input(0).shape.dim(1);
  std::string pattern;
  const std::vector<uint8_t>* vocab_file = nullptr;
  if (!FindRegexTokenizer(m, task, &pattern, &vocab_file, error)) return false;
  processing::Vocabulary vocab;
  if (!processing::ParseVocabulary(*vocab_file, &vocab, error) ||
      !processing::RegexTokenizer::Create(pattern, std::move(vocab),
                                          &tokenizer_, error)) {
    *error = "model '" + m.path() + "': " + *error;
    return false;
  }
  return true;
}

void TextInput::Set(TaskModel& m, const std::string& text) const {
  const std::vector<int32_t> ids = Encode(text);
  std::memcpy(m.input(0).data_as<int32_t>(), ids.data(),
              ids.size() * sizeof(int32_t));
}

}  // namespace ember::tasks
