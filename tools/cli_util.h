// Helpers shared by the `ember` subcommands: exit codes and error printing,
// model loading, and one description of a tensor used by both `inspect`
// (straight from the flatbuffer) and `run` (from the runtime).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "describe/tensor_json.h"
#include "model/model.h"
#include "runtime/tensor.h"

namespace ember::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,  // bad model or data file, runtime failure
  kExitUsage = 2,  // bad command line
};

// Prints "ember: error: <message>" to stderr and returns `code`.
int Fail(int code, const char* format, ...)
    __attribute__((format(printf, 2, 3)));
// Prints "ember: warning: <message>" to stderr.
void Warn(const char* format, ...) __attribute__((format(printf, 1, 2)));

// --trust KEY.pub (repeatable) and --device-key KEY of run/bench/inspect
// (added by AddTrustFlags, tools/trust.cc).
struct TrustFlags {
  std::vector<std::string> trusted_keys;  // public key files
  std::string device_key;                 // empty: none
  bool any() const { return !trusted_keys.empty() || !device_key.empty(); }
};

// Loads and verifies a .tflite file (under the trust policy the flags
// describe: signature and decryption checked before parsing); on failure
// prints the error and returns false.
bool LoadModelFile(const std::string& path, std::unique_ptr<Model>* model);
bool LoadModelFile(const std::string& path, const TrustFlags& trust,
                   std::unique_ptr<Model>* model);

// What inspect and run say about one tensor (src/describe, shared with
// `ember report` and the WebAssembly API).
using describe::DescribeTensor;
using describe::OpCodeName;
using describe::QuantJson;
using describe::ShapeVector;
using describe::TensorInfo;
using describe::TensorJson;

std::string ShapeString(const Shape& shape);  // "[1, 224, 224, 3]"
std::string ShapeString(const nlohmann::json& dims);
// One line from QuantJson's object: "none", "scale=0.0235 zero_point=-128",
// "per-channel dim=0 n=32 scale=[0.001, 0.02] zero_point=0".
std::string QuantString(const nlohmann::json& quant);
// Prints `value` to stdout, indented; invalid UTF-8 in model strings is
// replaced (U+FFFD), never an error.
void PrintJson(const nlohmann::json& value);

// Left-aligned text table for the human-readable outputs.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void Add(std::vector<std::string> row);
  void Print(int indent = 2) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string FormatBytes(size_t bytes);   // "12.3 KiB (12624 B)"
std::string FormatNumber(double value);  // compact %.6g

// File name for an output tensor: characters outside [A-Za-z0-9._-] become
// '_', an empty result becomes "output_<position>".
std::string SanitizeFileName(const std::string& name, int position);
// Makes names unique (compared case-insensitively, for case-insensitive
// file systems) by appending "_1", "_2", ...
std::vector<std::string> Deduplicate(const std::vector<std::string>& names);

}  // namespace ember::cli
