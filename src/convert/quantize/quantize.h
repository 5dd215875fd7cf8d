// Post-training quantization of a float .tflite model (ember quantize):
// float16 weights, dynamic-range (hybrid) int8 weights, full-integer int8
// and int16x8 with calibration. Works on the flatbuffers object model and
// follows TFLite's quantization spec, so the output runs in LiteRT as well
// as in Ember.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "io/npy.h"
#include "schema/schema_generated.h"

namespace ember::quantize {

enum class Mode { kFloat16, kDynamic, kInt8, kInt16x8 };
enum class RangeMethod { kMinMax, kPercentile, kMse };

struct QuantizeOptions {
  Mode mode = Mode::kInt8;
  bool per_channel = true;  // weights of CONV_2D / DEPTHWISE / FC
  bool integer_io = false;  // --io int8: model inputs/outputs quantized
  // MSE: measured better than min/max on 6 of 8 models in
  // bench/quant_compare.py and never worse.
  RangeMethod method = RangeMethod::kMse;
  double percentile = 99.99;
  // Regular expressions matched against an op's output tensor names and its
  // builtin name: matching ops stay float.
  std::vector<std::string> keep_float;
  // Corrects conv/FC biases for the mean error the weight rounding adds.
  bool bias_correction = true;
  // Cross-layer equalization of conv->(relu)->conv/depthwise pairs before
  // calibration: kAuto applies it with per-tensor weights (where it helps;
  // with per-channel weights it only reshapes activation ranges).
  enum class Equalize { kAuto, kOn, kOff } equalize = Equalize::kAuto;
  // Keep the N ops whose outputs have the worst SQNR in float.
  int auto_fallback = 0;
  // Dynamic range: smaller weight tensors stay float (LiteRT's legacy
  // quantizer uses the same 1024 threshold).
  int64_t min_weight_elements = 1024;
  bool progress = false;  // progress bar on stderr while calibrating
};

// One calibration sample: one array per model input, in input order.
using Sample = std::vector<NpyArray>;

// Per activation tensor of the quantized model, for --report.
struct TensorReport {
  std::string name;
  std::string type;  // "int8", "int16"
  float scale = 0.0f;
  int64_t zero_point = 0;
  double sqnr_db = 0.0;  // dequantized vs the float model, calibration data
};

struct QuantizeReport {
  size_t bytes_before = 0;
  size_t bytes_after = 0;
  int ops_quantized = 0;
  int ops_float = 0;
  std::vector<std::string> float_ops;  // "OP (output name): why"
  std::vector<TensorReport> tensors;
  std::vector<double> output_sqnr_db;  // per model output
};

// Quantizes `model` in place. Int8/int16x8 need `samples` (the caller
// makes random ones when the user gave none). Errors go to `diag`.
bool QuantizeModel(fb::ModelT* model, const std::vector<Sample>& samples,
                   const QuantizeOptions& options, QuantizeReport* report,
                   convert::Diagnostics* diag);

// Seeded random samples shaped like the model's inputs: floats in
// [-1, 1] (or [0, 1] when the input's name suggests an image), integers
// over a small range.
std::vector<Sample> RandomSamples(const fb::ModelT& model, int count,
                                  uint32_t seed);

// Reads calibration inputs: a directory of .npy files (one sample per file
// for single-input models, or files named <input>_<k>.npy / sorted groups),
// one .npy whose first dimension counts samples, or an .npz keyed by input
// name (or arr_0, arr_1...) with a leading sample dimension. Checks every
// sample against the model's inputs (type, shape).
bool LoadCalibration(const std::string& path, const fb::ModelT& model,
                     std::vector<Sample>* samples, convert::Diagnostics* diag);

}  // namespace ember::quantize
