// IF: runs the then- or else-subgraph on inputs 1..N depending on the
// scalar condition (input 0; bool, or any numeric type: non-zero is true).
#include "ops/control_flow_util.h"

namespace ember::ops {
namespace {

constexpr int kMaxArgs = 64;

struct IfData {
  int32_t then_index, else_index;
  bool dynamic_outputs;
};

Status Prepare(OpContext& ctx) {
  if (ctx.num_inputs() < 1 || ctx.input(0) == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "the condition input is missing");
  }
  const auto* options = ctx.op()->builtin_options_as_IfOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "IfOptions are missing");
  }
  const Tensor* cond = ctx.input(0);
  if (cond->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "the condition must have one element, has %lld",
                     static_cast<long long>(cond->NumElements()));
  }
  if (DataTypeSize(cond->type) == 0 || cond->type == DataType::kComplex64 ||
      cond->type == DataType::kComplex128) {
    return UnsupportedType(ctx, cond, "condition");
  }
  const int n = ctx.num_inputs() - 1;
  if (n > kMaxArgs || ctx.num_outputs() > kMaxArgs) {
    return ctx.Error(StatusCode::kUnsupported, "more than %d inputs or outputs",
                     kMaxArgs);
  }
  Tensor* args[kMaxArgs];
  for (int i = 0; i < n; ++i) {
    args[i] = ctx.input(i + 1);
    if (args[i] == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "input %d is missing", i + 1);
    }
  }
  auto* d = ctx.op_data<IfData>();
  d->then_index = options->then_subgraph_index();
  d->else_index = options->else_subgraph_index();
  cf::SubgraphView branch[2];
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d->then_index, "then", &branch[0]));
  EMBER_RETURN_IF_ERROR(cf::View(ctx, d->else_index, "else", &branch[1]));
  const char* roles[2] = {"then", "else"};
  for (int b = 0; b < 2; ++b) {
    EMBER_RETURN_IF_ERROR(cf::PrepareCallee(ctx, branch[b], roles[b], args, n));
    if (branch[b].num_outputs != ctx.num_outputs()) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "%s subgraph %d has %d outputs, the op has %d", roles[b],
                       branch[b].index, branch[b].num_outputs,
                       ctx.num_outputs());
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) {
      if (branch[b].output(i)->type != ctx.output(i)->type) {
        return ctx.Error(
            StatusCode::kInvalidModel,
            "%s subgraph output %d has type %s, the op's output is %s",
            roles[b], i, DataTypeName(branch[b].output(i)->type),
            DataTypeName(ctx.output(i)->type));
      }
    }
  }
  // Static outputs when both branches agree on every output shape.
  d->dynamic_outputs = false;
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    const Tensor* a = branch[0].output(i);
    const Tensor* b = branch[1].output(i);
    if (a->allocation == Allocation::kDynamic ||
        b->allocation == Allocation::kDynamic || a->shape != b->shape)
      d->dynamic_outputs = true;
  }
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    if (d->dynamic_outputs) {
      ctx.SetOutputDynamic(i);
    } else {
      EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(i, branch[0].output(i)->shape));
    }
  }
  return Status::Ok();
}

bool Truthy(const Tensor* t) {
  switch (t->type) {
    case DataType::kFloat32:
      return t->data_as<float>()[0] != 0.0f;
    case DataType::kFloat64:
      return t->data_as<double>()[0] != 0.0;
    default: {
      const auto* p = t->data_as<uint8_t>();
      for (size_t k = 0; k < DataTypeSize(t->type); ++k)
        if (p[k] != 0) return true;
      return false;
    }
  }
}

Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<IfData>();
  const bool take_then = Truthy(ctx.input(0));
  cf::SubgraphView sg;
  EMBER_RETURN_IF_ERROR(cf::View(ctx, take_then ? d.then_index : d.else_index,
                                 take_then ? "then" : "else", &sg));
  Tensor* args[kMaxArgs];
  const int n = ctx.num_inputs() - 1;
  for (int i = 0; i < n; ++i) args[i] = ctx.input(i + 1);
  // Re-plans only if another user of the branch resized it since Prepare.
  EMBER_RETURN_IF_ERROR(
      cf::PrepareCallee(ctx, sg, take_then ? "then" : "else", args, n));
  for (int i = 0; i < n; ++i)
    EMBER_RETURN_IF_ERROR(cf::Copy(ctx, sg.input(i), args[i]));
  EMBER_RETURN_IF_ERROR(ctx.host()->InvokeSubgraph(sg.index));
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    const Tensor* src = sg.output(i);
    if (d.dynamic_outputs)
      EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(i, src->shape));
    EMBER_RETURN_IF_ERROR(cf::Copy(ctx, ctx.output(i), src));
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_IF() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::IF),
      "IF",
      sizeof(IfData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
