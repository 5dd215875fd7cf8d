// libember_sentencepiece.so: the C ABI of sentencepiece_abi.h over
// Debian's libsentencepiece. Built as its own shared module (see
// processing/sentencepiece/CMakeLists.txt), never into ember_processing:
// only this module links libsentencepiece, and Ember dlopens it lazily.
#include <sentencepiece_processor.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "processing/sentencepiece_abi.h"

#define EMBER_SPM_EXPORT extern "C" __attribute__((visibility("default")))

struct EmberSpm {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

void SetError(char* error, size_t error_size, const std::string& message) {
  if (error == nullptr || error_size == 0) return;
  std::snprintf(error, error_size, "%s", message.c_str());
}

// Protocol-buffer wire format, just enough to find one bytes field.
bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const uint8_t byte = *p++;
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Every length-delimited field `number` of the message in [p, end), in
// order; false when the bytes are not a well-formed message.
bool FindFields(const uint8_t* p, const uint8_t* end, uint32_t number,
                std::vector<std::string_view>* found) {
  while (p < end) {
    uint64_t key = 0, value = 0;
    if (!ReadVarint(p, end, &key)) return false;
    switch (key & 7) {
      case 0:
        if (!ReadVarint(p, end, &value)) return false;
        break;
      case 1:
        if (end - p < 8) return false;
        p += 8;
        break;
      case 5:
        if (end - p < 4) return false;
        p += 4;
        break;
      case 2:
        if (!ReadVarint(p, end, &value) ||
            value > static_cast<uint64_t>(end - p))
          return false;
        if ((key >> 3) == number)
          found->emplace_back(reinterpret_cast<const char*>(p), value);
        p += value;
        break;
      default:
        return false;  // groups are not in sentencepiece's format
    }
  }
  return true;
}

uint32_t Unit(const uint8_t* units, size_t i) {
  uint32_t u;
  std::memcpy(&u, units + 4 * i, 4);
  return u;
}

// The normalizer's precompiled charsmap: a little-endian uint32 size, a
// darts-clone double array of that many bytes, then NUL-terminated
// replacement strings that the array's values index. libsentencepiece
// follows the array's offsets and values without bounds checks, so a
// damaged array reads outside it (a crash on hostile model bytes): walk
// every node reachable from the root and check that each lookup it can
// make stays inside the array and each value inside the strings.
bool CharsmapIsSafe(std::string_view blob, std::string* why) {
  if (blob.empty()) return true;  // no normalization
  if (blob.size() < 4) {
    *why = "the normalizer's charsmap is cut short";
    return false;
  }
  uint32_t trie_size;
  std::memcpy(&trie_size, blob.data(), 4);
  if (trie_size > blob.size() - 4 || trie_size % 4 != 0 || trie_size == 0) {
    *why = "the normalizer's charsmap has a bad trie size";
    return false;
  }
  const auto* units = reinterpret_cast<const uint8_t*>(blob.data()) + 4;
  const size_t n = trie_size / 4;
  const size_t strings = blob.size() - 4 - trie_size;
  auto offset = [](uint32_t u) -> size_t {
    return (u >> 10) << ((u & (1u << 9)) >> 6);
  };
  std::vector<bool> seen(n, false);
  std::vector<size_t> stack = {0};
  seen[0] = true;
  while (!stack.empty()) {
    const size_t node = stack.back();
    stack.pop_back();
    const uint32_t u = Unit(units, node);
    const size_t base = node ^ offset(u);
    // Lookups go to base ^ c for any byte c, and to base for the value.
    if ((base | 0xff) >= n) {
      *why = "the normalizer's charsmap points outside itself";
      return false;
    }
    if ((u >> 8) & 1) {  // has a leaf: its value indexes the strings
      const uint32_t value = Unit(units, base) & ((1u << 31) - 1);
      if (value >= strings) {
        *why = "the normalizer's charsmap points past its strings";
        return false;
      }
    }
    for (uint32_t c = 0; c < 256; ++c) {
      const size_t child = base ^ c;
      const uint32_t cu = Unit(units, child);
      if ((cu & ((1u << 31) | 0xff)) == c && !seen[child]) {
        seen[child] = true;
        stack.push_back(child);
      }
    }
  }
  return true;
}

// False with `why` when the model's charsmap would make libsentencepiece
// read out of bounds. Bytes that are no message are left to the library
// (it refuses them).
bool ModelIsSafe(const void* bytes, size_t size, std::string* why) {
  const auto* p = static_cast<const uint8_t*>(bytes);
  std::vector<std::string_view> specs;  // ModelProto.normalizer_spec = 3
  if (!FindFields(p, p + size, 3, &specs)) return true;
  std::string_view charsmap;  // NormalizerSpec.precompiled_charsmap = 2
  for (std::string_view spec : specs) {
    std::vector<std::string_view> maps;
    const auto* s = reinterpret_cast<const uint8_t*>(spec.data());
    if (!FindFields(s, s + spec.size(), 2, &maps)) {
      *why = "the normalizer spec is malformed";
      return false;
    }
    if (!maps.empty()) charsmap = maps.back();  // the last one wins
  }
  return CharsmapIsSafe(charsmap, why);
}

}  // namespace

EMBER_SPM_EXPORT int ember_spm_abi_version(void) {
  return EMBER_SPM_ABI_VERSION;
}

EMBER_SPM_EXPORT EmberSpm* ember_spm_load(const void* bytes, size_t size,
                                          char* error, size_t error_size) {
  try {
    std::string why;
    if (!ModelIsSafe(bytes, size, &why)) {
      SetError(error, error_size, why);
      return nullptr;
    }
    auto spm = std::make_unique<EmberSpm>();
    const sentencepiece::util::Status status =
        spm->processor.LoadFromSerializedProto(
            std::string_view(static_cast<const char*>(bytes), size));
    if (!status.ok()) {
      SetError(error, error_size, status.ToString());
      return nullptr;
    }
    if (spm->processor.GetPieceSize() <= 0) {
      SetError(error, error_size, "the model has no pieces");
      return nullptr;
    }
    return spm.release();
  } catch (const std::exception& e) {
    SetError(error, error_size, e.what());
  } catch (...) {
    SetError(error, error_size, "unknown exception");
  }
  return nullptr;
}

EMBER_SPM_EXPORT int ember_spm_encode(const EmberSpm* spm, const char* text,
                                      size_t size, int with_pieces,
                                      EmberSpmEmit emit, void* context,
                                      char* error, size_t error_size) {
  try {
    std::vector<std::string> pieces;
    std::vector<int> ids;
    const std::string_view input(text, size);
    sentencepiece::util::Status status = spm->processor.Encode(input, &ids);
    // The pieces as the text spells them (an unknown character is itself,
    // not <unk>): a second pass, only when asked for.
    if (status.ok() && with_pieces)
      status = spm->processor.Encode(input, &pieces);
    if (!status.ok()) {
      SetError(error, error_size, status.ToString());
      return 1;
    }
    if (with_pieces && pieces.size() != ids.size()) {
      SetError(error, error_size, "pieces and ids differ in number");
      return 1;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      if (with_pieces)
        emit(context, ids[i], pieces[i].data(), pieces[i].size());
      else
        emit(context, ids[i], nullptr, 0);
    }
    return 0;
  } catch (const std::exception& e) {
    SetError(error, error_size, e.what());
  } catch (...) {
    SetError(error, error_size, "unknown exception");
  }
  return 1;
}

EMBER_SPM_EXPORT int32_t ember_spm_piece_id(const EmberSpm* spm,
                                            const char* piece, size_t size) {
  const std::string p(piece, size);
  const int id = spm->processor.PieceToId(p);
  // PieceToId answers unk for an absent piece: tell the two apart.
  if (spm->processor.IsUnknown(id) && spm->processor.IdToPiece(id) != p)
    return -1;
  return id;
}

EMBER_SPM_EXPORT int32_t ember_spm_special_id(const EmberSpm* spm, int which) {
  switch (which) {
    case EMBER_SPM_UNK:
      return spm->processor.unk_id();
    case EMBER_SPM_BOS:
      return spm->processor.bos_id();
    case EMBER_SPM_EOS:
      return spm->processor.eos_id();
    case EMBER_SPM_PAD:
      return spm->processor.pad_id();
    default:
      return -1;
  }
}

EMBER_SPM_EXPORT int32_t ember_spm_vocab_size(const EmberSpm* spm) {
  return spm->processor.GetPieceSize();
}

EMBER_SPM_EXPORT void ember_spm_free(EmberSpm* spm) { delete spm; }
