#include "processing/sentencepiece.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "processing/sentencepiece_abi.h"

namespace ember::processing {

struct SentencePieceModule {
  std::string path;
  EmberSpmLoadFn load = nullptr;
  EmberSpmEncodeFn encode = nullptr;
  EmberSpmPieceIdFn piece_id = nullptr;
  EmberSpmSpecialIdFn special_id = nullptr;
  EmberSpmVocabSizeFn vocab_size = nullptr;
  EmberSpmFreeFn free = nullptr;
};

namespace {

constexpr const char* kModuleName = "libember_sentencepiece.so";
constexpr const char* kInstallHint =
    "SentencePiece models need Debian's libsentencepiece0 (apt-get install "
    "libsentencepiece0) and Ember's module libember_sentencepiece.so, built "
    "with Ember when libsentencepiece-dev is installed";

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EMBER_SPM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define EMBER_SPM_SANITIZED 1
#endif
#endif

// The folder of the binary or shared library this code was linked into.
std::string OwnFolder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&OwnFolder), &info) == 0 ||
      info.dli_fname == nullptr)
    return "";
  std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::string> Candidates() {
  if (const char* env = std::getenv("EMBER_SENTENCEPIECE_MODULE");
      env != nullptr && *env != '\0')
    return {env};
  const std::string folder = OwnFolder();
  if (folder.empty()) return {};
  return {folder + "/" + kModuleName, folder + "/../lib/ember/" + kModuleName};
}

template <typename Fn>
bool Resolve(void* library, const char* name, Fn* fn, std::string* error) {
  *fn = reinterpret_cast<Fn>(dlsym(library, name));
  if (*fn == nullptr) *error = std::string("it lacks ") + name;
  return *fn != nullptr;
}

// Loads the module once per process; it stays loaded (its protobuf-lite
// registers static data that must outlive every model).
const SentencePieceModule* LoadModule(std::string* error) {
  static std::once_flag once;
  static const SentencePieceModule* module = nullptr;
  static std::string failure;
  std::call_once(once, [] {
#if !defined(RTLD_DEEPBIND)
    failure =
        "SentencePiece is not available on this platform (no "
        "dlopen with RTLD_DEEPBIND)";
    return;
#elif defined(EMBER_SPM_SANITIZED)
    // The sanitizers' runtimes refuse RTLD_DEEPBIND, and without it the
    // module's protobuf-lite could bind to the process's libprotobuf.
    failure =
        "SentencePiece is not available in sanitizer builds (the module "
        "needs dlopen with RTLD_DEEPBIND, which the sanitizers refuse)";
    return;
#else
    const std::vector<std::string> candidates = Candidates();
    std::string tried;
    for (const std::string& path : candidates) {
      void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL |
                                               RTLD_DEEPBIND);
      if (library == nullptr) {
        const char* why = dlerror();
        tried += "\n  " + path + ": " + (why ? why : "cannot be loaded");
        continue;
      }
      auto* m = new SentencePieceModule;
      m->path = path;
      std::string missing;
      auto version = reinterpret_cast<EmberSpmAbiVersionFn>(
          dlsym(library, "ember_spm_abi_version"));
      if (version == nullptr || version() != EMBER_SPM_ABI_VERSION) {
        tried += "\n  " + path +
                 ": not a SentencePiece module of this Ember version";
        delete m;
        dlclose(library);
        continue;
      }
      if (!Resolve(library, "ember_spm_load", &m->load, &missing) ||
          !Resolve(library, "ember_spm_encode", &m->encode, &missing) ||
          !Resolve(library, "ember_spm_piece_id", &m->piece_id, &missing) ||
          !Resolve(library, "ember_spm_special_id", &m->special_id,
                   &missing) ||
          !Resolve(library, "ember_spm_vocab_size", &m->vocab_size,
                   &missing) ||
          !Resolve(library, "ember_spm_free", &m->free, &missing)) {
        tried += "\n  " + path + ": " + missing;
        delete m;
        dlclose(library);
        continue;
      }
      module = m;
      return;
    }
    failure = std::string(kInstallHint) +
              " (set EMBER_SENTENCEPIECE_MODULE to its path); tried:" +
              (tried.empty() ? std::string(" nothing") : tried);
#endif
  });
  if (module == nullptr) *error = failure;
  return module;
}

}  // namespace

std::string SentencePieceTokenizer::ModulePath() {
  std::string ignored;
  const SentencePieceModule* m = LoadModule(&ignored);
  return m ? m->path : "";
}

bool SentencePieceTokenizer::Create(
    const std::vector<uint8_t>& model,
    std::unique_ptr<SentencePieceTokenizer>* out, std::string* error) {
  const SentencePieceModule* m = LoadModule(error);
  if (m == nullptr) return false;
  if (model.empty()) {
    *error = "the SentencePiece model is empty";
    return false;
  }
  char why[512] = {0};
  void* handle = m->load(model.data(), model.size(), why, sizeof(why));
  if (handle == nullptr) {
    *error = std::string("not a valid SentencePiece model: ") +
             (why[0] ? why : "refused by libsentencepiece");
    return false;
  }
  out->reset(new SentencePieceTokenizer);
  (*out)->module_ = m;
  (*out)->handle_ = handle;
  return true;
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
  if (handle_ != nullptr) module_->free(static_cast<EmberSpm*>(handle_));
}

namespace {

struct EncodeSink {
  std::vector<int32_t>* ids;
  std::vector<std::string>* pieces;
};

void Collect(void* context, int32_t id, const char* piece, size_t size) {
  auto* sink = static_cast<EncodeSink*>(context);
  if (sink->ids) sink->ids->push_back(id);
  if (sink->pieces) sink->pieces->emplace_back(piece, size);
}

}  // namespace

bool SentencePieceTokenizer::Encode(const std::string& text,
                                    std::vector<int32_t>* ids,
                                    std::vector<std::string>* pieces,
                                    std::string* error) const {
  if (ids) ids->clear();
  if (pieces) pieces->clear();
  EncodeSink sink{ids, pieces};
  char why[512] = {0};
  if (module_->encode(static_cast<const EmberSpm*>(handle_), text.data(),
                      text.size(), pieces != nullptr ? 1 : 0, &Collect, &sink,
                      why, sizeof(why)) != 0) {
    *error = std::string("SentencePiece could not encode the text: ") + why;
    return false;
  }
  return true;
}

int32_t SentencePieceTokenizer::PieceId(const std::string& piece) const {
  return module_->piece_id(static_cast<const EmberSpm*>(handle_), piece.data(),
                           piece.size());
}
int32_t SentencePieceTokenizer::unknown_id() const {
  return module_->special_id(static_cast<const EmberSpm*>(handle_),
                             EMBER_SPM_UNK);
}
int32_t SentencePieceTokenizer::pad_id() const {
  return module_->special_id(static_cast<const EmberSpm*>(handle_),
                             EMBER_SPM_PAD);
}
int32_t SentencePieceTokenizer::bos_id() const {
  return module_->special_id(static_cast<const EmberSpm*>(handle_),
                             EMBER_SPM_BOS);
}
int32_t SentencePieceTokenizer::eos_id() const {
  return module_->special_id(static_cast<const EmberSpm*>(handle_),
                             EMBER_SPM_EOS);
}
int32_t SentencePieceTokenizer::vocab_size() const {
  return module_->vocab_size(static_cast<const EmberSpm*>(handle_));
}

}  // namespace ember::processing
