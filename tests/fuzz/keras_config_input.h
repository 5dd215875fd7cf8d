// The keras_config fuzz target's input: a Keras model config and the
// weights of its layers, without HDF5, so that the fuzzer spends its time
// in Ember's Keras code (config walk, layer converters, graph passes)
// rather than in libhdf5 (the `keras` target keeps fuzzing that path).
//
//   input   := config_json 0x00 record*
//   record  := u8 key_len, key (layer name, nested models' names joined
//              by '/'), u8 count, array{count}
//   array   := u8 rank (<= 8), u16 dim{rank}, u32 stored, f32 value{stored}
// All integers little-endian. An array holds prod(dims) floats: the first
// `stored` come from the input, the rest are a fixed pattern (so seeds
// stay small while keeping the shapes of real models); stored values past
// prod(dims) are skipped. A truncated record ends the table. An array of
// more than kMaxElements floats, or past kMaxTotalElements over the table,
// makes its layer's lookup fail, as an unreadable dataset does in
// KerasArchive (it keeps the fuzzer fast and its memory bounded).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "convert/keras/keras_archive.h"

namespace ember::fuzz {

class InMemoryWeights : public convert::keras::WeightSource {
 public:
  static constexpr int64_t kMaxElements = int64_t{1} << 20;
  static constexpr int64_t kMaxTotalElements = int64_t{1} << 22;

  // Layer key ("outer/inner/name") -> its arrays.
  std::map<std::string, std::vector<convert::keras::WeightArray>> layers;
  // Layers with an array of more than kMaxElements floats: their lookup
  // fails, as an unreadable dataset's does in KerasArchive.
  std::set<std::string> oversized;

  bool LayerWeights(const std::vector<std::string>& scope,
                    const std::string& name,
                    std::vector<convert::keras::WeightArray>* out,
                    std::string* error) const override {
    out->clear();
    const std::string key = Key(scope, name);
    if (oversized.count(key)) {
      *error = "a weight of layer '" + key + "' is too large";
      return false;
    }
    const auto it = layers.find(key);
    if (it == layers.end()) return true;  // a layer without weights
    *out = it->second;
    return true;
  }

  static std::string Key(const std::vector<std::string>& scope,
                         const std::string& name) {
    std::string key;
    for (const std::string& s : scope) key += s + "/";
    return key + name;
  }

  // prod(shape), or -1 past kMaxElements.
  static int64_t Elements(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) {
      n *= d;
      if (n > kMaxElements) return -1;
    }
    return n;
  }
};

struct KerasConfigInput {
  std::string config;  // JSON text
  InMemoryWeights weights;
};

namespace keras_input_detail {
struct Reader {
  const uint8_t* p;
  size_t left;
  bool Take(void* out, size_t n) {
    if (n > left) return false;
    std::memcpy(out, p, n);
    p += n;
    left -= n;
    return true;
  }
  bool Skip(int64_t n) {
    if (n < 0 || static_cast<uint64_t>(n) > left) return false;
    p += n;
    left -= static_cast<size_t>(n);
    return true;
  }
};
}  // namespace keras_input_detail

inline void DecodeKerasConfigInput(const uint8_t* data, size_t size,
                                   KerasConfigInput* in) {
  const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  const size_t config_len = nul ? static_cast<size_t>(nul - data) : size;
  in->config.assign(reinterpret_cast<const char*>(data), config_len);
  in->weights.layers.clear();
  in->weights.oversized.clear();
  if (nul == nullptr) return;
  keras_input_detail::Reader r{nul + 1, size - config_len - 1};
  int64_t total = 0;  // elements over the whole table
  while (true) {
    uint8_t key_len = 0, count = 0;
    std::string key;
    if (!r.Take(&key_len, 1)) return;
    key.resize(key_len);
    if (!r.Take(key.data(), key_len) || !r.Take(&count, 1)) return;
    std::vector<convert::keras::WeightArray> arrays;
    for (int a = 0; a < count; ++a) {
      uint8_t rank = 0;
      if (!r.Take(&rank, 1) || rank > 8) return;
      convert::keras::WeightArray w;
      for (int d = 0; d < rank; ++d) {
        uint8_t dim[2];
        if (!r.Take(dim, 2)) return;
        w.shape.push_back(dim[0] | (dim[1] << 8));
      }
      uint8_t stored_bytes[4];
      if (!r.Take(stored_bytes, 4)) return;
      const uint32_t stored = stored_bytes[0] | (stored_bytes[1] << 8) |
                              (stored_bytes[2] << 16) |
                              (uint32_t{stored_bytes[3]} << 24);
      int64_t n = InMemoryWeights::Elements(w.shape);
      if (n >= 0 && total + n > InMemoryWeights::kMaxTotalElements) n = -1;
      const int64_t used = n < 0 ? 0 : std::min<int64_t>(stored, n);
      for (int64_t i = 0; i < used; ++i) {
        float v;
        if (!r.Take(&v, 4)) return;
        w.data.push_back(v);
      }
      // Stored values past the array's size are skipped.
      if (!r.Skip((int64_t{stored} - used) * 4)) return;
      if (n < 0) {  // too large: the layer's lookup fails
        in->weights.oversized.insert(key);
        continue;
      }
      total += n;
      w.data.resize(n);
      for (int64_t i = used; i < n; ++i)
        w.data[i] = static_cast<float>((i * 7) % 13 - 6) / 8.0f;
      arrays.push_back(std::move(w));
    }
    in->weights.layers[key] = std::move(arrays);
  }
}

// The inverse, for the seed writer: `budget` floats of real data at most
// over the whole table (the rest of each array is the fixed pattern).
inline std::string EncodeKerasConfigInput(const KerasConfigInput& in,
                                          size_t budget) {
  std::string out = in.config;
  out.push_back('\0');
  auto put = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      out.push_back(static_cast<char>(v >> 8 * i));
  };
  for (const auto& [key, arrays] : in.weights.layers) {
    bool fits = key.size() <= 255 && arrays.size() <= 255;
    for (const auto& w : arrays) {
      fits = fits && w.shape.size() <= 8;
      for (int64_t d : w.shape) fits = fits && d >= 0 && d <= 0xffff;
    }
    if (!fits) continue;  // not expressible: the layer goes without weights
    put(key.size(), 1);
    out += key;
    put(arrays.size(), 1);
    for (const auto& w : arrays) {
      put(w.shape.size(), 1);
      for (int64_t d : w.shape) put(static_cast<uint64_t>(d), 2);
      const size_t stored = std::min(w.data.size(), budget);
      budget -= stored;
      put(stored, 4);
      out.append(reinterpret_cast<const char*>(w.data.data()), stored * 4);
    }
  }
  return out;
}

}  // namespace ember::fuzz
