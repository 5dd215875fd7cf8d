// Calibration inputs from disk (.npy, a directory of .npy, .npz) and seeded
// random inputs when the user has none.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "convert/quantize/quantize.h"

namespace ember::quantize {
namespace {

namespace fs = std::filesystem;

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The shape a model input accepts per sample (-1 = any size).
std::vector<int64_t> InputSignature(const fb::TensorT& t) {
  std::vector<int64_t> sig(t.shape.begin(), t.shape.end());
  if (t.shape_signature.size() == t.shape.size())
    for (size_t i = 0; i < sig.size(); ++i)
      if (t.shape_signature[i] < 0) sig[i] = -1;
  return sig;
}

bool Matches(const std::vector<int64_t>& shape,
             const std::vector<int64_t>& sig) {
  if (shape.size() != sig.size()) return false;
  for (size_t i = 0; i < sig.size(); ++i)
    if (sig[i] >= 0 && sig[i] != shape[i]) return false;
  return true;
}

// Splits `array` into samples for `input`: a leading sample dimension in
// front of the input's shape, or rows of a batch-1 input stacked along dim 0.
bool SplitSamples(const NpyArray& array, const fb::TensorT& input,
                  const std::string& where, std::vector<NpyArray>* out,
                  convert::Diagnostics* diag) {
  const std::vector<int64_t> sig = InputSignature(input);
  NpyArray converted = array;
  const DataType want = static_cast<DataType>(input.type);
  if (array.type == DataType::kFloat64 && want == DataType::kFloat32) {
    const size_t n = array.data.size() / 8;
    converted.type = DataType::kFloat32;
    converted.data.resize(n * 4);
    for (size_t i = 0; i < n; ++i) {
      double d;
      memcpy(&d, array.data.data() + i * 8, 8);
      const float f = static_cast<float>(d);
      memcpy(converted.data.data() + i * 4, &f, 4);
    }
  }
  if (converted.type != want) {
    diag->errors.push_back(where + ": dtype " + DataTypeName(array.type) +
                           " does not match input '" + input.name + "' (" +
                           DataTypeName(want) + ")");
    return false;
  }
  std::vector<int64_t> per_sample;
  int64_t count = 0;
  if (!converted.shape.empty() &&
      Matches({converted.shape.begin() + 1, converted.shape.end()}, sig)) {
    per_sample.assign(converted.shape.begin() + 1, converted.shape.end());
    count = converted.shape[0];
  } else if (!sig.empty() && (sig[0] == 1 || sig[0] == -1) &&
             Matches(converted.shape, sig) && !converted.shape.empty()) {
    per_sample = converted.shape;
    per_sample[0] = 1;
    count = converted.shape[0];
  } else {
    diag->errors.push_back(where + ": shape " + ShapeText(array.shape) +
                           " does not match input '" + input.name + "' " +
                           ShapeText(sig) +
                           " (with or without a leading sample dimension)");
    return false;
  }
  const size_t bytes = count > 0 ? converted.data.size() / count : 0;
  for (int64_t i = 0; i < count; ++i) {
    NpyArray s;
    s.type = converted.type;
    s.shape = per_sample;
    s.data.assign(converted.data.begin() + i * bytes,
                  converted.data.begin() + (i + 1) * bytes);
    out->push_back(std::move(s));
  }
  return true;
}

uint32_t Le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
         (static_cast<uint32_t>(b[at + 3]) << 24);
}
uint16_t Le16(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8);
}
uint64_t Le64(const std::vector<uint8_t>& b, size_t at) {
  return Le32(b, at) | (static_cast<uint64_t>(Le32(b, at + 4)) << 32);
}

// Reads the members of an .npz (a zip of .npy files, stored uncompressed by
// np.savez) from its central directory.
bool ReadNpz(const std::string& path,
             std::vector<std::pair<std::string, NpyArray>>* arrays,
             convert::Diagnostics* diag) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), {});
  auto bad = [&](const std::string& why) {
    diag->errors.push_back(path + ": not a readable .npz (" + why + ")");
    return false;
  };
  if (b.size() < 22) return bad("too short for a zip archive");
  size_t eocd = std::string::npos;
  for (size_t i = b.size() - 22 + 1; i-- > 0 && b.size() - i < 65557;) {
    if (Le32(b, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) return bad("no zip end-of-directory record");
  const uint16_t entries = Le16(b, eocd + 10);
  size_t at = Le32(b, eocd + 16);
  for (uint16_t e = 0; e < entries; ++e) {
    if (at + 46 > b.size() || Le32(b, at) != 0x02014b50)
      return bad("corrupt central directory");
    const uint16_t method = Le16(b, at + 10);
    uint64_t size = Le32(b, at + 20);
    const uint16_t name_len = Le16(b, at + 28), extra_len = Le16(b, at + 30),
                   comment_len = Le16(b, at + 32);
    uint64_t local = Le32(b, at + 42);
    if (at + 46 + name_len + extra_len > b.size())
      return bad("corrupt central directory");
    std::string name(b.begin() + at + 46, b.begin() + at + 46 + name_len);
    // Zip64 sizes/offsets live in extra field 0x0001, in the order of the
    // 32-bit fields that are saturated.
    for (size_t x = at + 46 + name_len;
         x + 4 <= at + 46 + name_len + extra_len;) {
      const uint16_t id = Le16(b, x), len = Le16(b, x + 2);
      if (id == 1) {
        size_t f = x + 4;
        if (Le32(b, at + 24) == 0xFFFFFFFF && f + 8 <= x + 4 + len) {
          size = Le64(b, f);  // uncompressed size first
          f += 8;
        }
        if (Le32(b, at + 20) == 0xFFFFFFFF && f + 8 <= x + 4 + len) {
          size = Le64(b, f);
          f += 8;
        }
        if (Le32(b, at + 42) == 0xFFFFFFFF && f + 8 <= x + 4 + len)
          local = Le64(b, f);
      }
      x += 4 + len;
    }
    at += 46 + name_len + extra_len + comment_len;
    if (method != 0)
      return bad(
          "member '" + name +
          "' is compressed; save it with np.savez, not np.savez_compressed");
    if (local + 30 > b.size() || Le32(b, local) != 0x04034b50)
      return bad("corrupt local header");
    const uint64_t data =
        local + 30 + Le16(b, local + 26) + Le16(b, local + 28);
    if (data + size > b.size())
      return bad("member '" + name + "' is truncated");
    NpyArray array;
    ErrorReporter errors;
    if (!ParseNpy(b.data() + data, size, &array, errors).ok())
      return bad("member '" + name + "': " + errors.message());
    if (name.size() > 4 && name.substr(name.size() - 4) == ".npy")
      name.resize(name.size() - 4);
    arrays->emplace_back(name, std::move(array));
  }
  return true;
}

}  // namespace

bool LoadCalibration(const std::string& path, const fb::ModelT& model,
                     std::vector<Sample>* samples, convert::Diagnostics* diag) {
  const fb::SubGraphT& sg = *model.subgraphs[0];
  const size_t num_inputs = sg.inputs.size();
  std::vector<std::vector<NpyArray>> per_input(num_inputs);
  std::error_code ec;
  auto read_npy = [&](const std::string& file, NpyArray* a) {
    ErrorReporter errors;
    if (!ReadNpy(file, a, errors).ok()) {
      diag->errors.push_back(file + ": " + errors.message());
      return false;
    }
    return true;
  };
  auto input = [&](size_t k) -> const fb::TensorT& {
    return *sg.tensors[sg.inputs[k]];
  };
  if (!fs::exists(path, ec)) {
    diag->errors.push_back(path + ": calibration data not found");
    return false;
  }
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.path().extension() == ".npy")
        files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      diag->errors.push_back(path +
                             ": no .npy files in the calibration directory");
      return false;
    }
    for (const std::string& file : files) {
      size_t k = 0;
      if (num_inputs > 1) {
        // Several inputs: each file name starts with the input it feeds.
        const std::string stem = fs::path(file).filename().string();
        k = num_inputs;
        for (size_t i = 0; i < num_inputs; ++i)
          if (!input(i).name.empty() && stem.rfind(input(i).name, 0) == 0)
            k = i;
        if (k == num_inputs) {
          diag->errors.push_back(file +
                                 ": name does not start with any input name");
          return false;
        }
      }
      NpyArray a;
      if (!read_npy(file, &a) ||
          !SplitSamples(a, input(k), file, &per_input[k], diag))
        return false;
    }
  } else if (path.size() > 4 && path.substr(path.size() - 4) == ".npz") {
    std::vector<std::pair<std::string, NpyArray>> arrays;
    if (!ReadNpz(path, &arrays, diag)) return false;
    for (size_t k = 0; k < num_inputs; ++k) {
      const NpyArray* found = nullptr;
      for (const auto& [name, a] : arrays)
        if (name == input(k).name) found = &a;
      if (found == nullptr) {
        for (const auto& [name, a] : arrays)
          if (name == "arr_" + std::to_string(k)) found = &a;
      }
      if (found == nullptr && num_inputs == 1 && arrays.size() == 1)
        found = &arrays[0].second;
      if (found == nullptr) {
        diag->errors.push_back(path + ": no array named '" + input(k).name +
                               "' or 'arr_" + std::to_string(k) + "'");
        return false;
      }
      if (!SplitSamples(*found, input(k), path, &per_input[k], diag))
        return false;
    }
  } else {
    if (num_inputs != 1) {
      diag->errors.push_back(path + ": the model has " +
                             std::to_string(num_inputs) +
                             " inputs; give a directory or an .npz");
      return false;
    }
    NpyArray a;
    if (!read_npy(path, &a) ||
        !SplitSamples(a, input(0), path, &per_input[0], diag))
      return false;
  }
  const size_t count = per_input.empty() ? 0 : per_input[0].size();
  for (size_t k = 1; k < num_inputs; ++k) {
    if (per_input[k].size() != count) {
      diag->errors.push_back(path + ": inputs have different sample counts (" +
                             std::to_string(count) + " vs " +
                             std::to_string(per_input[k].size()) + ")");
      return false;
    }
  }
  if (count == 0) {
    diag->errors.push_back(path + ": no calibration samples");
    return false;
  }
  samples->assign(count, Sample(num_inputs));
  for (size_t k = 0; k < num_inputs; ++k)
    for (size_t i = 0; i < count; ++i)
      (*samples)[i][k] = std::move(per_input[k][i]);
  return true;
}

std::vector<Sample> RandomSamples(const fb::ModelT& model, int count,
                                  uint32_t seed) {
  std::mt19937 rng(seed);
  const fb::SubGraphT& sg = *model.subgraphs[0];
  std::vector<Sample> samples(count);
  for (Sample& sample : samples) {
    for (int32_t t : sg.inputs) {
      const fb::TensorT& input = *sg.tensors[t];
      NpyArray a;
      a.type = static_cast<DataType>(input.type);
      for (int32_t d : input.shape) a.shape.push_back(std::max(d, 1));
      int64_t n = 1;
      for (int64_t d : a.shape) n *= d;
      std::string lower = input.name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      // Image-like inputs are usually normalized to [0, 1].
      const bool image = lower.find("image") != std::string::npos ||
                         lower.find("pixel") != std::string::npos;
      std::uniform_real_distribution<float> real(image ? 0.0f : -1.0f, 1.0f);
      std::uniform_int_distribution<int> small(0, 9);
      const size_t size = DataTypeSize(a.type);
      a.data.resize(n * size);
      for (int64_t i = 0; i < n; ++i) {
        if (a.type == DataType::kFloat32) {
          const float v = real(rng);
          memcpy(a.data.data() + i * 4, &v, 4);
        } else if (size > 0) {
          const int64_t v = small(rng);
          memcpy(a.data.data() + i * size, &v, size);  // little endian
        }
      }
      sample.push_back(std::move(a));
    }
  }
  return samples;
}

}  // namespace ember::quantize
