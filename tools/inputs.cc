#include "inputs.h"

#include <cstring>
#include <limits>

#include "cli_util.h"

namespace ember::cli {
namespace {

std::string ListInputs(const Subgraph& sg) {
  std::string list;
  for (size_t i = 0; i < sg.inputs().size(); ++i) {
    if (!list.empty()) list += ", ";
    list += std::to_string(i) + " '" + sg.tensors()[sg.inputs()[i]].name + "'";
  }
  return list.empty() ? "none" : list;
}

// Position of input `name`: a tensor name first, else a decimal position.
int FindInput(const std::string& name, const Subgraph& sg) {
  const auto& inputs = sg.inputs();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (name == sg.tensors()[inputs[i]].name) return static_cast<int>(i);
  if (!name.empty() && name.size() < 6 &&
      name.find_first_not_of("0123456789") == std::string::npos) {
    const int pos = std::stoi(name);
    if (pos < static_cast<int>(inputs.size())) return pos;
  }
  return -1;
}

// SplitMix64: tiny, fast, and the same sequence on every platform (the
// standard distributions are not).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double Uniform(double lo, double hi) {  // [lo, hi)
    return lo + (hi - lo) * static_cast<double>(Next() >> 11) * 0x1.0p-53;
  }
  int64_t Integer(int64_t lo, int64_t hi) {  // [lo, hi]
    return lo +
           static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  uint64_t state_;
};

template <typename T>
void FillIntegers(Tensor& t, Random& rng, int64_t lo, int64_t hi) {
  T* p = t.data_as<T>();
  for (int64_t i = 0; i < t.NumElements(); ++i)
    p[i] = static_cast<T>(rng.Integer(lo, hi));
}

template <typename T>
void FillFullRange(Tensor& t, Random& rng) {
  FillIntegers<T>(t, rng, std::numeric_limits<T>::min(),
                  std::numeric_limits<T>::max());
}

template <typename T>
void FillReals(Tensor& t, Random& rng, double lo, double hi) {
  T* p = t.data_as<T>();
  for (int64_t i = 0; i < t.NumElements(); ++i)
    p[i] = static_cast<T>(rng.Uniform(lo, hi));
}

}  // namespace

int MatchInputSpecs(const std::vector<std::string>& specs, const Subgraph& sg,
                    std::vector<std::string>* files) {
  files->assign(sg.inputs().size(), "");
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return Fail(kExitUsage, "--input expects NAME=FILE.npy, got '%s'",
                  spec.c_str());
    }
    const std::string name = spec.substr(0, eq);
    const int pos = FindInput(name, sg);
    if (pos < 0) {
      return Fail(kExitUsage, "unknown input '%s'; the model's inputs are: %s",
                  name.c_str(), ListInputs(sg).c_str());
    }
    if (!(*files)[pos].empty()) {
      return Fail(kExitUsage, "input %d ('%s') is given more than once", pos,
                  sg.tensors()[sg.inputs()[pos]].name);
    }
    (*files)[pos] = spec.substr(eq + 1);
  }
  return kExitOk;
}

int ApplyInputArray(const NpyArray& array, const std::string& source,
                    int position, Subgraph& sg) {
  const Tensor& t = sg.tensors()[sg.inputs()[position]];
  if (array.type != t.type) {
    return Fail(kExitError,
                "input %d ('%s') is %s but %s holds %s (dtype '%s'); convert "
                "it, e.g. with numpy's astype",
                position, t.name, DataTypeName(t.type), source.c_str(),
                DataTypeName(array.type), NpyDescr(array.type).c_str());
  }
  if (array.shape.size() > static_cast<size_t>(kMaxRank)) {
    return Fail(kExitError, "%s has rank %zu; Ember supports up to %d",
                source.c_str(), array.shape.size(), kMaxRank);
  }
  Shape shape;
  for (int64_t d : array.shape) {
    if (d > std::numeric_limits<int32_t>::max()) {
      return Fail(kExitError, "%s: dimension %lld is too large", source.c_str(),
                  static_cast<long long>(d));
    }
    shape.dims[shape.rank++] = static_cast<int32_t>(d);
  }
  if (shape == t.shape) return kExitOk;
  // Dimensions fixed in the shape signature must match; -1 ones may change.
  const Shape sig = sg.ShapeSignature(sg.inputs()[position]);
  bool fits = sig.rank == shape.rank;
  for (int d = 0; fits && d < shape.rank; ++d)
    fits = sig.dims[d] < 0 || sig.dims[d] == shape.dims[d];
  if (!fits) {
    Warn("input %d ('%s'): %s has shape %s, the model expects %s; resizing",
         position, t.name, source.c_str(), ShapeString(shape).c_str(),
         ShapeString(sig).c_str());
  }
  if (!sg.ResizeInput(position, shape).ok()) {
    return Fail(kExitError, "cannot resize input %d ('%s') to %s: %s", position,
                t.name, ShapeString(shape).c_str(),
                sg.error_reporter().message());
  }
  return kExitOk;
}

bool FillRandom(Tensor& t, uint64_t seed, int position) {
  // Each input gets its own stream, independent of the others.
  Random rng(seed * 0x100000001b3ull + static_cast<uint64_t>(position) + 1);
  const bool image =
      t.shape.rank == 4 &&
      (t.shape.dims[3] == 1 || t.shape.dims[3] == 3 || t.shape.dims[3] == 4);
  const double lo = image ? 0.0 : -1.0;
  switch (t.type) {
    case DataType::kFloat32:
      FillReals<float>(t, rng, lo, 1.0);
      return true;
    case DataType::kFloat64:
      FillReals<double>(t, rng, lo, 1.0);
      return true;
    case DataType::kInt8:
      FillFullRange<int8_t>(t, rng);
      return true;
    case DataType::kUInt8:
      FillFullRange<uint8_t>(t, rng);
      return true;
    case DataType::kInt16:
      FillFullRange<int16_t>(t, rng);
      return true;
    case DataType::kInt32:
      FillIntegers<int32_t>(t, rng, 0, 100);
      return true;
    case DataType::kInt64:
      FillIntegers<int64_t>(t, rng, 0, 100);
      return true;
    case DataType::kUInt16:
      FillIntegers<uint16_t>(t, rng, 0, 100);
      return true;
    case DataType::kUInt32:
      FillIntegers<uint32_t>(t, rng, 0, 100);
      return true;
    case DataType::kUInt64:
      FillIntegers<uint64_t>(t, rng, 0, 100);
      return true;
    case DataType::kBool:
      FillIntegers<uint8_t>(t, rng, 0, 1);
      return true;
    default:
      Fail(kExitError, "--random-inputs cannot generate %s values (input '%s')",
           DataTypeName(t.type), t.name);
      return false;
  }
}

}  // namespace ember::cli
