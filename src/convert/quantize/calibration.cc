#include "convert/quantize/calibration.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "runtime/op_resolver.h"

namespace ember::quantize {

std::vector<double> TensorStats::ChannelMean() const {
  std::vector<double> mean(channel_sum.size(), 0.0);
  if (channel_count == 0) return mean;
  for (size_t c = 0; c < mean.size(); ++c)
    mean[c] = channel_sum[c] / static_cast<double>(channel_count);
  return mean;
}

bool ModelRunner::Init(std::vector<uint8_t> bytes, convert::Diagnostics* diag) {
  bytes_ = std::move(bytes);
  ErrorReporter errors;
  InterpreterOptions options;
  options.preserve_all_tensors = true;
  if (!Model::FromBuffer(bytes_.data(), bytes_.size(), false, errors, &model_)
           .ok() ||
      !Interpreter::Create(*model_, OpResolver::Builtins(), options, errors,
                           &interp_)
           .ok()) {
    diag->errors.push_back(
        std::string("cannot run the model for calibration: ") +
        errors.message());
    return false;
  }
  return true;
}

bool ModelRunner::Run(const Sample& sample,
                      const std::function<void(int32_t, const Tensor&)>& visit,
                      convert::Diagnostics* diag) {
  Subgraph& sg = interp_->primary();
  if (sample.size() != sg.inputs().size()) {
    diag->errors.push_back("calibration sample has " +
                           std::to_string(sample.size()) +
                           " arrays, the model has " +
                           std::to_string(sg.inputs().size()) + " inputs");
    return false;
  }
  for (size_t k = 0; k < sample.size(); ++k) {
    Shape shape;
    shape.rank = static_cast<int32_t>(sample[k].shape.size());
    for (int d = 0; d < shape.rank && d < kMaxRank; ++d)
      shape.dims[d] = static_cast<int32_t>(sample[k].shape[d]);
    if (sg.tensors()[sg.inputs()[k]].shape != shape &&
        !interp_->ResizeInput(static_cast<int>(k), shape).ok()) {
      diag->errors.push_back("calibration input " + std::to_string(k) + ": " +
                             interp_->errors().message());
      return false;
    }
  }
  if (!interp_->AllocateTensors().ok()) {
    diag->errors.push_back(std::string("calibration: ") +
                           interp_->errors().message());
    return false;
  }
  for (size_t k = 0; k < sample.size(); ++k) {
    Tensor& t = sg.tensors()[sg.inputs()[k]];
    if (t.bytes != sample[k].data.size()) {
      diag->errors.push_back("calibration input " + std::to_string(k) +
                             ": size does not match the model input");
      return false;
    }
    if (t.bytes > 0) memcpy(t.data, sample[k].data.data(), t.bytes);
  }
  if (!interp_->Invoke().ok()) {
    diag->errors.push_back(std::string("calibration: ") +
                           interp_->errors().message());
    return false;
  }
  for (size_t i = 0; i < sg.tensors().size(); ++i) {
    const Tensor& t = sg.tensors()[i];
    if (t.is_constant() || t.data == nullptr) continue;
    visit(static_cast<int32_t>(i), t);
  }
  return true;
}

std::vector<float> DequantizedValues(const Tensor& t) {
  const int64_t n = t.NumElements();
  std::vector<float> out;
  if (t.type == DataType::kFloat32) {
    out.assign(t.data_as<float>(), t.data_as<float>() + n);
  } else if (t.type == DataType::kInt8 || t.type == DataType::kInt16) {
    const float scale = t.quant.scale0();
    const int32_t zp = t.quant.zero_point0();
    out.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t q = t.type == DataType::kInt8 ? t.data_as<int8_t>()[i]
                                                  : t.data_as<int16_t>()[i];
      out[i] = scale * static_cast<float>(q - zp);
    }
  }
  return out;
}

namespace {

void Progress(bool on, const char* what, size_t done, size_t total) {
  if (!on) return;
  const int width = 30;
  const int filled = total ? static_cast<int>(width * done / total) : width;
  std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu", what, filled,
               "##############################", width - filled, "", done,
               total);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

bool Calibrate(const fb::ModelT& model, const std::vector<Sample>& samples,
               bool histograms, bool progress, std::vector<TensorStats>* stats,
               convert::Diagnostics* diag) {
  ModelRunner runner;
  if (!runner.Init(convert::SerializeTflite(model), diag)) return false;
  stats->assign(model.subgraphs[0]->tensors.size(), TensorStats{});
  const size_t total = samples.size() * (histograms ? 2 : 1);
  size_t done = 0;
  // Pass 1: ranges and channel means.
  for (const Sample& sample : samples) {
    const bool ok = runner.Run(
        sample,
        [&](int32_t index, const Tensor& t) {
          if (t.type != DataType::kFloat32 ||
              index >= static_cast<int32_t>(stats->size()))
            return;
          TensorStats& s = (*stats)[index];
          const float* v = t.data_as<float>();
          const int64_t n = t.NumElements();
          if (n == 0) return;
          const int64_t channels =
              t.shape.rank > 0 ? std::max(1, t.shape.dims[t.shape.rank - 1])
                               : 1;
          if (!s.seen) {
            s.seen = true;
            s.min = s.max = v[0];
            s.channel_sum.assign(channels, 0.0);
          }
          const bool per_channel =
              static_cast<int64_t>(s.channel_sum.size()) == channels;
          for (int64_t i = 0; i < n; ++i) {
            if (std::isnan(v[i])) continue;
            s.min = std::min(s.min, v[i]);
            s.max = std::max(s.max, v[i]);
            if (per_channel) s.channel_sum[i % channels] += v[i];
          }
          if (per_channel) s.channel_count += n / channels;
        },
        diag);
    if (!ok) return false;
    Progress(progress, "calibrating", ++done, total);
  }
  if (!histograms) return true;
  for (TensorStats& s : *stats)
    if (s.seen) s.histogram.assign(kHistogramBins, 0.0);
  // Pass 2: histograms over the ranges found.
  for (const Sample& sample : samples) {
    const bool ok = runner.Run(
        sample,
        [&](int32_t index, const Tensor& t) {
          if (t.type != DataType::kFloat32 ||
              index >= static_cast<int32_t>(stats->size()))
            return;
          TensorStats& s = (*stats)[index];
          if (!s.seen || s.max <= s.min) return;
          const float* v = t.data_as<float>();
          const double width =
              (static_cast<double>(s.max) - s.min) / kHistogramBins;
          for (int64_t i = 0; i < t.NumElements(); ++i) {
            if (std::isnan(v[i])) continue;
            int bin = static_cast<int>((v[i] - s.min) / width);
            bin = std::clamp(bin, 0, kHistogramBins - 1);
            s.histogram[bin] += 1.0;
          }
        },
        diag);
    if (!ok) return false;
    Progress(progress, "calibrating", ++done, total);
  }
  return true;
}

namespace {

// Expected squared error of quantizing the histogrammed values with the
// clipping range [lo, hi] and `levels` steps (bin centres stand in for the
// values of each bin).
double RangeMse(const TensorStats& s, double lo, double hi, int levels) {
  const double scale = (hi - lo) / levels;
  if (scale <= 0) return 1e300;
  const double width =
      (static_cast<double>(s.max) - s.min) / s.histogram.size();
  double error = 0.0;
  for (size_t b = 0; b < s.histogram.size(); ++b) {
    if (s.histogram[b] == 0) continue;
    const double x = s.min + (b + 0.5) * width;
    const double q = std::clamp(std::round((x - lo) / scale), 0.0,
                                static_cast<double>(levels));
    const double d = x - (lo + q * scale);
    error += s.histogram[b] * d * d;
  }
  return error;
}

double HistogramQuantile(const TensorStats& s, double fraction) {
  double total = 0;
  for (double c : s.histogram) total += c;
  const double target = fraction * total;
  const double width =
      (static_cast<double>(s.max) - s.min) / s.histogram.size();
  double acc = 0;
  for (size_t b = 0; b < s.histogram.size(); ++b) {
    if (acc + s.histogram[b] >= target) {
      const double within =
          s.histogram[b] > 0 ? (target - acc) / s.histogram[b] : 0;
      return s.min + (b + within) * width;
    }
    acc += s.histogram[b];
  }
  return s.max;
}

}  // namespace

void ChooseRange(const TensorStats& s, RangeMethod method, double percentile,
                 bool symmetric, int levels, float* lo_out, float* hi_out) {
  double lo = s.min, hi = s.max;
  const bool have_histogram = !s.histogram.empty() && s.max > s.min;
  if (method == RangeMethod::kPercentile && have_histogram) {
    lo = HistogramQuantile(s, 1.0 - percentile / 100.0);
    hi = HistogramQuantile(s, percentile / 100.0);
  } else if (method == RangeMethod::kMse && have_histogram) {
    // Shrink each end independently in 2% steps (down to 20% of the raw
    // range) and keep the pair with the least expected error; min/max is
    // one of the candidates, so MSE never does worse on this histogram.
    const double full_lo = std::min<double>(s.min, 0.0);
    const double full_hi = std::max<double>(s.max, 0.0);
    double best = 1e300;
    for (int i = 0; i <= 40; ++i) {
      for (int j = 0; j <= 40; ++j) {
        double a = full_lo * (1.0 - 0.02 * i), b = full_hi * (1.0 - 0.02 * j);
        if (symmetric) {
          if (i != j) continue;
          const double m = std::max(-a, b);
          a = -m;
          b = m;
        }
        const double e =
            RangeMse(s, std::min(a, 0.0), std::max(b, 0.0), levels);
        if (e < best) {
          best = e;
          lo = a;
          hi = b;
        }
      }
    }
  }
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (symmetric) {
    const double m = std::max(-lo, hi);
    lo = -m;
    hi = m;
  }
  *lo_out = static_cast<float>(lo);
  *hi_out = static_cast<float>(hi);
}

}  // namespace ember::quantize
