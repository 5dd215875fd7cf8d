// CALL_ONCE: invokes the init subgraph (no inputs, no outputs; typically
// initialises resource variables) on the first invoke only.
#include "ops/control_flow_util.h"

namespace ember::ops {
namespace {

struct CallOnceData {
  int32_t init_index;
  bool done;
};

Status Prepare(OpContext& ctx) {
  if (ctx.num_inputs() != 0 || ctx.num_outputs() != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "takes no inputs or outputs, has %d and %d",
                     ctx.num_inputs(), ctx.num_outputs());
  }
  const auto* options = ctx.op()->builtin_options_as_CallOnceOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "CallOnceOptions are missing");
  }
  auto* d = ctx.op_data<CallOnceData>();
  d->init_index = options->init_subgraph_index();
  cf::SubgraphView init;
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d->init_index, "init", &init));
  if (init.num_inputs != 0 || init.num_outputs != 0) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "init subgraph %d must have no inputs or outputs (has %d, %d)",
        init.index, init.num_inputs, init.num_outputs);
  }
  if (d->done) return Status::Ok();
  return ctx.host()->AllocateSubgraph(d->init_index);
}

Status Eval(OpContext& ctx) {
  auto* d = ctx.op_data<CallOnceData>();
  if (d->done) return Status::Ok();
  EMBER_RETURN_IF_ERROR(ctx.host()->InvokeSubgraph(d->init_index));
  d->done = true;
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_CALL_ONCE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::CALL_ONCE),
      "CALL_ONCE",
      sizeof(CallOnceData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
