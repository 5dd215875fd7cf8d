// Helpers for the control-flow ops (WHILE, IF, CALL_ONCE): access to another
// subgraph's inputs/outputs through OpHost, shape/type matching, copies.
// Heap-free.
#pragma once

#include <cstring>

#include "ops/op_util.h"

namespace ember::ops::cf {

struct SubgraphView {
  int32_t index = -1;
  Tensor* tensors = nullptr;
  const int32_t* inputs = nullptr;
  int32_t num_inputs = 0;
  const int32_t* outputs = nullptr;
  int32_t num_outputs = 0;
  Tensor* input(int i) const { return &tensors[inputs[i]]; }
  Tensor* output(int i) const { return &tensors[outputs[i]]; }
};

inline Status View(OpContext& ctx, int32_t index, const char* role,
                   SubgraphView* view) {
  if (index < 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s subgraph index %d is invalid", role, index);
  }
  view->index = index;
  Status s = ctx.host()->SubgraphIo(index, &view->tensors, &view->inputs,
                                    &view->num_inputs, &view->outputs,
                                    &view->num_outputs);
  if (!s.ok()) {
    return ctx.Error(StatusCode::kInvalidModel, "%s subgraph %d does not exist",
                     role, index);
  }
  return Status::Ok();
}

// Resizes the callee's inputs to `shapes` (types must match) and plans it.
inline Status PrepareCallee(OpContext& ctx, const SubgraphView& sg,
                            const char* role, Tensor* const* args, int count) {
  if (sg.num_inputs != count) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s subgraph %d takes %d inputs, the op passes %d", role,
                     sg.index, sg.num_inputs, count);
  }
  for (int i = 0; i < count; ++i) {
    const Tensor* in = sg.input(i);
    if (in->type != args[i]->type) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "%s subgraph %d input %d has type %s, the op passes %s",
                       role, sg.index, i, DataTypeName(in->type),
                       DataTypeName(args[i]->type));
    }
    if (in->shape != args[i]->shape) {
      Status s = ctx.host()->ResizeSubgraphInput(sg.index, i, args[i]->shape);
      if (!s.ok()) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "cannot resize %s subgraph %d input %d", role,
                         sg.index, i);
      }
    }
  }
  return ctx.host()->AllocateSubgraph(sg.index);
}

// Copies the bytes of `src` into `dst` (same type, same byte size).
inline Status Copy(OpContext& ctx, Tensor* dst, const Tensor* src) {
  if (dst->bytes != src->bytes || dst->type != src->type) {
    return ctx.Error(StatusCode::kInternal,
                     "cannot copy %s[%zu bytes] into %s[%zu bytes]",
                     DataTypeName(src->type), src->bytes,
                     DataTypeName(dst->type), dst->bytes);
  }
  if (dst->data != src->data && src->bytes > 0)
    memcpy(dst->data, src->data, src->bytes);
  return Status::Ok();
}

}  // namespace ember::ops::cf
