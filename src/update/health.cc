#include "update/health.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

#include "io/npy.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"

namespace ember::update {
namespace {

Status Failed(ErrorReporter& errors) {
  errors.Prefix("health check failed: ");
  return Status(StatusCode::kFailedPrecondition);
}

bool SameShape(const Shape& shape, const std::vector<int64_t>& dims) {
  if (shape.rank != static_cast<int32_t>(dims.size())) return false;
  for (int i = 0; i < shape.rank; ++i)
    if (shape.dims[i] != dims[static_cast<size_t>(i)]) return false;
  return true;
}

// Index of the first element outside the tolerance, or -1.
int64_t FirstMismatch(const Tensor& t, const NpyArray& expected,
                      double tolerance, double* got, double* want) {
  if (t.type == DataType::kFloat32) {
    const float* a = t.data_as<float>();
    const float* b = reinterpret_cast<const float*>(expected.data.data());
    const int64_t n = t.NumElements();
    for (int64_t i = 0; i < n; ++i) {
      const double d = std::fabs(double{a[i]} - double{b[i]});
      if (!(d <= tolerance)) {  // NaN fails too
        *got = a[i];
        *want = b[i];
        return i;
      }
    }
    return -1;
  }
  const uint8_t* a = static_cast<const uint8_t*>(t.data);
  for (size_t i = 0; i < t.bytes; ++i) {
    if (a[i] != expected.data[i]) {
      *got = a[i];
      *want = expected.data[i];
      return static_cast<int64_t>(i);  // byte index
    }
  }
  return -1;
}

}  // namespace

Status CheckHealth(const std::string& slot_dir, const Manifest& manifest,
                   const trust::TrustPolicy& policy, ErrorReporter& errors,
                   HealthReport* report) {
  *report = HealthReport();
  const std::string model_path = slot_dir + "/" + manifest.model.name;
  std::unique_ptr<Model> model;
  if (!Model::Load(model_path.c_str(), policy, errors, &model).ok())
    return Failed(errors);
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), InterpreterOptions(),
                           errors, &interp)
           .ok() ||
      !interp->AllocateTensors().ok()) {
    if (interp)
      errors.Report(StatusCode::kInvalidModel, "%s", interp->errors().message())
          .IgnoreError();
    return Failed(errors);
  }
  Subgraph& sg = interp->primary();
  for (size_t p = 0; p < manifest.probes.size(); ++p) {
    const Probe& probe = manifest.probes[p];
    if (probe.inputs.size() != sg.inputs().size() ||
        probe.outputs.size() != sg.outputs().size()) {
      errors
          .Report(StatusCode::kInvalidArgument,
                  "probe %zu has %zu inputs and %zu outputs; the model "
                  "has %zu and %zu",
                  p, probe.inputs.size(), probe.outputs.size(),
                  sg.inputs().size(), sg.outputs().size())
          .IgnoreError();
      return Failed(errors);
    }
    for (size_t i = 0; i < probe.inputs.size(); ++i) {
      NpyArray array;
      if (!ReadNpy(slot_dir + "/" + probe.inputs[i].name, &array, errors).ok())
        return Failed(errors);
      Tensor& t = sg.tensors()[static_cast<size_t>(sg.inputs()[i])];
      if (array.type != t.type || !SameShape(t.shape, array.shape) ||
          array.data.size() != t.bytes) {
        errors
            .Report(StatusCode::kInvalidArgument,
                    "probe %zu input %zu ('%s') does not match the "
                    "model's input '%s' (%s, %zu bytes)",
                    p, i, probe.inputs[i].name.c_str(), t.name,
                    DataTypeName(t.type), t.bytes)
            .IgnoreError();
        return Failed(errors);
      }
      if (t.bytes > 0) memcpy(t.data, array.data.data(), t.bytes);
    }
    const auto start = std::chrono::steady_clock::now();
    const Status invoked = interp->Invoke();
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    if (!invoked.ok()) {
      errors
          .Report(StatusCode::kInternal, "probe %zu: invoke failed: %s", p,
                  interp->errors().message())
          .IgnoreError();
      return Failed(errors);
    }
    report->max_latency_ms = std::max(report->max_latency_ms, ms);
    if (manifest.latency_budget_ms > 0 && ms > manifest.latency_budget_ms) {
      errors
          .Report(StatusCode::kFailedPrecondition,
                  "probe %zu took %.3f ms, over the latency budget of "
                  "%.3f ms",
                  p, ms, manifest.latency_budget_ms)
          .IgnoreError();
      return Failed(errors);
    }
    for (size_t o = 0; o < probe.outputs.size(); ++o) {
      NpyArray expected;
      if (!ReadNpy(slot_dir + "/" + probe.outputs[o].name, &expected, errors)
               .ok())
        return Failed(errors);
      const Tensor& t = sg.tensors()[static_cast<size_t>(sg.outputs()[o])];
      if (expected.type != t.type || expected.data.size() != t.bytes) {
        errors
            .Report(StatusCode::kInvalidArgument,
                    "probe %zu output %zu ('%s') does not match the "
                    "model's output '%s' (%s, %zu bytes)",
                    p, o, probe.outputs[o].name.c_str(), t.name,
                    DataTypeName(t.type), t.bytes)
            .IgnoreError();
        return Failed(errors);
      }
      double got = 0, want = 0;
      const int64_t bad =
          FirstMismatch(t, expected, probe.tolerance, &got, &want);
      if (bad >= 0) {
        errors
            .Report(StatusCode::kFailedPrecondition,
                    "probe %zu output '%s' element %lld is %g, expected %g "
                    "(tolerance %g)",
                    p, t.name, static_cast<long long>(bad), got, want,
                    probe.tolerance)
            .IgnoreError();
        return Failed(errors);
      }
    }
    ++report->probes_run;
  }
  return Status::Ok();
}

}  // namespace ember::update
