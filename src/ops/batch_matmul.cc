// BATCH_MATMUL: float, int8 (int8 or int32 output), int16, hybrid float x
// int8 -> float; adj_x / adj_y; operands of rank 2..5 with broadcast batch
// dims.
#include "kernels/ref/batch_matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/drivers/conv_f32.h"
#include "kernels/drivers/fast_ops.h"
#include "ops/fast_path.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct BatchMatMulData {
  ref::BatchMatMulParams params;
  // Hybrid (float x int8): scratch for the quantized lhs rows.
  bool hybrid;
  bool asymmetric;
  int64_t lhs_matrices;
  int q_scratch, scale_scratch, offset_scratch;
  // x86 fp32 fast path: constant rhs (every batch matrix) packed once for
  // the GEMM kernels, lhs not transposed. packed == nullptr: reference.
  x86::GemmF32Kernel gemm;
  const float* packed;
  int64_t packed_floats;  // per rhs matrix
  // fp32 fast path for a runtime rhs (attention's Q*K^T and P*V) or adj_x:
  // each worker packs the rhs matrix of its batch (and transposes lhs for
  // adj_x) into its own scratch slot of slot_floats, then runs the GEMM.
  bool runtime_gemm;
  int slots;
  int slot_scratch;
  int64_t slot_floats;
  // int8 x int8 (int8 or int32 output) fast path: operands widened to int16
  // per call into s8_scratch (kernels/drivers/batch_matmul_s8.h).
  bool s8_fast;
  const x86::S8MatMulKernel* s8_kernel;
  x86::S8MatMulShape s8_shape;
  int s8_scratch;
};

// Packs one rhs matrix into the GEMM panel layout (gemm_f32.h): panel p
// holds NR zero "bias" values, then for each k the NR weights of columns
// [p * NR, p * NR + NR), zero past n. rhs is [k][n], or [n][k] with adj_y.
void PackRhs(const float* rhs, bool adj_y, int32_t k, int32_t n, int32_t nr,
             float* out) {
  for (int32_t p0 = 0; p0 < n; p0 += nr) {
    for (int32_t j = 0; j < nr; ++j) *out++ = 0.0f;
    const int32_t cols = std::min(nr, n - p0);
    if (!adj_y) {
      // Row kk of the panel is a contiguous run of rhs row kk.
      for (int32_t kk = 0; kk < k; ++kk) {
        std::memcpy(out, rhs + static_cast<int64_t>(kk) * n + p0,
                    sizeof(float) * static_cast<size_t>(cols));
        for (int32_t j = cols; j < nr; ++j) out[j] = 0.0f;
        out += nr;
      }
      continue;
    }
    for (int32_t kk = 0; kk < k; ++kk) {
      for (int32_t j = 0; j < nr; ++j) {
        const int32_t col = p0 + j;
        *out++ = col >= n ? 0.0f
                 : adj_y  ? rhs[static_cast<int64_t>(col) * k + kk]
                          : rhs[static_cast<int64_t>(kk) * n + col];
      }
    }
  }
}

// Chooses and prepares the GEMM path (fp32, constant rhs, no adj_x).
Status PrepareFastGemm(OpContext& ctx, BatchMatMulData* d) {
  d->packed = nullptr;
  const Tensor* lhs = ctx.input(0);
  const Tensor* rhs = ctx.input(1);
  const auto& p = d->params;
  if (lhs->type != DataType::kFloat32 || rhs->type != DataType::kFloat32 ||
      p.adj_x || !rhs->is_constant() || p.m == 0 || p.n == 0 || p.k == 0)
    return Status::Ok();
  const x86::GemmF32Kernel* fast = FastGemmF32(ctx);
  if (fast == nullptr) return Status::Ok();
  const x86::GemmF32Kernel& kern = *fast;
  int64_t rhs_matrices = 1;
  for (int i = 0; i < rhs->shape.rank - 2; ++i)
    rhs_matrices *= rhs->shape.dims[i];
  if (rhs_matrices == 0) return Status::Ok();
  const size_t bytes = x86::PackedGemmWeightsBytes(p.n, p.k, kern.nr);
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistent(bytes * static_cast<size_t>(rhs_matrices), &mem));
  float* packed = static_cast<float*>(mem);
  d->packed_floats = static_cast<int64_t>(bytes / sizeof(float));
  const int64_t rhs_mat = static_cast<int64_t>(p.k) * p.n;
  for (int64_t i = 0; i < rhs_matrices; ++i) {
    PackRhs(rhs->data_as<float>() + i * rhs_mat, p.adj_y, p.k, p.n, kern.nr,
            packed + i * d->packed_floats);
  }
  d->gemm = kern;
  d->packed = packed;
  ctx.SetKernelVariant(kern.label);
  return Status::Ok();
}

// Chooses the runtime-rhs GEMM path (fp32, rhs not constant or adj_x set):
// the packing is O(k * n) per batch against O(m * k * n) of multiplying.
Status PrepareRuntimeGemm(OpContext& ctx, BatchMatMulData* d) {
  d->runtime_gemm = false;
  const Tensor* lhs = ctx.input(0);
  const Tensor* rhs = ctx.input(1);
  const auto& p = d->params;
  if (d->packed != nullptr || lhs->type != DataType::kFloat32 ||
      rhs->type != DataType::kFloat32 || p.m == 0 || p.n == 0 || p.k == 0)
    return Status::Ok();
  const x86::GemmF32Kernel* fast = FastGemmF32(ctx);
  if (fast == nullptr) return Status::Ok();
  d->gemm = *fast;
  d->packed_floats = static_cast<int64_t>(
      x86::PackedGemmWeightsBytes(p.n, p.k, fast->nr) / sizeof(float));
  const int64_t lhs_floats =
      p.adj_x ? static_cast<int64_t>(p.m) * p.k : int64_t{0};
  // Whole cache lines per slot (the scratch itself is 64-byte aligned).
  d->slot_floats = (d->packed_floats + lhs_floats + 15) / 16 * 16;
  d->slots = std::max(1, ctx.num_threads());
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(float) * static_cast<size_t>(d->slot_floats) * d->slots,
      &d->slot_scratch));
  d->runtime_gemm = true;
  ctx.SetKernelVariant(fast->label);
  return Status::Ok();
}

Status PrepareS8(OpContext& ctx, BatchMatMulData* d) {
  d->s8_fast = false;
  const Tensor* lhs = ctx.input(0);
  const Tensor* rhs = ctx.input(1);
  const auto& p = d->params;
  if (lhs->type != DataType::kInt8 || rhs->type != DataType::kInt8 ||
      p.m == 0 || p.n == 0 || p.k == 0)
    return Status::Ok();
  const x86::S8MatMulKernel* kern = x86::SelectS8MatMul(ctx.allowed_isas());
  if (kern == nullptr) return Status::Ok();
  d->s8_shape.lhs_matrices = 1;
  for (int i = 0; i < lhs->shape.rank - 2; ++i)
    d->s8_shape.lhs_matrices *= lhs->shape.dims[i];
  d->s8_shape.rhs_matrices = 1;
  for (int i = 0; i < rhs->shape.rank - 2; ++i)
    d->s8_shape.rhs_matrices *= rhs->shape.dims[i];
  if (d->s8_shape.lhs_matrices == 0 || d->s8_shape.rhs_matrices == 0)
    return Status::Ok();
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      x86::S8BatchMatMulScratchBytes(p, d->s8_shape), &d->s8_scratch));
  d->s8_fast = true;
  d->s8_kernel = kern;
  ctx.SetKernelVariant(kern->label);
  return Status::Ok();
}

// Element offsets (in matrices) of output batch b's lhs and rhs.
void BatchBases(const ref::BatchMatMulParams& p, int64_t b, int64_t* lhs_base,
                int64_t* rhs_base) {
  *lhs_base = 0;
  *rhs_base = 0;
  for (int i = p.batch_rank - 1; i >= 0; --i) {
    const int64_t idx = b % p.batch_dims[i];
    b /= p.batch_dims[i];
    *lhs_base += idx * p.lhs_batch_stride[i];
    *rhs_base += idx * p.rhs_batch_stride[i];
  }
}

void EvalRuntimeGemm(OpContext& ctx, const BatchMatMulData& d) {
  const auto& p = d.params;
  const float* lhs = ctx.input(0)->data_as<float>();
  const float* rhs = ctx.input(1)->data_as<float>();
  float* out = ctx.output(0)->data_as<float>();
  float* scratch = static_cast<float*>(ctx.scratch(d.slot_scratch));
  int64_t batches = 1;
  for (int i = 0; i < p.batch_rank; ++i) batches *= p.batch_dims[i];
  const int64_t lhs_mat = static_cast<int64_t>(p.m) * p.k;
  const int64_t rhs_mat = static_cast<int64_t>(p.k) * p.n;
  const int64_t out_mat = static_cast<int64_t>(p.m) * p.n;
  const int32_t panels = x86::GemmPanels(p.n, d.gemm.nr);
  // Prepares batch b's operands in `slot` (repacking rhs only when it
  // differs from the slot's last one) and fills the GEMM arguments.
  auto setup = [&](int64_t b, int slot, int64_t* packed_rhs,
                   x86::GemmF32Args* g) {
    float* mem = scratch + slot * d.slot_floats;
    int64_t lb = 0, rb = 0;
    BatchBases(p, b, &lb, &rb);
    if (*packed_rhs != rb) {
      PackRhs(rhs + rb * rhs_mat, p.adj_y, p.k, p.n, d.gemm.nr, mem);
      *packed_rhs = rb;
    }
    const float* a = lhs + lb * lhs_mat;
    if (p.adj_x) {
      // Stored [k][m]: transpose to rows of k.
      float* t = mem + d.packed_floats;
      for (int32_t kk = 0; kk < p.k; ++kk)
        for (int32_t i = 0; i < p.m; ++i)
          t[static_cast<int64_t>(i) * p.k + kk] =
              a[static_cast<int64_t>(kk) * p.m + i];
      a = t;
    }
    g->m = p.m;
    g->n = p.n;
    g->k = p.k;
    g->a = a;
    g->lda = p.k;
    g->packed = mem;
    g->c = out + b * out_mat;
    g->ldc = p.n;
    g->lo = -INFINITY;
    g->hi = INFINITY;
  };
  ThreadPool* pool = ctx.thread_pool();
  const int threads = pool ? std::min(pool->num_threads(), d.slots) : 1;
  if (threads > 1 && batches >= threads) {
    // Whole batches per worker: no packing is shared between threads.
    x86::ParallelTasks(pool, batches, threads,
                       [&](int64_t b0, int64_t b1, int slot) {
                         int64_t packed_rhs = -1;
                         for (int64_t b = b0; b < b1; ++b) {
                           x86::GemmF32Args g;
                           setup(b, slot, &packed_rhs, &g);
                           d.gemm.fn(g, 0, g.m, 0, panels);
                         }
                       });
    return;
  }
  // Fewer batches than threads: split each GEMM's rows or panels instead.
  int64_t packed_rhs = -1;
  for (int64_t b = 0; b < batches; ++b) {
    x86::GemmF32Args g;
    setup(b, 0, &packed_rhs, &g);
    x86::RunGemmF32(pool, d.gemm, g);
  }
}

// out[b] = lhs[b] * rhs[b] per output batch, each a GEMM on the packed rhs.
void EvalFastGemm(OpContext& ctx, const BatchMatMulData& d) {
  const auto& p = d.params;
  const float* lhs = ctx.input(0)->data_as<float>();
  float* out = ctx.output(0)->data_as<float>();
  int64_t batches = 1;
  for (int i = 0; i < p.batch_rank; ++i) batches *= p.batch_dims[i];
  int32_t idx[kMaxRank] = {};
  const int64_t lhs_mat = static_cast<int64_t>(p.m) * p.k;
  const int64_t out_mat = static_cast<int64_t>(p.m) * p.n;
  for (int64_t b = 0; b < batches; ++b) {
    int64_t lhs_base = 0, rhs_base = 0;
    for (int i = 0; i < p.batch_rank; ++i) {
      lhs_base += idx[i] * p.lhs_batch_stride[i];
      rhs_base += idx[i] * p.rhs_batch_stride[i];
    }
    x86::GemmF32Args g;
    g.m = p.m;
    g.n = p.n;
    g.k = p.k;
    g.a = lhs + lhs_base * lhs_mat;
    g.lda = p.k;
    g.packed = d.packed + rhs_base * d.packed_floats;
    g.c = out + b * out_mat;
    g.ldc = p.n;
    g.lo = -INFINITY;
    g.hi = INFINITY;
    x86::RunGemmF32(ctx.thread_pool(), d.gemm, g);
    for (int i = p.batch_rank - 1; i >= 0; --i) {
      if (++idx[i] < p.batch_dims[i]) break;
      idx[i] = 0;
    }
  }
}

Status CheckPerTensor(OpContext& ctx, const Tensor* t, const char* what) {
  if (!t->quant.quantized()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s (%s) needs quantization parameters", what,
                     DataTypeName(t->type));
  }
  if (t->quant.count != 1) {
    return ctx.Error(StatusCode::kUnsupported,
                     "%s: per-channel quantization is not supported", what);
  }
  return Status::Ok();
}

Status PrepareRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* lhs = ctx.input(0);
  const Tensor* rhs = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_BatchMatMulOptions();
  auto& p = ctx.op_data<BatchMatMulData>()->params;
  p.adj_x = opt != nullptr && opt->adj_x();
  p.adj_y = opt != nullptr && opt->adj_y();
  auto* data = ctx.op_data<BatchMatMulData>();
  data->hybrid =
      lhs->type == DataType::kFloat32 && rhs->type == DataType::kInt8;
  data->asymmetric = opt != nullptr && opt->asymmetric_quantize_inputs();
  if (lhs->type != rhs->type && !data->hybrid) {
    return ctx.Error(StatusCode::kUnsupported,
                     "lhs (%s) and rhs (%s) types are not supported together",
                     DataTypeName(lhs->type), DataTypeName(rhs->type));
  }
  switch (lhs->type) {
    case DataType::kFloat32:
      EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kFloat32));
      break;
    case DataType::kInt8:
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, out, "output", DataType::kInt8, DataType::kInt32));
      break;
    case DataType::kInt16:
      EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kInt16));
      break;
    default:
      return UnsupportedType(ctx, lhs, "lhs");
  }
  const int lr = lhs->shape.rank, rr = rhs->shape.rank;
  if (lr < 2 || lr > 5 || rr < 2 || rr > 5) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "operand ranks must be 2..5 (have %d and %d)", lr, rr);
  }
  const int rank = std::max(lr, rr);
  p.batch_rank = rank - 2;
  // Broadcast the batch dims (operands right-aligned).
  int64_t lhs_stride = 1, rhs_stride = 1;
  for (int d = rank - 3; d >= 0; --d) {
    const int li = d - (rank - lr), ri = d - (rank - rr);
    const int32_t ld = li >= 0 ? lhs->shape.dims[li] : 1;
    const int32_t rd = ri >= 0 ? rhs->shape.dims[ri] : 1;
    if (ld != rd && ld != 1 && rd != 1) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "batch dim %d does not broadcast: %d vs %d", d, ld, rd);
    }
    p.batch_dims[d] = std::max(ld, rd);
    if (ld == 0 || rd == 0) p.batch_dims[d] = 0;
    p.lhs_batch_stride[d] = ld == 1 ? 0 : lhs_stride;
    p.rhs_batch_stride[d] = rd == 1 ? 0 : rhs_stride;
    lhs_stride *= ld;
    rhs_stride *= rd;
  }
  const int32_t l0 = lhs->shape.dims[lr - 2], l1 = lhs->shape.dims[lr - 1];
  const int32_t r0 = rhs->shape.dims[rr - 2], r1 = rhs->shape.dims[rr - 1];
  p.m = p.adj_x ? l1 : l0;
  p.k = p.adj_x ? l0 : l1;
  const int32_t rk = p.adj_y ? r1 : r0;
  p.n = p.adj_y ? r0 : r1;
  if (p.k != rk) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "inner dims differ: lhs has %d, rhs has %d", p.k, rk);
  }
  if (data->hybrid) {
    EMBER_RETURN_IF_ERROR(CheckPerTensor(ctx, rhs, "rhs"));
    if (rhs->quant.zero_point0() != 0) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "hybrid rhs must be symmetric (zero point %d)",
                       rhs->quant.zero_point0());
    }
    data->lhs_matrices = 1;
    for (int d = 0; d < lr - 2; ++d) data->lhs_matrices *= lhs->shape.dims[d];
    const size_t rows =
        static_cast<size_t>(std::max<int64_t>(1, data->lhs_matrices * p.m));
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
        rows * static_cast<size_t>(std::max(1, p.k)), &data->q_scratch));
    EMBER_RETURN_IF_ERROR(
        ctx.RequestScratch(rows * sizeof(float), &data->scale_scratch));
    EMBER_RETURN_IF_ERROR(
        ctx.RequestScratch(rows * sizeof(int32_t), &data->offset_scratch));
  } else if (lhs->type != DataType::kFloat32) {
    EMBER_RETURN_IF_ERROR(CheckPerTensor(ctx, lhs, "lhs"));
    EMBER_RETURN_IF_ERROR(CheckPerTensor(ctx, rhs, "rhs"));
    p.lhs_zero_point = lhs->quant.zero_point0();
    p.rhs_zero_point = rhs->quant.zero_point0();
    if (out->type == DataType::kInt32) {
      // LiteRT's int8 -> int32 path sums raw products (zero points unused).
      p.lhs_zero_point = 0;
      p.rhs_zero_point = 0;
    } else {
      EMBER_RETURN_IF_ERROR(CheckPerTensor(ctx, out, "output"));
      p.out_zero_point = out->quant.zero_point0();
      const double real = static_cast<double>(lhs->quant.scale0()) *
                          static_cast<double>(rhs->quant.scale0()) /
                          static_cast<double>(out->quant.scale0());
      ref::QuantizeMultiplier(real, &p.multiplier, &p.shift);
    }
    if (lhs->type == DataType::kInt16) {
      if (p.lhs_zero_point != 0 || p.rhs_zero_point != 0 ||
          p.out_zero_point != 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "int16 zero points must all be 0");
      }
      p.out_min = -32768;
      p.out_max = 32767;
    } else {
      p.out_min = -128;
      p.out_max = 127;
    }
  }
  Shape s;
  s.rank = rank;
  for (int d = 0; d < rank - 2; ++d) s.dims[d] = p.batch_dims[d];
  s.dims[rank - 2] = p.m;
  s.dims[rank - 1] = p.n;
  return ctx.ResizeOutput(0, s);
}

Status Prepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareRef(ctx));
  auto* d = ctx.op_data<BatchMatMulData>();
  EMBER_RETURN_IF_ERROR(PrepareFastGemm(ctx, d));
  EMBER_RETURN_IF_ERROR(PrepareRuntimeGemm(ctx, d));
  return PrepareS8(ctx, d);
}

Status Eval(OpContext& ctx) {
  const Tensor* lhs = ctx.input(0);
  const Tensor* rhs = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto* data = ctx.op_data<BatchMatMulData>();
  const auto& p = data->params;
  if (data->packed != nullptr) {
    EvalFastGemm(ctx, *data);
    return Status::Ok();
  }
  if (data->runtime_gemm) {
    EvalRuntimeGemm(ctx, *data);
    return Status::Ok();
  }
  if (data->s8_fast) {
    const bool wide = out->type == DataType::kInt32;
    x86::RunS8BatchMatMul(ctx.thread_pool(), *data->s8_kernel, p,
                          data->s8_shape, lhs->data_as<int8_t>(),
                          rhs->data_as<int8_t>(),
                          static_cast<int16_t*>(ctx.scratch(data->s8_scratch)),
                          wide ? nullptr : out->data_as<int8_t>(),
                          wide ? out->data_as<int32_t>() : nullptr);
    return Status::Ok();
  }
  if (data->hybrid) {
    ref::BatchMatMulHybrid(
        p, data->lhs_matrices, data->asymmetric, lhs->data_as<float>(),
        rhs->data_as<int8_t>(), rhs->quant.scale0(),
        static_cast<int8_t*>(ctx.scratch(data->q_scratch)),
        static_cast<float*>(ctx.scratch(data->scale_scratch)),
        static_cast<int32_t*>(ctx.scratch(data->offset_scratch)),
        out->data_as<float>());
    return Status::Ok();
  }
  switch (lhs->type) {
    case DataType::kFloat32:
      ref::BatchMatMulFloat(p, lhs->data_as<float>(), rhs->data_as<float>(),
                            out->data_as<float>());
      return Status::Ok();
    case DataType::kInt8:
      if (out->type == DataType::kInt32) {
        ref::BatchMatMulInt8ToInt32(p, lhs->data_as<int8_t>(),
                                    rhs->data_as<int8_t>(),
                                    out->data_as<int32_t>());
      } else {
        ref::BatchMatMulInt8(p, lhs->data_as<int8_t>(), rhs->data_as<int8_t>(),
                             out->data_as<int8_t>());
      }
      return Status::Ok();
    case DataType::kInt16:
      ref::BatchMatMulInt16(p, lhs->data_as<int16_t>(), rhs->data_as<int16_t>(),
                            out->data_as<int16_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, lhs, "lhs");
  }
}

}  // namespace

const OpRegistration* Register_BATCH_MATMUL() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::BATCH_MATMUL),
      "BATCH_MATMUL",
      sizeof(BatchMatMulData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
