// EMBEDDING_LOOKUP: gathers rows of a table (input 1) by int32 ids (input 0).
// Same-type output copies rows; int8 table with float output dequantizes.
#include "kernels/ref/embedding_lookup.h"

#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct EmbeddingData {
  bool hybrid;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* ids = ctx.input(0);
  const Tensor* table = ctx.input(1);
  Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ids, "ids", DataType::kInt32));
  if (ids->shape.rank != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "ids must be 1-D, has rank %d",
                     ids->shape.rank);
  }
  if (table->shape.rank < 2) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "table must have rank >= 2, has %d", table->shape.rank);
  }
  auto* d = ctx.op_data<EmbeddingData>();
  d->hybrid = table->type != out->type;
  if (d->hybrid) {
    if (table->type != DataType::kInt8 || out->type != DataType::kFloat32) {
      return ctx.Error(StatusCode::kUnsupported,
                       "table type %s with output type %s is not supported",
                       DataTypeName(table->type), DataTypeName(out->type));
    }
    const QuantParams& q = table->quant;
    if (!q.quantized()) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "int8 table needs quantization parameters");
    }
    if (q.zero_point0() != 0) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "int8 table must be symmetric (zero point %d)",
                       q.zero_point0());
    }
    if (q.count > 1 &&
        (q.quantized_dimension != 0 || q.count != table->shape.dims[0])) {
      return ctx.Error(
          StatusCode::kInvalidModel,
          "per-row table scales must be along dim 0 with %d entries (have %d "
          "along dim %d)",
          table->shape.dims[0], q.count, q.quantized_dimension);
    }
  } else if (DataTypeSize(table->type) == 0) {
    return UnsupportedType(ctx, table, "table");
  }
  Shape s = table->shape;
  s.dims[0] = ids->shape.dims[0];
  return ctx.ResizeOutput(0, s);
}

Status Eval(OpContext& ctx) {
  const Tensor* ids = ctx.input(0);
  const Tensor* table = ctx.input(1);
  Tensor* out = ctx.output(0);
  const int64_t num_ids = ids->NumElements();
  const int64_t rows = table->shape.dims[0];
  const int64_t bad =
      ref::FindBadEmbeddingId(ids->data_as<int32_t>(), num_ids, rows);
  if (bad >= 0) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "id %d at position %lld is out of range [0, %lld)",
                     ids->data_as<int32_t>()[bad], static_cast<long long>(bad),
                     static_cast<long long>(rows));
  }
  if (rows == 0 || num_ids == 0) return Status::Ok();
  const int64_t row_size = table->NumElements() / rows;
  if (ctx.op_data<EmbeddingData>()->hybrid) {
    ref::EmbeddingLookupDequantize(
        ids->data_as<int32_t>(), num_ids, table->data_as<int8_t>(), row_size,
        table->quant.scale, table->quant.count, out->data_as<float>());
  } else {
    ref::EmbeddingLookupCopy(
        ids->data_as<int32_t>(), num_ids, table->data_as<uint8_t>(),
        BytesFor(table->type, row_size), out->data_as<uint8_t>());
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_EMBEDDING_LOOKUP() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::EMBEDDING_LOOKUP),
      "EMBEDDING_LOOKUP",
      sizeof(EmbeddingData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
