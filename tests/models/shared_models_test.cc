// Real models (../shared/models, or $EMBER_SHARED_MODELS) in Ember vs
// LiteRT. Built as the separate executable ember_model_tests (ctest label
// "models"), never part of ember_tests: it needs the shared folder, the
// LiteRT oracle, and minutes.
//
// For each .tflite: Ember loads it, runs seeded random inputs over each
// input's valid range, and LiteRT runs the same inputs (BUILTIN_REF kernels
// when every output is an integer tensor, the default kernels otherwise).
// Integer outputs must be bit-exact; float outputs within
// kFloatRelTol * max|LiteRT output| + kFloatAbsTol, or twice the spread
// between LiteRT's XNNPACK and reference kernels if larger. Models with custom
// ops LiteRT's Python package lacks get Ember-only checks (see kEmberOnly). A
// table of all models is printed at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/oracle.h"

#ifndef EMBER_SOURCE_DIR
#define EMBER_SOURCE_DIR "."
#endif

namespace ember {
namespace {

namespace fs = std::filesystem;

constexpr double kFloatRelTol = 1e-4;
constexpr double kFloatAbsTol = 1e-5;

// Models LiteRT's Python interpreter cannot run because of custom ops it
// does not register. `expect_unsupported`: Ember is expected to refuse the
// model with kUnsupported naming exactly these custom ops (prefix match)
// and nothing else; otherwise Ember must run it (Ember-only checks).
struct EmberOnly {
  const char* file;
  const char* custom_prefix;  // the custom ops LiteRT lacks
  bool expect_unsupported;
};
constexpr EmberOnly kEmberOnly[] = {
    {"audio_preprocessor_float.tflite", "Signal", false},
    {"audio_preprocessor_int8.tflite", "Signal", false},
    {"selfie_segmentation.tflite", "Convolution2DTransposeBias", false},
    // Not a custom op: LiteRT's SVDF reads this model's int8 state and time
    // weights as int16 and crashes (double free), so it cannot be the
    // oracle. Ember's int8-state SVDF is checked in src/ops/svdf_test.cc.
    {"keyword_scrambled_8bit.tflite", "", false},
};

const EmberOnly* FindEmberOnly(const std::string& file) {
  for (const EmberOnly& e : kEmberOnly)
    if (file == e.file) return &e;
  return nullptr;
}

std::string ModelsDir() {
  const char* env = getenv("EMBER_SHARED_MODELS");
  if (env != nullptr && *env != '\0') return env;
  return std::string(EMBER_SOURCE_DIR) + "/../shared/models";
}

std::vector<fs::path> FindModels(const std::string& dir) {
  std::vector<fs::path> models;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".tflite")
      models.push_back(it->path());
  }
  std::sort(models.begin(), models.end());
  return models;
}

std::vector<uint8_t> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool IsIntegerType(DataType t) {
  return t == DataType::kInt8 || t == DataType::kUInt8 ||
         t == DataType::kInt16 || t == DataType::kInt32 ||
         t == DataType::kInt64 || t == DataType::kBool ||
         t == DataType::kUInt16 || t == DataType::kUInt32 ||
         t == DataType::kUInt64;
}

uint32_t Seed(const std::string& name, size_t input) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h + static_cast<uint32_t>(input) * 7919u;
}

// Seeded random data over the valid range of a model input: the whole
// storage range for quantized integers, [-1, 1] for floats (normalised
// images and audio), small non-negative values for other integers (sizes,
// indices), 0/1 for booleans.
NpyArray RandomInput(const fb::Tensor* t, uint32_t seed) {
  std::vector<int64_t> shape;
  if (t->shape())
    for (int32_t d : *t->shape()) shape.push_back(d);
  const DataType type = static_cast<DataType>(t->type());
  switch (type) {
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kBool:
      return testing::RandomArray(type, shape, seed, 0, 0);
    case DataType::kInt32:
    case DataType::kInt64:
      return testing::RandomArray(type, shape, seed, 0, 8);
    default:
      return testing::RandomArray(type, shape, seed, -1.0f, 1.0f);
  }
}

// LiteRT refuses 1-D per-channel tensors whose quantized_dimension is not
// 0 (TFLM's person_detect biases); Ember reads them as dim 0. Hand LiteRT
// the same model with that field fixed so the comparison can run.
std::vector<uint8_t> LiteRtCompatible(const std::vector<uint8_t>& bytes,
                                      int* patched) {
  *patched = 0;
  std::unique_ptr<fb::ModelT> m = fb::UnPackModel(bytes.data());
  for (auto& sg : m->subgraphs) {
    for (auto& t : sg->tensors) {
      if (t->quantization && t->shape.size() == 1 &&
          t->quantization->scale.size() > 1 &&
          t->quantization->quantized_dimension != 0) {
        t->quantization->quantized_dimension = 0;
        ++*patched;
      }
    }
  }
  if (*patched == 0) return bytes;
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::Model::Pack(fbb, m.get()), fb::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

struct Row {
  std::string model;
  std::string status;  // "ok", "ok (ember-only)", "FAIL", ...
  std::string error;   // max error summary
  std::string note;
  bool passed = false;
};

struct Pending {
  size_t row;
  bool integer;
  std::vector<NpyArray> ember_outputs;
  testing::OracleCase oracle;
};

// Custom op names of the model that the resolver does not have.
std::set<std::string> MissingCustomOps(const Model& model) {
  std::set<std::string> missing;
  const auto* codes = model.fb()->operator_codes();
  if (codes == nullptr) return missing;
  for (const fb::OperatorCode* code : *codes) {
    if (Model::BuiltinCode(code) !=
        static_cast<int32_t>(fb::BuiltinOperator::CUSTOM))
      continue;
    const char* name = code->custom_code()->c_str();
    if (OpResolver::Builtins().FindCustom(name) == nullptr)
      missing.insert(name);
  }
  return missing;
}

// Runs Ember-only checks; fills row.
void CheckEmberOnly(const EmberOnly& spec, const Model& model,
                    const std::vector<uint8_t>& bytes,
                    const std::vector<NpyArray>& inputs, Row& row) {
  ErrorReporter errors;
  std::unique_ptr<Interpreter> interp;
  const Status s =
      Interpreter::Create(model, OpResolver::Builtins(), {}, errors, &interp);
  if (spec.expect_unsupported) {
    const std::set<std::string> missing = MissingCustomOps(model);
    std::string why;
    if (s.ok()) {
      why = "Ember created the interpreter, expected kUnsupported for the " +
            std::string(spec.custom_prefix) + "* ops";
    } else if (s.code() != StatusCode::kUnsupported) {
      why = std::string("expected kUnsupported, got ") +
            StatusCodeName(s.code()) + ": " + errors.message();
    } else {
      for (const std::string& op : missing) {
        if (op.rfind(spec.custom_prefix, 0) != 0) continue;
        if (std::string(errors.message()).find("'" + op + "'") ==
            std::string::npos)
          why += "error does not name " + op + "; ";
      }
      // Everything else in the model must be supported by now: the only
      // missing ops may be the expected custom ones.
      std::string msg = errors.message();
      const std::string head = "does not support: ";
      const size_t at = msg.find(head);
      std::string list =
          at == std::string::npos ? msg : msg.substr(at + head.size());
      size_t pos = 0;
      while (pos < list.size()) {
        size_t comma = list.find(", ", pos);
        if (comma == std::string::npos) comma = list.size();
        const std::string item = list.substr(pos, comma - pos);
        if (item.find(std::string("custom op '") + spec.custom_prefix) != 0)
          why += "unexpectedly unsupported: " + item + "; ";
        pos = comma + 2;
      }
    }
    row.passed = why.empty();
    row.status = row.passed ? "ok (expected unsupported)" : "FAIL";
    row.error = "-";
    row.note =
        row.passed ? std::string(spec.custom_prefix) + "* ops reported" : why;
    return;
  }
  if (!s.ok()) {
    row.status = "FAIL";
    row.error = "-";
    row.note = errors.message();
    return;
  }
  // Ember-only: runs, outputs finite, same result twice.
  const testing::RunResult a = testing::RunEmber(bytes, inputs);
  const testing::RunResult b = testing::RunEmber(bytes, inputs);
  if (!a.ok || !b.ok) {
    row.status = "FAIL";
    row.error = "-";
    row.note = a.ok ? b.error : a.error;
    return;
  }
  std::string why;
  for (size_t k = 0; k < a.outputs.size(); ++k) {
    std::string diff_why;
    const double d = testing::MaxAbsDiff(a.outputs[k], b.outputs[k], &diff_why);
    if (d != 0) why += "output " + std::to_string(k) + " not deterministic; ";
    const double m = testing::MaxAbs(a.outputs[k]);
    if (!std::isfinite(m))
      why += "output " + std::to_string(k) + " not finite; ";
  }
  row.passed = why.empty();
  row.status = row.passed ? "ok (ember-only)" : "FAIL";
  row.error = "-";
  row.note =
      row.passed ? std::string("LiteRT lacks ") + spec.custom_prefix : why;
}

TEST(SharedModels, MatchLiteRt) {
  const std::string dir = ModelsDir();
  ASSERT_TRUE(fs::is_directory(dir))
      << "shared models folder '" << dir
      << "' is missing: set EMBER_SHARED_MODELS or check out ../shared/models"
         " next to the repository. This suite must not pass without it.";
  const std::vector<fs::path> paths = FindModels(dir);
  ASSERT_FALSE(paths.empty()) << "no .tflite files under " << dir;

  std::vector<Row> rows;
  std::vector<Pending> pending;
  std::vector<std::vector<uint8_t>> keep;  // model bytes for Ember runs
  for (const fs::path& path : paths) {
    Row row;
    row.model = fs::relative(path, dir).string();
    const std::vector<uint8_t> bytes = ReadFile(path);
    ErrorReporter errors;
    std::unique_ptr<Model> model;
    if (!Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model)
             .ok()) {
      row.status = "FAIL";
      row.error = "-";
      row.note = std::string("load: ") + errors.message();
      rows.push_back(row);
      continue;
    }
    const fb::SubGraph* sg = model->fb()->subgraphs()->Get(0);
    std::vector<NpyArray> inputs;
    if (sg->inputs()) {
      for (uint32_t k = 0; k < sg->inputs()->size(); ++k) {
        inputs.push_back(RandomInput(sg->tensors()->Get(sg->inputs()->Get(k)),
                                     Seed(row.model, k)));
      }
    }
    if (const EmberOnly* spec = FindEmberOnly(path.filename().string())) {
      CheckEmberOnly(*spec, *model, bytes, inputs, row);
      rows.push_back(row);
      continue;
    }
    testing::RunResult ours = testing::RunEmber(bytes, inputs);
    if (!ours.ok) {
      row.status = "FAIL";
      row.error = "-";
      row.note = ours.error;
      rows.push_back(row);
      continue;
    }
    bool integer = !ours.outputs.empty();
    for (const auto& o : ours.outputs) integer &= IsIntegerType(o.type);
    int patched = 0;
    Pending p;
    p.row = rows.size();
    p.integer = integer;
    p.ember_outputs = std::move(ours.outputs);
    p.oracle.model = LiteRtCompatible(bytes, &patched);
    p.oracle.inputs = std::move(inputs);
    if (patched)
      row.note = "LiteRT given " + std::to_string(patched) +
                 " 1-D quantized_dimension fixes; ";
    rows.push_back(row);
    pending.push_back(std::move(p));
  }

  // One LiteRT process per kernel kind.
  for (const bool integer : {true, false}) {
    std::vector<testing::OracleCase> cases;
    std::vector<Pending*> which;
    for (Pending& p : pending) {
      if (p.integer != integer) continue;
      cases.push_back(p.oracle);
      which.push_back(&p);
    }
    if (cases.empty()) continue;
    const std::vector<testing::RunResult> theirs =
        testing::RunLiteRt(cases, /*reference=*/integer);
    // For float models LiteRT's own two kernel sets (XNNPACK vs reference)
    // disagree measurably on deep, ill-conditioned outputs; that spread is
    // the float noise floor, and Ember may differ from XNNPACK by up to
    // twice it (the stated relative tolerance still applies when larger).
    std::vector<testing::RunResult> spread;
    if (!integer) spread = testing::RunLiteRt(cases, /*reference=*/true);
    for (size_t i = 0; i < which.size(); ++i) {
      Pending& p = *which[i];
      Row& row = rows[p.row];
      row.note += integer ? "BUILTIN_REF" : "default kernels";
      if (!theirs[i].ok) {
        row.status = "FAIL";
        row.error = "-";
        row.note += "; LiteRT: " + theirs[i].error;
        continue;
      }
      if (theirs[i].outputs.size() != p.ember_outputs.size()) {
        row.status = "FAIL";
        row.error = "-";
        row.note += "; output counts differ";
        continue;
      }
      double max_lsb = 0, max_float = 0, worst_ratio = 0;
      bool any_int = false, any_float = false, ok = true;
      std::string why;
      for (size_t k = 0; k < p.ember_outputs.size(); ++k) {
        const NpyArray& a = p.ember_outputs[k];
        const NpyArray& b = theirs[i].outputs[k];
        std::string diff_why;
        const double d = testing::MaxAbsDiff(a, b, &diff_why);
        if (d < 0) {
          ok = false;
          why += "output " + std::to_string(k) + ": " + diff_why + "; ";
          continue;
        }
        if (IsIntegerType(a.type)) {
          any_int = true;
          max_lsb = std::max(max_lsb, d);
          if (d != 0) ok = false;
        } else {
          any_float = true;
          double tol = kFloatRelTol * testing::MaxAbs(b) + kFloatAbsTol;
          if (!spread.empty() && spread[i].ok && k < spread[i].outputs.size()) {
            const double floor =
                testing::MaxAbsDiff(spread[i].outputs[k], b, nullptr);
            if (floor > 0) tol = std::max(tol, 2 * floor);
          }
          max_float = std::max(max_float, d);
          worst_ratio = std::max(worst_ratio, d / tol);
          if (!(d <= tol)) ok = false;
        }
      }
      char err[128] = "";
      if (any_int && any_float)
        snprintf(err, sizeof(err), "%g LSB / %.3g abs (%.2fx tol)", max_lsb,
                 max_float, worst_ratio);
      else if (any_int)
        snprintf(err, sizeof(err), "%g LSB", max_lsb);
      else
        snprintf(err, sizeof(err), "%.3g abs (%.2fx tol)", max_float,
                 worst_ratio);
      row.error = err;
      row.status = ok ? "ok" : "FAIL";
      row.passed = ok;
      if (!why.empty()) row.note += "; " + why;
    }
  }

  // The table.
  size_t w_model = 5, w_status = 6, w_err = 9;
  for (const Row& r : rows) {
    w_model = std::max(w_model, r.model.size());
    w_status = std::max(w_status, r.status.size());
    w_err = std::max(w_err, r.error.size());
  }
  int passed = 0;
  printf("\n%-*s  %-*s  %-*s  %s\n", static_cast<int>(w_model), "model",
         static_cast<int>(w_status), "status", static_cast<int>(w_err),
         "max error", "note");
  for (const Row& r : rows) {
    std::string note = r.note;
    if (note.size() > 160) note = note.substr(0, 157) + "...";
    printf("%-*s  %-*s  %-*s  %s\n", static_cast<int>(w_model), r.model.c_str(),
           static_cast<int>(w_status), r.status.c_str(),
           static_cast<int>(w_err), r.error.c_str(), note.c_str());
    passed += r.passed;
  }
  printf("%d of %zu models passed\n\n", passed, rows.size());
  for (const Row& r : rows) {
    EXPECT_TRUE(r.passed) << r.model << ": " << r.status << " " << r.error
                          << " " << r.note;
  }
}

}  // namespace
}  // namespace ember
