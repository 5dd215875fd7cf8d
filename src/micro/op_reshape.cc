// RESHAPE: the model already holds the output's static shape; the op only
// checks that the byte counts agree. The planner lets the output share the
// input's memory (kMicroOpAliasInput0), so Eval copies only when it could
// not (e.g. a constant input).
#include <cstring>

#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

MicroStatus Prepare(MicroContext& ctx) {
  if (ctx.num_inputs() < 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("RESHAPE needs an input and 1 output"));
  }
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.type != out.type || in.bytes != out.bytes) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("RESHAPE input and output differ in "
                                     "type or size"),
                     out.index);
  }
  return MicroStatus::kOk;
}

MicroStatus Eval(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (out.data != in.data && in.bytes > 0)
    std::memmove(out.data, in.data, in.bytes);
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroReshape = {
    static_cast<int32_t>(fb::BuiltinOperator::RESHAPE), "RESHAPE", Prepare,
    Eval, kMicroOpAliasInput0};

}  // namespace ember::micro
