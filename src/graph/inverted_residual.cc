#include "graph/inverted_residual.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/drivers/conv_f32.h"
#include "ops/conv_util.h"
#include "ops/fast_path.h"

namespace ember::graph {
namespace {

// Bytes of one thread's working set the row groups are sized for: the
// window of expanded rows plus the depthwise output rows stay within a
// share of L2 (1 MiB per core on the CPUs measured, see BENCHMARKING.md).
constexpr int64_t kWorkingSetBytes = 256 * 1024;

struct Clamp {
  float lo = std::numeric_limits<float>::lowest();
  float hi = std::numeric_limits<float>::max();
};

struct BlockData {
  InvertedResidualParams params;
  int32_t batches, in_h, in_w, in_c, mid_c, out_h, out_w, out_c;
  int32_t pad_top, pad_left;
  Clamp expand, dw, project, add;
  x86::GemmF32Kernel gemm;
  const float* expand_packed;
  const float* project_packed;
  x86::DwConvF32Fn dwconv;
  const float* dw_bias;   // mid_c values (zeros when absent)
  const float* zero_row;  // in_w * mid_c zeros
  int32_t group_rows;     // output rows per step
  int32_t window_rows;    // capacity of the expanded-row window
  int32_t slots;          // per-thread windows
  int scratch;
};

// The clamp of a fused activation (as ops::FloatActivationRange); the
// pass only builds blocks whose activations are in this set.
bool ClampOf(int32_t act, Clamp* c) {
  using A = fb::ActivationFunctionType;
  *c = Clamp{};
  switch (static_cast<A>(act)) {
    case A::NONE:
      return true;
    case A::RELU:
      c->lo = 0.0f;
      return true;
    case A::RELU6:
      c->lo = 0.0f;
      c->hi = 6.0f;
      return true;
    case A::RELU_N1_TO_1:
      c->lo = -1.0f;
      c->hi = 1.0f;
      return true;
    default:
      return false;
  }
}

Status CheckFilter(OpContext& ctx, const Tensor* f, const char* what,
                   int32_t d0, int32_t d1, int32_t d2, int32_t d3) {
  if (f == nullptr || f->type != DataType::kFloat32 || !f->is_constant() ||
      f->shape.rank != 4 || f->shape.dims[0] != d0 || f->shape.dims[1] != d1 ||
      f->shape.dims[2] != d2 || f->shape.dims[3] != d3) {
    return ctx.Error(StatusCode::kInternal,
                     "fused block: %s filter must be a constant float32 "
                     "[%d, %d, %d, %d]",
                     what, d0, d1, d2, d3);
  }
  return Status::Ok();
}

Status CheckBiasInput(OpContext& ctx, const Tensor* b, int32_t n,
                      const char* what) {
  if (b == nullptr) return Status::Ok();
  if (b->type != DataType::kFloat32 || !b->is_constant() ||
      b->NumElements() != n) {
    return ctx.Error(StatusCode::kInternal,
                     "fused block: %s bias must be a constant float32 [%d]",
                     what, n);
  }
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  auto* d = ctx.op_data<BlockData>();
  const InvertedResidualParams params = d->params;
  *d = BlockData{};
  d->params = params;
  if (ctx.num_inputs() != 7 || ctx.num_outputs() != 1) {
    return ctx.Error(StatusCode::kInternal, "fused block needs 7 inputs");
  }
  const Tensor* x = ctx.input(0);
  Tensor* out = ctx.output(0);
  if (x == nullptr || x->type != DataType::kFloat32 || x->shape.rank != 4 ||
      out->type != DataType::kFloat32) {
    return ctx.Error(StatusCode::kInternal,
                     "fused block: input and output must be float32 NHWC");
  }
  d->batches = x->shape.dims[0];
  d->in_h = x->shape.dims[1];
  d->in_w = x->shape.dims[2];
  d->in_c = x->shape.dims[3];
  const Tensor* we = ctx.input(1);
  const Tensor* wp = ctx.input(5);
  if (we == nullptr || we->shape.rank != 4 || wp == nullptr ||
      wp->shape.rank != 4) {
    return ctx.Error(StatusCode::kInternal, "fused block: missing filters");
  }
  d->mid_c = we->shape.dims[0];
  d->out_c = wp->shape.dims[0];
  EMBER_RETURN_IF_ERROR(
      CheckFilter(ctx, we, "expand", d->mid_c, 1, 1, d->in_c));
  EMBER_RETURN_IF_ERROR(
      CheckFilter(ctx, ctx.input(3), "depthwise", 1, 3, 3, d->mid_c));
  EMBER_RETURN_IF_ERROR(
      CheckFilter(ctx, wp, "project", d->out_c, 1, 1, d->mid_c));
  EMBER_RETURN_IF_ERROR(CheckBiasInput(ctx, ctx.input(2), d->mid_c, "expand"));
  EMBER_RETURN_IF_ERROR(
      CheckBiasInput(ctx, ctx.input(4), d->mid_c, "depthwise"));
  EMBER_RETURN_IF_ERROR(CheckBiasInput(ctx, ctx.input(6), d->out_c, "project"));

  // Depthwise geometry, as DEPTHWISE_CONV_2D computes it (a folded PAD
  // widens the input of a VALID depthwise).
  const int32_t s = params.dw_stride;
  const int32_t* fp = params.dw_folded_pad;
  ops::PaddedDim ph, pw;
  EMBER_RETURN_IF_ERROR(ops::ComputePaddedDim(
      ctx, params.dw_padding, d->in_h + fp[0] + fp[1], 3, s, 1, &ph));
  EMBER_RETURN_IF_ERROR(ops::ComputePaddedDim(
      ctx, params.dw_padding, d->in_w + fp[2] + fp[3], 3, s, 1, &pw));
  d->out_h = ph.out;
  d->out_w = pw.out;
  d->pad_top = ph.pad_before + fp[0];
  d->pad_left = pw.pad_before + fp[2];
  if (params.residual &&
      (d->out_h != d->in_h || d->out_w != d->in_w || d->out_c != d->in_c)) {
    return ctx.Error(StatusCode::kInternal,
                     "fused block: residual add needs equal input and output "
                     "shapes");
  }
  if (!ClampOf(params.expand_act, &d->expand) ||
      !ClampOf(params.dw_act, &d->dw) ||
      !ClampOf(params.project_act, &d->project) ||
      !ClampOf(params.add_act, &d->add)) {
    return ctx.Error(StatusCode::kInternal,
                     "fused block: unsupported activation");
  }
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(
      0, ops::MakeShape({d->batches, d->out_h, d->out_w, d->out_c})));

  const x86::GemmF32Kernel* gemm = ops::FastGemmF32(ctx);
  const x86::DwConvF32Kernel* dw = x86::SelectDwConvF32(ctx.allowed_isas());
  d->dwconv = dw != nullptr ? dw->fn : nullptr;
  EMBER_RETURN_IF_ERROR(ops::PackFastGemm(ctx, gemm, we, ctx.input(2), d->mid_c,
                                          d->in_c, &d->gemm,
                                          &d->expand_packed));
  EMBER_RETURN_IF_ERROR(ops::PackFastGemm(ctx, gemm, wp, ctx.input(6), d->out_c,
                                          d->mid_c, &d->gemm,
                                          &d->project_packed));
  if (d->dwconv == nullptr || d->expand_packed == nullptr ||
      d->project_packed == nullptr) {
    return ctx.Error(
        StatusCode::kInternal,
        "fused block: the optimized fp32 kernels are not available");
  }
  const int64_t row = static_cast<int64_t>(d->in_w) * d->mid_c;
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(
      sizeof(float) * static_cast<size_t>(row + d->mid_c), &mem));
  float* zeros = static_cast<float*>(mem);
  std::fill(zeros, zeros + row, 0.0f);
  float* bias = zeros + row;
  const Tensor* bd = ctx.input(4);
  for (int32_t c = 0; c < d->mid_c; ++c)
    bias[c] = bd ? bd->data_as<float>()[c] : 0.0f;
  d->zero_row = zeros;
  d->dw_bias = bias;

  // Output rows per step: as many as keep the window (the expanded rows
  // they read, halo included) and their depthwise rows in the working set.
  const int64_t row_bytes = sizeof(float) * row;
  const int64_t dw_row_bytes =
      sizeof(float) * static_cast<int64_t>(d->out_w) * d->mid_c;
  const int64_t fixed = (3 - s) * row_bytes;
  int64_t g = (kWorkingSetBytes - fixed) / (s * row_bytes + dw_row_bytes);
  d->slots = std::max(ctx.num_threads(), 1);
  if (d->slots > 1 && d->batches < 2 * d->slots) {
    // Small layers fit in one group; split them so every thread gets
    // about two groups (a thread recomputes the halo only where its
    // contiguous range of groups starts).
    g = std::min<int64_t>(g, (d->out_h + 2 * d->slots - 1) / (2 * d->slots));
  }
  g = std::clamp<int64_t>(g, 1, std::max(d->out_h, 1));
  d->group_rows = static_cast<int32_t>(g);
  // Room for a few steps past the rows one step needs, so the halo is
  // moved back to the window's start only now and then.
  const int64_t need = (g - 1) * s + 3;
  d->window_rows = static_cast<int32_t>(
      std::max<int64_t>(std::min<int64_t>(need + 2 * g * s, d->in_h), 1));
  const int64_t per_slot = static_cast<int64_t>(d->window_rows) * row +
                           g * static_cast<int64_t>(d->out_w) * d->mid_c;
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(float) * static_cast<size_t>(per_slot * d->slots), &d->scratch));
  ctx.SetKernelVariant(d->gemm.fused_label);
  return Status::Ok();
}

struct BlockTensors {
  const float* input;
  const float* dw_filter;
  float* output;
};

// One thread's walk over steps [t0, t1) (step = batch x row group), with
// `window` its slice of the scratch.
void RunSteps(const BlockData& d, const BlockTensors& io, float* window,
              int64_t t0, int64_t t1) {
  const int32_t s = d.params.dw_stride;
  const int64_t row = static_cast<int64_t>(d.in_w) * d.mid_c;
  float* dw_rows = window + static_cast<int64_t>(d.window_rows) * row;
  const int32_t groups = (d.out_h + d.group_rows - 1) / d.group_rows;
  const int32_t project_panels = x86::GemmPanels(d.out_c, d.gemm.nr);
  int32_t batch = -1;
  int32_t first = 0;  // input row held in window row 0
  int32_t count = 0;  // expanded rows held
  for (int64_t t = t0; t < t1; ++t) {
    const int32_t b = static_cast<int32_t>(t / groups);
    const int32_t oy0 = static_cast<int32_t>(t % groups) * d.group_rows;
    const int32_t rows = std::min(d.group_rows, d.out_h - oy0);
    // Input rows [lo, hi) this step reads (the rest is padding).
    const int32_t lo = std::max(0, oy0 * s - d.pad_top);
    const int32_t hi =
        std::max(lo, std::min(d.in_h, (oy0 + rows - 1) * s - d.pad_top + 3));
    if (b != batch || lo < first || lo > first + count) {
      batch = b;
      first = lo;
      count = 0;
    }
    if (hi > first + d.window_rows) {
      // Keep only the rows still needed (the halo) at the window's start.
      const int32_t drop = lo - first;
      std::memmove(window, window + drop * row,
                   sizeof(float) * static_cast<size_t>((count - drop) * row));
      first = lo;
      count -= drop;
    }
    if (first + count < hi) {
      const int32_t r0 = first + count;
      x86::GemmF32Args e;
      e.m = static_cast<int64_t>(hi - r0) * d.in_w;
      e.n = d.mid_c;
      e.k = d.in_c;
      e.a =
          io.input + (static_cast<int64_t>(b) * d.in_h + r0) * d.in_w * d.in_c;
      e.lda = d.in_c;
      e.packed = d.expand_packed;
      e.c = window + static_cast<int64_t>(count) * row;
      e.ldc = d.mid_c;
      e.lo = d.expand.lo;
      e.hi = d.expand.hi;
      d.gemm.fn(e, 0, e.m, 0, x86::GemmPanels(e.n, d.gemm.nr));
      count = hi - first;
    }
    // The depthwise sees the window as an image of `count` rows that
    // starts at input row `first`; rows outside it are padding (the zero
    // row), exactly the rows the unfused op treats as padding.
    x86::DwConvF32Args a;
    a.batches = 1;
    a.in_h = count;
    a.in_w = d.in_w;
    a.channels = d.mid_c;
    a.filter_h = 3;
    a.filter_w = 3;
    a.out_h = rows;
    a.out_w = d.out_w;
    a.stride_h = s;
    a.stride_w = s;
    a.pad_top = d.pad_top - oy0 * s + first;
    a.pad_left = d.pad_left;
    a.input = window;
    a.filter = io.dw_filter;
    a.bias = d.dw_bias;
    a.zero_row = d.zero_row;
    a.output = dw_rows;
    a.lo = d.dw.lo;
    a.hi = d.dw.hi;
    d.dwconv(a, 0, rows);

    const int64_t out_offset =
        (static_cast<int64_t>(b) * d.out_h + oy0) * d.out_w * d.out_c;
    x86::GemmF32Args p;
    p.m = static_cast<int64_t>(rows) * d.out_w;
    p.n = d.out_c;
    p.k = d.mid_c;
    p.a = dw_rows;
    p.lda = d.mid_c;
    p.packed = d.project_packed;
    p.c = io.output + out_offset;
    p.ldc = d.out_c;
    p.lo = d.project.lo;
    p.hi = d.project.hi;
    d.gemm.fn(p, 0, p.m, 0, project_panels);
    if (d.params.residual) {
      // Same shapes (checked in Prepare): the block input at the same
      // offset; x + y then the ADD's clamp, as the ADD op computes it.
      const float* x = io.input + out_offset;
      float* y = io.output + out_offset;
      const int64_t n = p.m * d.out_c;
      const float add_lo = d.add.lo, add_hi = d.add.hi;
      for (int64_t i = 0; i < n; ++i)
        y[i] = std::min(std::max(y[i] + x[i], add_lo), add_hi);
    }
  }
}

Status Eval(OpContext& ctx) {
  const BlockData& d = *ctx.op_data<BlockData>();
  BlockTensors io;
  io.input = ctx.input(0)->data_as<float>();
  io.dw_filter = ctx.input(3)->data_as<float>();
  io.output = ctx.output(0)->data_as<float>();
  auto* scratch = static_cast<float*>(ctx.scratch(d.scratch));
  const int64_t per_slot =
      static_cast<int64_t>(d.window_rows) * d.in_w * d.mid_c +
      static_cast<int64_t>(d.group_rows) * d.out_w * d.mid_c;
  const int64_t groups = (d.out_h + d.group_rows - 1) / d.group_rows;
  // Contiguous step ranges per thread: each thread recomputes the halo
  // rows only where its range starts.
  // Expand 1x1 + depthwise 3x3 + project 1x1, per output pixel (the
  // threading cost model, base/work_split.h).
  const int64_t macs = static_cast<int64_t>(d.batches) * d.out_h * d.out_w *
                       d.mid_c * (9 + d.in_c + d.out_c);
  x86::ParallelTasks(ctx.thread_pool(), d.batches * groups,
                     x86::MacTasks(ctx.thread_pool(), macs, d.slots),
                     [&](int64_t t0, int64_t t1, int slot) {
                       RunSteps(d, io, scratch + slot * per_slot, t0, t1);
                     });
  return Status::Ok();
}

}  // namespace

const OpRegistration* InvertedResidualRegistration() {
  static const OpRegistration reg = {
      -1,         "FUSED_INVERTED_RESIDUAL", sizeof(BlockData), Prepare, Eval,
      kOpFlagNone};
  return &reg;
}

size_t InvertedResidualOpDataBytes() { return sizeof(BlockData); }

void SetInvertedResidualParams(void* op_data, const InvertedResidualParams& p) {
  static_cast<BlockData*>(op_data)->params = p;
}

}  // namespace ember::graph
