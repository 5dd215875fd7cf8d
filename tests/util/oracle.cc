#include "util/oracle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>

#include "model/model.h"
#include "runtime/interpreter.h"

#ifndef EMBER_SOURCE_DIR
#define EMBER_SOURCE_DIR "."
#endif

namespace ember::testing {
namespace {

template <typename T>
double At(const NpyArray& a, size_t i) {
  T v;
  memcpy(&v, a.data.data() + i * sizeof(T), sizeof(T));
  return static_cast<double>(v);
}

double ValueAt(const NpyArray& a, size_t i) {
  switch (a.type) {
    case DataType::kFloat32:
      return At<float>(a, i);
    case DataType::kFloat64:
      return At<double>(a, i);
    case DataType::kInt32:
      return At<int32_t>(a, i);
    case DataType::kInt64:
      return At<int64_t>(a, i);
    case DataType::kInt16:
      return At<int16_t>(a, i);
    case DataType::kInt8:
      return At<int8_t>(a, i);
    case DataType::kUInt8:
      return At<uint8_t>(a, i);
    case DataType::kBool:
      return At<uint8_t>(a, i) != 0;
    case DataType::kUInt16:
      return At<uint16_t>(a, i);
    case DataType::kUInt32:
      return At<uint32_t>(a, i);
    case DataType::kUInt64:
      return At<uint64_t>(a, i);
    default:
      return NAN;
  }
}

size_t Count(const NpyArray& a) {
  size_t n = 1;
  for (int64_t d : a.shape) n *= static_cast<size_t>(d);
  return n;
}

}  // namespace

RunResult RunEmber(const std::vector<uint8_t>& bytes,
                   const std::vector<NpyArray>& inputs, int invokes,
                   bool force_reference) {
  RunResult result;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  auto fail = [&](const char* msg) {
    result.error = msg;
    return result;
  };
  if (!Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
    return fail(errors.message());
  InterpreterOptions options;
  options.force_reference_kernels = force_reference;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok())
    return fail(errors.message());
  Subgraph& sg = interp->primary();
  if (inputs.size() != sg.inputs().size())
    return fail("wrong number of inputs");
  for (size_t k = 0; k < inputs.size(); ++k) {
    Shape shape;
    shape.rank = static_cast<int32_t>(inputs[k].shape.size());
    for (int d = 0; d < shape.rank; ++d)
      shape.dims[d] = static_cast<int32_t>(inputs[k].shape[d]);
    if (!interp->ResizeInput(static_cast<int>(k), shape).ok())
      return fail(interp->errors().message());
  }
  if (!interp->AllocateTensors().ok()) return fail(interp->errors().message());
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor& t = sg.tensors()[sg.inputs()[k]];
    if (t.type != inputs[k].type || t.bytes != inputs[k].data.size())
      return fail("input type or size mismatch");
    if (t.bytes > 0) memcpy(t.data, inputs[k].data.data(), t.bytes);
  }
  for (int i = 0; i < invokes; ++i) {
    if (!interp->Invoke().ok()) return fail(interp->errors().message());
  }
  for (int32_t o : sg.outputs()) {
    const Tensor& t = sg.tensors()[o];
    NpyArray a;
    a.type = t.type;
    for (int d = 0; d < t.shape.rank; ++d) a.shape.push_back(t.shape.dims[d]);
    a.data.assign(static_cast<const uint8_t*>(t.data),
                  static_cast<const uint8_t*>(t.data) + t.bytes);
    result.outputs.push_back(std::move(a));
  }
  result.ok = true;
  return result;
}

std::vector<RunResult> RunLiteRt(const std::vector<OracleCase>& cases,
                                 bool reference) {
  std::vector<RunResult> results(cases.size());
  char tmpl[] = "/tmp/ember_oracle_XXXXXX";
  const char* root = mkdtemp(tmpl);
  if (root == nullptr) {
    for (auto& r : results) r.error = "cannot create a temp dir for the oracle";
    return results;
  }
  ErrorReporter errors;
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string dir =
        std::string(root) + "/case_" + std::to_string(100000 + i);
    mkdir(dir.c_str(), 0755);
    std::ofstream(dir + "/model.tflite", std::ios::binary)
        .write(reinterpret_cast<const char*>(cases[i].model.data()),
               static_cast<std::streamsize>(cases[i].model.size()));
    for (size_t k = 0; k < cases[i].inputs.size(); ++k) {
      const NpyArray& a = cases[i].inputs[k];
      (void)WriteNpy(dir + "/in_" + std::to_string(k) + ".npy", a.type, a.shape,
                     a.data.data(), a.data.size(), errors);
    }
    if (cases[i].invokes != 1)
      std::ofstream(dir + "/invokes.txt") << cases[i].invokes << "\n";
  }
  const char* python =
      getenv("EMBER_PYTHON") ? getenv("EMBER_PYTHON") : "python3";
  const std::string cmd = std::string(python) + " " + EMBER_SOURCE_DIR +
                          "/tests/util/litert_oracle.py " + root +
                          (reference ? " --ref" : " --default") + " 2>&1";
  const int rc = system(cmd.c_str());
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string dir =
        std::string(root) + "/case_" + std::to_string(100000 + i);
    std::ifstream err(dir + "/error.txt");
    if (rc != 0) {
      results[i].error =
          "LiteRT oracle could not run (python3 with "
          "ai-edge-litert and numpy is required): exit " +
          std::to_string(rc);
    } else if (err) {
      std::getline(err, results[i].error, '\0');
    } else {
      results[i].ok = true;
      for (int k = 0;; ++k) {
        NpyArray a;
        const std::string path = dir + "/out_" + std::to_string(k) + ".npy";
        if (access(path.c_str(), R_OK) != 0) break;
        if (!ReadNpy(path, &a, errors).ok()) {
          results[i].ok = false;
          results[i].error = errors.message();
          break;
        }
        results[i].outputs.push_back(std::move(a));
      }
    }
  }
  const std::string rm = std::string("rm -rf ") + root;
  (void)system(rm.c_str());
  return results;
}

NpyArray RandomArray(DataType type, std::vector<int64_t> shape, uint32_t seed,
                     float lo, float hi) {
  NpyArray a;
  a.type = type;
  a.shape = std::move(shape);
  size_t n = Count(a);
  a.data.resize(BytesFor(type, static_cast<int64_t>(n)));
  std::mt19937 rng(seed);
  const bool full = lo == 0.0f && hi == 0.0f;
  auto fill_int = [&](auto tag, int64_t tmin, int64_t tmax) {
    using T = decltype(tag);
    const int64_t a_lo =
        full ? tmin : std::max<int64_t>(tmin, static_cast<int64_t>(lo));
    const int64_t a_hi =
        full ? tmax : std::min<int64_t>(tmax, static_cast<int64_t>(hi));
    std::uniform_int_distribution<int64_t> dist(a_lo, a_hi);
    for (size_t i = 0; i < n; ++i) {
      const T v = static_cast<T>(dist(rng));
      memcpy(a.data.data() + i * sizeof(T), &v, sizeof(T));
    }
  };
  switch (type) {
    case DataType::kFloat32: {
      std::uniform_real_distribution<float> dist(lo, hi);
      for (size_t i = 0; i < n; ++i) {
        const float v = dist(rng);
        memcpy(a.data.data() + i * 4, &v, 4);
      }
      break;
    }
    case DataType::kInt8:
      fill_int(int8_t{}, -128, 127);
      break;
    case DataType::kUInt8:
      fill_int(uint8_t{}, 0, 255);
      break;
    case DataType::kInt16:
      fill_int(int16_t{}, -32768, 32767);
      break;
    case DataType::kInt32:
      fill_int(int32_t{}, -1000, 1000);
      break;
    case DataType::kInt64:
      fill_int(int64_t{}, -1000, 1000);
      break;
    case DataType::kBool:
      fill_int(uint8_t{}, 0, 1);
      break;
    default:
      break;
  }
  return a;
}

double MaxAbsDiff(const NpyArray& a, const NpyArray& b, std::string* why) {
  if (a.type != b.type) {
    if (why)
      *why = std::string("types differ: ") + DataTypeName(a.type) + " vs " +
             DataTypeName(b.type);
    return -1;
  }
  if (a.shape != b.shape) {
    if (why) *why = "shapes differ";
    return -1;
  }
  double m = 0;
  const size_t n = Count(a);
  for (size_t i = 0; i < n; ++i) {
    const double x = ValueAt(a, i), y = ValueAt(b, i);
    if (std::isnan(x) != std::isnan(y)) return INFINITY;
    if (std::isnan(x)) continue;
    m = std::max(m, std::fabs(x - y));
  }
  return m;
}

double MaxAbs(const NpyArray& a) {
  double m = 0;
  const size_t n = Count(a);
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(ValueAt(a, i)));
  return m;
}

}  // namespace ember::testing
