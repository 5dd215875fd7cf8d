// WHILE: loop variables (inputs == outputs, pairwise) go through the body
// subgraph while the cond subgraph returns true. The body may change a
// variable's shape; the outputs are then dynamic and the subgraphs are
// re-planned for the new shapes on the next iteration.
#include "ops/control_flow_util.h"

namespace ember::ops {
namespace {

constexpr int kMaxArgs = 64;

struct WhileData {
  int32_t cond_index, body_index;
  bool dynamic_outputs;
};

Status CheckCondOutput(OpContext& ctx, const cf::SubgraphView& cond) {
  if (cond.num_outputs != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "cond subgraph %d must have one output, has %d",
                     cond.index, cond.num_outputs);
  }
  const Tensor* out = cond.output(0);
  if (out->type != DataType::kBool) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "cond subgraph %d output has type %s, expected BOOL",
                     cond.index, DataTypeName(out->type));
  }
  if (out->allocation != Allocation::kDynamic && out->NumElements() != 1) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "cond subgraph %d output must be a single bool, has %lld elements",
        cond.index, static_cast<long long>(out->NumElements()));
  }
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  const auto* options = ctx.op()->builtin_options_as_WhileOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "WhileOptions are missing");
  }
  const int n = ctx.num_inputs();
  if (n != ctx.num_outputs()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "has %d inputs but %d outputs (loop variables pair up)", n,
                     ctx.num_outputs());
  }
  if (n > kMaxArgs) {
    return ctx.Error(StatusCode::kUnsupported, "more than %d loop variables",
                     kMaxArgs);
  }
  Tensor* args[kMaxArgs];
  for (int i = 0; i < n; ++i) {
    args[i] = ctx.input(i);
    if (args[i] == nullptr || ctx.output(i) == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "loop variable %d is missing",
                       i);
    }
    if (args[i]->type != ctx.output(i)->type) {
      return ctx.Error(
          StatusCode::kInvalidModel, "loop variable %d is %s in but %s out", i,
          DataTypeName(args[i]->type), DataTypeName(ctx.output(i)->type));
    }
  }
  auto* d = ctx.op_data<WhileData>();
  d->cond_index = options->cond_subgraph_index();
  d->body_index = options->body_subgraph_index();
  cf::SubgraphView cond, body;
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d->cond_index, "cond", &cond));
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d->body_index, "body", &body));
  EMBER_RETURN_IF_ERROR(cf::PrepareCallee(ctx, cond, "cond", args, n));
  EMBER_RETURN_IF_ERROR(CheckCondOutput(ctx, cond));
  EMBER_RETURN_IF_ERROR(cf::PrepareCallee(ctx, body, "body", args, n));
  if (body.num_outputs != n) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "body subgraph %d has %d outputs for %d loop variables",
                     body.index, body.num_outputs, n);
  }
  d->dynamic_outputs = false;
  for (int i = 0; i < n; ++i) {
    const Tensor* out = body.output(i);
    if (out->type != args[i]->type) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "body output %d has type %s, loop variable is %s", i,
                       DataTypeName(out->type), DataTypeName(args[i]->type));
    }
    if (out->allocation == Allocation::kDynamic || out->shape != args[i]->shape)
      d->dynamic_outputs = true;
  }
  for (int i = 0; i < n; ++i) {
    if (d->dynamic_outputs) {
      ctx.SetOutputDynamic(i);
    } else {
      EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(i, args[i]->shape));
    }
  }
  return Status::Ok();
}

Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<WhileData>();
  const int n = ctx.num_inputs();
  cf::SubgraphView cond, body;
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d.cond_index, "cond", &cond));
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d.body_index, "body", &body));
  // The loop state lives in the op's outputs between iterations.
  Tensor* state[kMaxArgs];
  for (int i = 0; i < n; ++i) {
    state[i] = ctx.output(i);
    if (d.dynamic_outputs)
      EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(i, ctx.input(i)->shape));
    EMBER_RETURN_IF_ERROR(cf::Copy(ctx, state[i], ctx.input(i)));
  }
  for (;;) {
    EMBER_RETURN_IF_ERROR(cf::PrepareCallee(ctx, cond, "cond", state, n));
    for (int i = 0; i < n; ++i)
      EMBER_RETURN_IF_ERROR(cf::Copy(ctx, cond.input(i), state[i]));
    EMBER_RETURN_IF_ERROR(ctx.host()->InvokeSubgraph(cond.index));
    const Tensor* c = cond.output(0);
    if (c->type != DataType::kBool || c->NumElements() != 1) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "cond subgraph produced %lld values, expected one bool",
                       static_cast<long long>(c->NumElements()));
    }
    if (!c->data_as<bool>()[0]) break;
    EMBER_RETURN_IF_ERROR(cf::PrepareCallee(ctx, body, "body", state, n));
    for (int i = 0; i < n; ++i)
      EMBER_RETURN_IF_ERROR(cf::Copy(ctx, body.input(i), state[i]));
    EMBER_RETURN_IF_ERROR(ctx.host()->InvokeSubgraph(body.index));
    for (int i = 0; i < n; ++i) {
      const Tensor* out = body.output(i);
      if (out->shape != state[i]->shape) {
        if (!d.dynamic_outputs) {
          return ctx.Error(StatusCode::kInternal,
                           "body changed loop variable %d's shape unexpectedly",
                           i);
        }
        EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(i, out->shape));
      }
      EMBER_RETURN_IF_ERROR(cf::Copy(ctx, state[i], out));
    }
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_WHILE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::WHILE),
      "WHILE",
      sizeof(WhileData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
