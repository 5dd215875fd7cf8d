// Calibration: runs the float model in Ember over the samples and records,
// per tensor of subgraph 0, the value range, a histogram (for percentile
// and MSE range setting) and the per-channel mean (for bias correction).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "convert/quantize/quantize.h"
#include "model/model.h"
#include "runtime/interpreter.h"

namespace ember::quantize {

struct TensorStats {
  bool seen = false;
  float min = 0.0f, max = 0.0f;
  std::vector<double> histogram;    // over [min, max], filled in pass 2
  std::vector<double> channel_sum;  // per last-dimension channel
  int64_t channel_count = 0;        // values per channel summed
  std::vector<double> ChannelMean() const;
};

// Runs one model (from serialized bytes) sample by sample, keeping every
// intermediate tensor readable.
class ModelRunner {
 public:
  bool Init(std::vector<uint8_t> bytes, convert::Diagnostics* diag);
  // Feeds `sample`, invokes, then calls visit(tensor index, tensor) for
  // each non-constant tensor of subgraph 0.
  bool Run(const Sample& sample,
           const std::function<void(int32_t, const Tensor&)>& visit,
           convert::Diagnostics* diag);
  Subgraph& primary() { return interp_->primary(); }

 private:
  std::vector<uint8_t> bytes_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Interpreter> interp_;
};

// Values of a float32 tensor, or a quantized int8/int16 one dequantized
// (per-tensor params); empty for other types.
std::vector<float> DequantizedValues(const Tensor& tensor);

bool Calibrate(const fb::ModelT& model, const std::vector<Sample>& samples,
               bool histograms, bool progress, std::vector<TensorStats>* stats,
               convert::Diagnostics* diag);

// The clipping range [lo, hi] to quantize a tensor with, for `levels`
// quantization steps (255 for int8, 65535 for int16); symmetric ranges
// are centred on zero.
void ChooseRange(const TensorStats& stats, RangeMethod method,
                 double percentile, bool symmetric, int levels, float* lo,
                 float* hi);

constexpr int kHistogramBins = 2048;

}  // namespace ember::quantize
