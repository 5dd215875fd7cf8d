#include "util/model_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"

namespace ember::testing {

ModelRun RunOneInputModel(const std::vector<uint8_t>& bytes,
                          const std::vector<uint8_t>& input, bool force_ref,
                          int threads) {
  ModelRun r;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  EXPECT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  if (!model) return r;
  InterpreterOptions options;
  options.force_reference_kernels = force_ref;
  options.num_threads = threads;
  options.split_small_work = true;
  std::unique_ptr<Interpreter> interp;
  EXPECT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                  errors, &interp)
                  .ok())
      << errors.message();
  if (!interp) return r;
  EXPECT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  r.variant = sg.nodes()[0].kernel_variant;
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  EXPECT_EQ(in.bytes, input.size());
  std::memcpy(in.data, input.data(), std::min(in.bytes, input.size()));
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  const auto* p = static_cast<const uint8_t*>(out.data);
  r.output.assign(p, p + out.bytes);
  return r;
}

}  // namespace ember::testing
