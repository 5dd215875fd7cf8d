// ember.hpp with EMBER_CPP_EXCEPTIONS: value() on an error and
// Status::ThrowIfError() throw ember::api::Error. (The wrappers used
// without the macro, in capi_test.cc, live in a different inline namespace,
// so both modes coexist in one program.)
#define EMBER_CPP_EXCEPTIONS
#include <gtest/gtest.h>

#include <vector>

#include "ember/ember.hpp"
#include "util/model_builder.h"

namespace ember {
namespace {

std::vector<uint8_t> AddModel() {
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2}, "x");
  const int y = b.AddTensor(testing::kF32, {2}, "y");
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::AddOptionsT());
  b.AddOp(fb::BuiltinOperator::ADD, {x, x}, {y}, std::move(opts));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(CppApiExceptions, ValueOnErrorThrows) {
  const char junk[] = "not a model at all";
  auto model = api::Model::FromBuffer(junk, sizeof(junk));
  ASSERT_FALSE(model.ok());
  try {
    (void)model.value();
    FAIL() << "value() did not throw";
  } catch (const api::Error& e) {
    EXPECT_EQ(e.status().code(), EMBER_STATUS_INVALID_MODEL);
    EXPECT_NE(std::string(e.what()).find("invalid model"), std::string::npos);
  }
}

TEST(CppApiExceptions, ThrowIfErrorAndHappyPath) {
  const auto bytes = AddModel();
  api::Model model = api::Model::FromBuffer(bytes.data(), bytes.size()).value();
  api::Interpreter interp = api::Interpreter::Create(model).value();
  EXPECT_THROW(interp.Invoke().ThrowIfError(), api::Error);
  interp.AllocateTensors().ThrowIfError();
  interp.input(0).CopyFrom(std::vector<float>{1.5f, -2.f}).ThrowIfError();
  interp.Invoke().ThrowIfError();
  EXPECT_EQ(interp.output(0).ToVector<float>().value(),
            (std::vector<float>{3.f, -4.f}));
  EXPECT_THROW(interp.output(0).ToVector<int8_t>().value(), api::Error);
  EXPECT_NO_THROW(api::Status::Ok().ThrowIfError());
}

}  // namespace
}  // namespace ember
