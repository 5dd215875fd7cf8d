#include "micro_aot.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "kernels/ref/pooling.h"
#include "kernels/ref/quantize.h"
#include "kernels/ref/softmax.h"
#include "kernels/ref/svdf.h"
#include "micro/micro_op_util.h"
#include "micro/micro_verify.h"
#include "micro_aot_patch.h"
#include "micro_aot_plan.h"

namespace ember::cli {
namespace {

using micro::MicroContext;
using micro::MicroStatus;
using micro::MicroTensor;

const char* CType(fb::TensorType t) {
  switch (t) {
    case fb::TensorType::INT8:
      return "int8_t";
    case fb::TensorType::UINT8:
      return "uint8_t";
    case fb::TensorType::INT16:
      return "int16_t";
    case fb::TensorType::INT32:
      return "int32_t";
    case fb::TensorType::FLOAT32:
      return "float";
    default:
      return nullptr;
  }
}

std::string Int(int64_t v) {
  if (v == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(v);
}

// Exact float literal (hexadecimal), or the infinities of <cmath>.
std::string Float(float v) {
  if (std::isinf(v)) return v < 0 ? "-INFINITY" : "INFINITY";
  char buf[48];
  snprintf(buf, sizeof(buf), "%af", static_cast<double>(v));
  return buf;
}

template <typename T>
std::string Array(const char* type, const std::string& name, const T* v,
                  int64_t n, bool is_float = false) {
  std::string out = "alignas(16) const " + std::string(type) + " " + name +
                    "[" + std::to_string(std::max<int64_t>(n, 1)) + "] = {";
  for (int64_t i = 0; i < n; ++i) {
    out += i % 12 ? " " : "\n    ";
    if constexpr (std::is_same_v<T, float>) {
      out += Float(v[i]);
    } else {
      (void)is_float;
      out += Int(v[i]);
    }
    out += ",";
  }
  if (n == 0) out += "0";
  return out + "};\n";
}

// One band of a patch-executed convolution: the rows it reads and writes
// and where (expressions of the arena).
struct ConvBandCall {
  // Expressions (the band table's entries): rows in and out, the
  // adjusted pad_top, and the arena offsets of the input and output rows.
  std::string in_h, out_h, pad_top, in_ptr, out_ptr;
};

class Generator {
 public:
  Generator(micro::MicroInterpreter& interp, const uint8_t* model,
            size_t model_size, const uint8_t* arena)
      : interp_(interp), model_(model), model_size_(model_size) {
    const auto addr = reinterpret_cast<uintptr_t>(arena);
    head_ = reinterpret_cast<const uint8_t*>((addr + 15) / 16 * 16);
  }

  bool Run(std::string* error, const AotOptions& options);

  std::ostringstream constants;     // const arrays, file scope
  std::ostringstream variables;     // state arrays and their reset
  std::ostringstream body;          // ember_aot_invoke's statements
  std::vector<std::string> resets;  // ember_aot_reset's statements
  size_t arena_bytes = 0;
  size_t variable_bytes = 0;
  size_t constant_bytes = 0;
  size_t unpatched_arena_bytes = 0;
  AotPatchChain patch;         // first_node -1: none
  std::vector<int32_t> order;  // empty: the model's
  int32_t patch_rows = 0;
  std::string error;

  // Expression for tensor `t`'s data as `T*` (const for constants).
  std::string Ref(const MicroTensor& t);
  const char* Type(const MicroTensor& t) {
    const char* c = CType(t.type);
    if (c == nullptr) Fail("tensor type not supported");
    return c;
  }

 private:
  bool Fail(const std::string& why) {
    if (error.empty()) error = why;
    return false;
  }
  std::string Const(const std::string& type, const int32_t* v, int64_t n);
  bool Op(int32_t node, const fb::Operator* op, int32_t code);
  bool FullyConnected(MicroContext& ctx);
  bool Conv(MicroContext& ctx, bool depthwise,
            const ConvBandCall* band = nullptr);
  // Node n as a layer of a patch chain: an int8 CONV_2D or
  // DEPTHWISE_CONV_2D of one batch in the arena.
  bool PatchableConv(int32_t n, PatchLayer* layer, int32_t* in, int32_t* out);
  // The leading chain and band height with the lowest planned arena, if
  // lower than `plain`'s.
  void ChoosePatches(const AotPlan& plain, int32_t only_rows, AotPlan* best);
  bool PatchedChain();
  bool Pool(MicroContext& ctx, bool average);
  bool Softmax(MicroContext& ctx);
  bool Reshape(MicroContext& ctx);
  bool Quantize(MicroContext& ctx);
  bool Dequantize(MicroContext& ctx);
  bool Svdf(MicroContext& ctx);

  micro::MicroInterpreter& interp_;
  const uint8_t* model_;
  size_t model_size_;
  const uint8_t* head_;
  std::set<int32_t> emitted_;  // tensors with a const / state array
  // This export's own plan: arena offset per activation tensor and of each
  // SVDF node's scratch (the only op scratch the compiled code needs).
  std::map<int32_t, size_t> offset_;
  std::map<int32_t, size_t> scratch_offset_;
  int32_t next_const_ = 0;
  // Per convolution node: its multiplier and shift arrays (a banded
  // convolution is called once per band).
  std::map<int32_t, std::pair<std::string, std::string>> quant_consts_;
  std::vector<PatchLayer> chain_;
  std::vector<size_t> band_offset_;
};

std::string Generator::Const(const std::string& type, const int32_t* v,
                             int64_t n) {
  const std::string name = "kParam" + std::to_string(next_const_++);
  constants << Array(type.c_str(), name, v, n);
  constant_bytes += static_cast<size_t>(n) * 4;
  return name;
}

std::string Generator::Ref(const MicroTensor& t) {
  if (t.data == nullptr) return "nullptr";
  const char* type = Type(t);
  if (type == nullptr) return "nullptr";
  const auto* p = static_cast<const uint8_t*>(t.data);
  const fb::Tensor* ft =
      interp_.model()->subgraphs()->Get(0)->tensors()->Get(t.index);
  const std::string tid = std::to_string(t.index);
  if (p >= model_ && p < model_ + model_size_) {
    const std::string name = "kTensor" + tid;
    if (emitted_.insert(t.index).second) {
      const int64_t n = t.NumElements();
      switch (t.type) {
        case fb::TensorType::INT8:
          constants << Array(type, name, reinterpret_cast<const int8_t*>(p), n);
          break;
        case fb::TensorType::UINT8:
          constants << Array(type, name, p, n);
          break;
        case fb::TensorType::INT16: {
          std::vector<int16_t> v(n);
          std::memcpy(v.data(), p, t.bytes);
          constants << Array(type, name, v.data(), n);
          break;
        }
        case fb::TensorType::INT32: {
          std::vector<int32_t> v(n);
          std::memcpy(v.data(), p, t.bytes);
          constants << Array(type, name, v.data(), n);
          break;
        }
        default: {
          std::vector<float> v(n);
          std::memcpy(v.data(), p, t.bytes);
          constants << Array(type, name, v.data(), n);
        }
      }
      constant_bytes += t.bytes;
    }
    return name;
  }
  if (ft->is_variable()) {
    // State that lives across invocations: its own array, reset to the
    // values the interpreter's Reset() gives it.
    const std::string name = "g_state" + tid;
    if (emitted_.insert(t.index).second) {
      bool zero = true;
      for (size_t i = 0; i < t.bytes; ++i) zero = zero && p[i] == 0;
      variables << "alignas(16) " << type << " " << name << "["
                << t.NumElements() << "];\n";
      if (!zero) {
        constants << Array("uint8_t", "kInit" + tid, p,
                           static_cast<int64_t>(t.bytes));
        constant_bytes += t.bytes;
      }
      resets.push_back(zero ? "  memset(" + name + ", 0, sizeof(" + name +
                                  "));\n"
                            : "  memcpy(" + name + ", kInit" + tid +
                                  ", sizeof(" + name + "));\n");
      variable_bytes += t.bytes;
    }
    return name;
  }
  if (offset_.count(t.index)) {
    return std::string("reinterpret_cast<") + type + "*>(g_arena + " +
           std::to_string(offset_.at(t.index)) + ")";
  }
  Fail("tensor #" + tid + " is neither a constant, a variable nor planned");
  return "nullptr";
}

// The fused activation's clamp: the interpreter's helpers, on the host.
struct Clamp {
  std::string lo, hi;
};

bool QuantClamp(MicroContext& ctx, fb::ActivationFunctionType act,
                const MicroTensor& out, Clamp* c) {
  int32_t lo = 0, hi = 0;
  if (micro::QuantizedActivationRange(ctx, act, out, &lo, &hi) !=
      MicroStatus::kOk)
    return false;
  c->lo = Int(lo);
  c->hi = Int(hi);
  return true;
}

bool FloatClamp(MicroContext& ctx, fb::ActivationFunctionType act, Clamp* c) {
  float lo = 0, hi = 0;
  if (micro::FloatActivationRange(ctx, act, &lo, &hi) != MicroStatus::kOk)
    return false;
  c->lo = Float(lo);
  c->hi = Float(hi);
  return true;
}

std::string Bias(Generator& g, MicroContext& ctx, int32_t i, const char* type) {
  if (!ctx.has_input(i))
    return std::string("static_cast<const ") + type + "*>(nullptr)";
  return g.Ref(ctx.input(i));
}

bool Generator::FullyConnected(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0), w = ctx.input(1), out = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_FullyConnectedOptions();
  const auto act =
      opt ? opt->fused_activation_function() : fb::ActivationFunctionType::NONE;
  const int32_t units = w.dim(0), depth = w.dim(1);
  const int64_t batches = in.NumElements() / depth;
  body << "    ref::FullyConnectedShape s;\n    s.batches = " << batches
       << ";\n    s.depth = " << depth << ";\n    s.units = " << units << ";\n";
  Clamp c;
  if (in.type == fb::TensorType::FLOAT32) {
    if (!FloatClamp(ctx, act, &c)) return Fail("unsupported activation");
    body << "    ref::FullyConnectedFloat(s, " << Ref(in) << ", " << Ref(w)
         << ", " << Bias(*this, ctx, 2, "float") << ", " << c.lo << ", " << c.hi
         << ", " << Ref(out) << ");\n";
    return true;
  }
  std::vector<int32_t> mult(units), shift(units);
  micro::FillOutputMultipliers(in, w, out, units, mult.data(), shift.data());
  if (!QuantClamp(ctx, act, out, &c)) return Fail("unsupported activation");
  body << "    ref::QuantizedOutput q;\n    q.output_offset = "
       << Int(out.zero_point) << ";\n    q.act_lo = " << c.lo
       << ";\n    q.act_hi = " << c.hi
       << ";\n    q.multiplier = " << Const("int32_t", mult.data(), units)
       << ";\n    q.shift = " << Const("int32_t", shift.data(), units)
       << ";\n    q.rounding = ref::Rounding::kSingle;\n";
  // int8: the DSP / Helium kernels where the target has them.
  body << (in.type == fb::TensorType::INT8
               ? "    micro::FullyConnectedS8(s, "
               : "    ref::FullyConnectedQuantized<int32_t>(s, ")
       << Ref(in) << ", " << Int(-in.zero_point) << ", " << Ref(w) << ", "
       << Int(-w.zero_point) << ", " << Bias(*this, ctx, 2, "int32_t")
       << ", q, " << Ref(out) << ");\n";
  return true;
}

bool Generator::Conv(MicroContext& ctx, bool depthwise,
                     const ConvBandCall* band) {
  const MicroTensor in = ctx.input(0), f = ctx.input(1), out = ctx.output(0);
  fb::Padding padding;
  int32_t sh, sw, dh, dw;
  fb::ActivationFunctionType act;
  if (depthwise) {
    const auto* o = ctx.op()->builtin_options_as_DepthwiseConv2DOptions();
    padding = o->padding();
    sh = o->stride_h(), sw = o->stride_w();
    dh = o->dilation_h_factor(), dw = o->dilation_w_factor();
    act = o->fused_activation_function();
  } else {
    const auto* o = ctx.op()->builtin_options_as_Conv2DOptions();
    padding = o->padding();
    sh = o->stride_h(), sw = o->stride_w();
    dh = o->dilation_h_factor(), dw = o->dilation_w_factor();
    act = o->fused_activation_function();
  }
  micro::MicroPaddedDim ph, pw;
  if (micro::ComputePaddedDim(ctx, padding, in.dim(1), f.dim(1), sh, dh, &ph) !=
          MicroStatus::kOk ||
      micro::ComputePaddedDim(ctx, padding, in.dim(2), f.dim(2), sw, dw, &pw) !=
          MicroStatus::kOk)
    return Fail("bad convolution window");
  const int32_t out_c = depthwise ? f.dim(3) : f.dim(0);
  const char* shape = depthwise ? "ref::DepthwiseShape" : "ref::ConvShape";
  const std::string in_h = band ? band->in_h : std::to_string(in.dim(1));
  const std::string out_h = band ? band->out_h : std::to_string(ph.out);
  const std::string pad_top =
      band ? band->pad_top : std::to_string(ph.pad_before);
  const std::string in_ref = band ? band->in_ptr : Ref(in);
  const std::string out_ref = band ? band->out_ptr : Ref(out);
  body << "    " << shape << " s;\n    s.batches = " << in.dim(0)
       << ";\n    s.in_h = " << in_h << ";\n    s.in_w = " << in.dim(2)
       << ";\n    s.in_c = " << in.dim(3) << ";\n    s.filter_h = " << f.dim(1)
       << ";\n    s.filter_w = " << f.dim(2) << ";\n";
  if (depthwise) {
    body << "    s.depth_multiplier = " << out_c / in.dim(3) << ";\n";
  } else {
    body << "    s.filter_in_c = " << f.dim(3) << ";\n    s.out_c = " << out_c
         << ";\n";
  }
  body << "    s.out_h = " << out_h << ";\n    s.out_w = " << pw.out
       << ";\n    s.stride_h = " << sh << ";\n    s.stride_w = " << sw
       << ";\n    s.dilation_h = " << dh << ";\n    s.dilation_w = " << dw
       << ";\n    s.pad_top = " << pad_top
       << ";\n    s.pad_left = " << pw.pad_before << ";\n";
  const char* fn = depthwise ? "DepthwiseConv" : "Conv";
  Clamp c;
  if (in.type == fb::TensorType::FLOAT32) {
    if (!FloatClamp(ctx, act, &c)) return Fail("unsupported activation");
    body << "    ref::" << fn << "Float(s, " << in_ref << ", " << Ref(f) << ", "
         << Bias(*this, ctx, 2, "float") << ", " << c.lo << ", " << c.hi << ", "
         << out_ref << ");\n";
    return true;
  }
  auto consts = quant_consts_.find(ctx.node_index());
  if (consts == quant_consts_.end()) {
    std::vector<int32_t> mult(out_c), shift(out_c);
    micro::FillOutputMultipliers(in, f, out, out_c, mult.data(), shift.data());
    const std::string m = Const("int32_t", mult.data(), out_c);
    const std::string sh_name = Const("int32_t", shift.data(), out_c);
    consts = quant_consts_.emplace(ctx.node_index(), std::make_pair(m, sh_name))
                 .first;
  }
  if (!QuantClamp(ctx, act, out, &c)) return Fail("unsupported activation");
  body << "    ref::QuantizedOutput q;\n    q.output_offset = "
       << Int(out.zero_point) << ";\n    q.act_lo = " << c.lo
       << ";\n    q.act_hi = " << c.hi
       << ";\n    q.multiplier = " << consts->second.first
       << ";\n    q.shift = " << consts->second.second
       << ";\n    q.rounding = ref::Rounding::kDouble;\n";
  // int8: the DSP / Helium kernels where the target has them.
  if (in.type == fb::TensorType::INT8) {
    body << "    micro::" << (depthwise ? "DepthwiseS8" : "ConvS8") << "(s, ";
  } else {
    body << "    ref::" << fn << "Quantized<int32_t>(s, ";
  }
  body << in_ref << ", " << Int(-in.zero_point) << ", " << Ref(f) << ", "
       << Int(-f.zero_point) << ", " << Bias(*this, ctx, 2, "int32_t")
       << ", q, " << out_ref << ");\n";
  return true;
}

bool Generator::PatchableConv(int32_t n, PatchLayer* layer, int32_t* in_t,
                              int32_t* out_t) {
  const fb::Operator* op =
      interp_.model()->subgraphs()->Get(0)->operators()->Get(n);
  const auto code = static_cast<fb::BuiltinOperator>(micro::MicroBuiltinCode(
      interp_.model()->operator_codes()->Get(op->opcode_index())));
  if (code != fb::BuiltinOperator::CONV_2D &&
      code != fb::BuiltinOperator::DEPTHWISE_CONV_2D)
    return false;
  MicroContext ctx(&interp_, n, op);
  const MicroTensor in = ctx.input(0), f = ctx.input(1), out = ctx.output(0);
  if (in.type != fb::TensorType::INT8 || out.type != fb::TensorType::INT8 ||
      in.rank != 4 || out.rank != 4 || f.rank != 4 || in.dim(0) != 1 ||
      out.dim(0) != 1)
    return false;
  fb::Padding padding;
  int32_t stride, dil;
  if (code == fb::BuiltinOperator::CONV_2D) {
    const auto* o = op->builtin_options_as_Conv2DOptions();
    if (o == nullptr) return false;
    padding = o->padding(), stride = o->stride_h(),
    dil = o->dilation_h_factor();
  } else {
    const auto* o = op->builtin_options_as_DepthwiseConv2DOptions();
    if (o == nullptr) return false;
    padding = o->padding(), stride = o->stride_h(),
    dil = o->dilation_h_factor();
  }
  micro::MicroPaddedDim ph;
  if (micro::ComputePaddedDim(ctx, padding, in.dim(1), f.dim(1), stride, dil,
                              &ph) != MicroStatus::kOk ||
      ph.out != out.dim(1))
    return false;
  layer->in_h = in.dim(1);
  layer->out_h = out.dim(1);
  layer->filter_h = f.dim(1);
  layer->stride_h = stride;
  layer->dilation_h = dil;
  layer->pad_top = ph.pad_before;
  *in_t = in.index;
  *out_t = out.index;
  return true;
}

void Generator::ChoosePatches(const AotPlan& plain, int32_t only_rows,
                              AotPlan* best_plan) {
  const fb::SubGraph* sg = interp_.model()->subgraphs()->Get(0);
  const int32_t nodes = interp_.operators_size();
  // Consumers of each tensor, and the graph's inputs and outputs: a chain
  // intermediate is read by the next op of the chain only.
  std::map<int32_t, int32_t> readers;
  for (int32_t n = 0; n < nodes; ++n) {
    const fb::Operator* op = sg->operators()->Get(n);
    if (op->inputs())
      for (int32_t t : *op->inputs())
        if (t >= 0) ++readers[t];
  }
  std::set<int32_t> graph_io;
  for (int32_t i = 0; i < interp_.inputs_size(); ++i)
    graph_io.insert(interp_.input(i).index);
  for (int32_t i = 0; i < interp_.outputs_size(); ++i)
    graph_io.insert(interp_.output(i).index);
  // The leading chain: from the first patchable convolution, as long as
  // each op's output is the next one's input and nothing else's.
  std::vector<PatchLayer> layers;
  std::vector<int32_t> outs;  // output tensor per layer
  int32_t n0 = -1;
  for (int32_t n = 0; n < nodes; ++n) {
    PatchLayer l;
    int32_t in = -1, out = -1;
    const bool ok = PatchableConv(n, &l, &in, &out);
    if (n0 < 0) {
      if (!ok || plain.tensor_offset.count(in) == 0 ||
          plain.tensor_offset.count(out) == 0)
        continue;
      n0 = n;
    } else {
      // readers[in] counts every input slot: 1 means this op's input 0
      // only (not also its filter or bias, nor any other op).
      if (!ok || in != outs.back() || readers[in] != 1 || graph_io.count(in) ||
          plain.tensor_offset.count(out) == 0)
        break;
    }
    layers.push_back(l);
    outs.push_back(out);
  }
  size_t best = plain.arena_bytes;
  for (size_t len = 2; len <= layers.size() && len <= 16; ++len) {
    const std::vector<PatchLayer> chain(layers.begin(), layers.begin() + len);
    const int32_t out_h = chain.back().out_h;
    std::vector<int32_t> tries = {24, 16, 12, 8, 6, 4, 3, 2, 1};
    if (only_rows > 0) tries = {only_rows};
    for (int32_t rows : tries) {
      if (rows >= out_h) continue;
      const std::vector<int32_t> most = MaxBandRows(chain, rows);
      AotPatchChain c;
      c.first_node = n0;
      c.last_node = n0 + static_cast<int32_t>(len) - 1;
      for (size_t k = 0; k + 1 < len; ++k) {
        const MicroTensor t = interp_.tensor(outs[k]);
        c.band_bytes.push_back(t.bytes / static_cast<size_t>(t.dim(1)) *
                               static_cast<size_t>(most[k]));
      }
      // How far the output's writes run ahead of the input rows the later
      // bands still read.
      const MicroTensor first_in =
          interp_.tensor(sg->operators()->Get(n0)->inputs()->Get(0));
      const MicroTensor last_out = interp_.tensor(outs[len - 1]);
      const int64_t in_row = first_in.bytes / first_in.dim(1);
      const int64_t out_row = last_out.bytes / last_out.dim(1);
      const std::vector<RowRange> bands = SplitRows(out_h, rows);
      int64_t gap = 0;
      for (size_t b = 0; b + 1 < bands.size(); ++b) {
        const int64_t written = bands[b].end * out_row;
        const int64_t still_read =
            BandOf(chain, bands[b + 1])[0].in.begin * in_row;
        gap = std::max(gap, written - still_read);
      }
      c.output_gap = static_cast<size_t>(std::max<int64_t>(gap, 1));
      AotPlan p;
      std::string why;
      const bool planned_ok = PlanAotArena(interp_, head_, &p, &why, &c);
      if (getenv("EMBER_AOT_PATCH_DEBUG"))
        fprintf(stderr, "patch %zu layers x %d rows: %zu B %s\n", len, rows,
                p.arena_bytes, why.c_str());
      if (!planned_ok) continue;
      if (p.arena_bytes < best) {
        best = p.arena_bytes;
        *best_plan = p;
        patch = c;
        patch_rows = rows;
        chain_ = chain;
      }
    }
  }
}

// The chain, band after band: each layer on the rows the next one reads.
bool Generator::PatchedChain() {
  const fb::SubGraph* sg = interp_.model()->subgraphs()->Get(0);
  const int32_t n0 = patch.first_node;
  const int32_t len = static_cast<int32_t>(chain_.size());
  // One table row per band and layer: in_h, out_h, pad_top, and the arena
  // offsets of the rows it reads and writes; the code loops over it.
  const std::vector<RowRange> bands =
      SplitRows(chain_.back().out_h, patch_rows);
  const std::string table = "kBands" + std::to_string(n0);
  std::vector<int32_t> rows;
  for (const RowRange& r : bands) {
    const std::vector<BandLayer> band = BandOf(chain_, r);
    for (int32_t k = 0; k < len; ++k) {
      const fb::Operator* op = sg->operators()->Get(n0 + k);
      MicroContext ctx(&interp_, n0 + k, op);
      const MicroTensor in = ctx.input(0), out = ctx.output(0);
      const size_t in_row = in.bytes / static_cast<size_t>(in.dim(1));
      const size_t out_row = out.bytes / static_cast<size_t>(out.dim(1));
      const size_t in_at =
          k == 0 ? offset_.at(in.index) + band[k].in.begin * in_row
                 : band_offset_[k - 1];
      const size_t out_at =
          k == len - 1 ? offset_.at(out.index) + band[k].out.begin * out_row
                       : band_offset_[k];
      for (int64_t v : {int64_t{band[k].in.rows()}, int64_t{band[k].out.rows()},
                        int64_t{band[k].pad_top}, static_cast<int64_t>(in_at),
                        static_cast<int64_t>(out_at)})
        rows.push_back(static_cast<int32_t>(v));
    }
  }
  constants << Array("int32_t", table, rows.data(),
                     static_cast<int64_t>(rows.size()));
  constant_bytes += rows.size() * 4;
  body << "  // Patch-based execution: ops #" << n0 << "-#" << n0 + len - 1
       << " in " << bands.size() << " bands of " << patch_rows
       << " output rows, each layer on the rows (and halo) the next reads.\n"
       << "  for (int32_t band = 0; band < " << bands.size() << "; ++band) {\n";
  for (int32_t k = 0; k < len; ++k) {
    const int32_t n = n0 + k;
    const fb::Operator* op = sg->operators()->Get(n);
    MicroContext ctx(&interp_, n, op);
    const auto code = static_cast<fb::BuiltinOperator>(micro::MicroBuiltinCode(
        interp_.model()->operator_codes()->Get(op->opcode_index())));
    const std::string row = table + " + (band * " + std::to_string(len) +
                            " + " + std::to_string(k) + ") * 5";
    ConvBandCall call;
    call.in_h = "r[0]";
    call.out_h = "r[1]";
    call.pad_top = "r[2]";
    call.in_ptr = "reinterpret_cast<int8_t*>(g_arena + r[3])";
    call.out_ptr = "reinterpret_cast<int8_t*>(g_arena + r[4])";
    body << "  {  // op #" << n << " " << fb::EnumNameBuiltinOperator(code)
         << ", this band's rows\n    const int32_t* r = " << row << ";\n";
    if (!Conv(ctx, code == fb::BuiltinOperator::DEPTHWISE_CONV_2D, &call) ||
        !error.empty()) {
      error = "--aot: op #" + std::to_string(n) +
              " (patched): " + (error.empty() ? "unsupported" : error);
      return false;
    }
    body << "  }\n";
  }
  body << "  }\n";
  return true;
}

bool Generator::Pool(MicroContext& ctx, bool average) {
  const MicroTensor in = ctx.input(0), out = ctx.output(0);
  const auto* o = ctx.op()->builtin_options_as_Pool2DOptions();
  micro::MicroPaddedDim ph, pw;
  if (micro::ComputePaddedDim(ctx, o->padding(), in.dim(1), o->filter_height(),
                              o->stride_h(), 1, &ph) != MicroStatus::kOk ||
      micro::ComputePaddedDim(ctx, o->padding(), in.dim(2), o->filter_width(),
                              o->stride_w(), 1, &pw) != MicroStatus::kOk)
    return Fail("bad pooling window");
  body << "    ref::PoolParams p;\n    p.batches = " << in.dim(0)
       << ";\n    p.in_h = " << in.dim(1) << ";\n    p.in_w = " << in.dim(2)
       << ";\n    p.channels = " << in.dim(3) << ";\n    p.out_h = " << ph.out
       << ";\n    p.out_w = " << pw.out
       << ";\n    p.filter_h = " << o->filter_height()
       << ";\n    p.filter_w = " << o->filter_width()
       << ";\n    p.stride_h = " << o->stride_h()
       << ";\n    p.stride_w = " << o->stride_w()
       << ";\n    p.pad_h = " << ph.pad_before
       << ";\n    p.pad_w = " << pw.pad_before << ";\n";
  Clamp c;
  const char* kind = average ? "Average" : "Max";
  if (in.type == fb::TensorType::FLOAT32) {
    if (!FloatClamp(ctx, o->fused_activation_function(), &c))
      return Fail("unsupported activation");
    body << "    p.float_lo = " << c.lo << ";\n    p.float_hi = " << c.hi
         << ";\n    ref::" << kind << "PoolFloat(p, " << Ref(in) << ", "
         << Ref(out) << ");\n";
    return true;
  }
  if (!QuantClamp(ctx, o->fused_activation_function(), out, &c))
    return Fail("unsupported activation");
  body << "    p.quant_lo = " << c.lo << ";\n    p.quant_hi = " << c.hi
       << ";\n    ref::" << kind << "PoolQuantized(p, " << Ref(in) << ", "
       << Ref(out) << ");\n";
  return true;
}

bool Generator::Softmax(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0), out = ctx.output(0);
  ref::SoftmaxParams p;
  p.depth = in.dim(in.rank - 1);
  p.outer = p.depth > 0 ? in.NumElements() / p.depth : 0;
  p.beta = ctx.op()->builtin_options_as_SoftmaxOptions()->beta();
  body << "    ref::SoftmaxParams p;\n    p.outer = " << p.outer
       << ";\n    p.depth = " << p.depth << ";\n    p.beta = " << Float(p.beta)
       << ";\n";
  if (in.type == fb::TensorType::FLOAT32) {
    body << "    ref::SoftmaxFloat(p, " << Ref(in) << ", " << Ref(out)
         << ");\n";
    return true;
  }
  ref::PrepareSoftmax8Bit(p.beta, in.scale, &p);
  body << "    p.input_multiplier = " << Int(p.input_multiplier)
       << ";\n    p.input_left_shift = " << p.input_left_shift
       << ";\n    p.diff_min = " << Int(p.diff_min)
       << ";\n    ref::SoftmaxQuantized8(p, " << Ref(in) << ", " << Ref(out)
       << ");\n";
  return true;
}

bool Generator::Reshape(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0), out = ctx.output(0);
  const std::string a = Ref(in), b = Ref(out);
  if (a == b) {
    body << "    // the planner aliased the output to the input\n";
  } else {
    body << "    memmove(" << b << ", " << a << ", " << in.bytes << ");\n";
  }
  return true;
}

bool Generator::Quantize(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0), out = ctx.output(0);
  const int64_t n = in.NumElements();
  const std::string x = Ref(in), y = Ref(out);
  const char* out_type = Type(out);
  if (out_type == nullptr) return false;
  if (in.type == fb::TensorType::FLOAT32) {
    body << "    const float* x = " << x << ";\n    " << out_type
         << "* y = " << y << ";\n    for (int32_t i = 0; i < " << n
         << "; ++i)\n      y[i] = ref::AffineQuantize<" << out_type
         << ">(x[i], " << Float(out.scale) << ", " << Int(out.zero_point)
         << ");\n";
    return true;
  }
  ref::RequantParams p;
  ref::QuantizeMultiplier(
      static_cast<double>(in.scale) / static_cast<double>(out.scale), &p.mult,
      &p.shift);
  body << "    ref::RequantParams p;\n    p.in_zero_point = "
       << Int(in.zero_point)
       << ";\n    p.out_zero_point = " << Int(out.zero_point)
       << ";\n    p.mult = " << Int(p.mult) << ";\n    p.shift = " << p.shift
       << ";\n    const " << Type(in) << "* x = " << x << ";\n    " << out_type
       << "* y = " << y << ";\n    for (int32_t i = 0; i < " << n
       << "; ++i) y[i] = ref::Requantize<" << out_type << ">(p, x[i]);\n";
  return true;
}

bool Generator::Dequantize(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0), out = ctx.output(0);
  body << "    const " << Type(in) << "* x = " << Ref(in)
       << ";\n    float* y = " << Ref(out) << ";\n    for (int32_t i = 0; i < "
       << in.NumElements()
       << "; ++i)\n      y[i] = ref::AffineDequantize(x[i], " << Float(in.scale)
       << ", " << Int(in.zero_point) << ");\n";
  return true;
}

bool Generator::Svdf(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0), feature = ctx.input(1),
                    time = ctx.input(2), state = ctx.input(4),
                    out = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_SVDFOptions();
  ref::SvdfDims d;
  d.batch = in.dim(0);
  d.input_size = in.dim(1);
  d.filters = feature.dim(0);
  d.memory = time.dim(1);
  d.rank = opt->rank();
  ref::SvdfQuantParams q;
  // Products of float scales in float, as the micro op computes them.
  const float s1 = in.scale * feature.scale / state.scale;
  const float s2 = state.scale * time.scale / out.scale;
  ref::QuantizeMultiplier(s1, &q.feature_multiplier, &q.feature_shift);
  ref::QuantizeMultiplier(s2, &q.time_multiplier, &q.time_shift);
  // The int32 scratch planned for this node.
  const size_t scratch = scratch_offset_.at(ctx.node_index());
  body << "    ref::SvdfDims d;\n    d.batch = " << d.batch
       << ";\n    d.input_size = " << d.input_size
       << ";\n    d.filters = " << d.filters << ";\n    d.memory = " << d.memory
       << ";\n    d.rank = " << d.rank
       << ";\n    ref::SvdfQuantParams q;\n    q.input_zero_point = "
       << Int(in.zero_point)
       << ";\n    q.output_zero_point = " << Int(out.zero_point)
       << ";\n    q.state_zero_point = " << Int(state.zero_point)
       << ";\n    q.feature_multiplier = " << Int(q.feature_multiplier)
       << ";\n    q.feature_shift = " << q.feature_shift
       << ";\n    q.time_multiplier = " << Int(q.time_multiplier)
       << ";\n    q.time_shift = " << q.time_shift << ";\n";
  // The DSP kernel where the target has it (micro/int8_kernels.h).
  body << "    micro::SvdfS8<" << Type(state) << ">(d, q, " << Ref(in) << ", "
       << Ref(feature) << ", " << Ref(time) << ", "
       << Bias(*this, ctx, 3, "int32_t") << ", " << Ref(state)
       << ", reinterpret_cast<int32_t*>(g_arena + " << scratch << "), "
       << Ref(out) << ");\n";
  return true;
}

bool Generator::Op(int32_t node, const fb::Operator* op, int32_t code) {
  MicroContext ctx(&interp_, node, op);
  const auto b = static_cast<fb::BuiltinOperator>(code);
  body << "  {  // op #" << node << " " << fb::EnumNameBuiltinOperator(b)
       << "\n";
  bool ok = false;
  switch (b) {
    case fb::BuiltinOperator::FULLY_CONNECTED:
      ok = FullyConnected(ctx);
      break;
    case fb::BuiltinOperator::CONV_2D:
      ok = Conv(ctx, false);
      break;
    case fb::BuiltinOperator::DEPTHWISE_CONV_2D:
      ok = Conv(ctx, true);
      break;
    case fb::BuiltinOperator::AVERAGE_POOL_2D:
      ok = Pool(ctx, true);
      break;
    case fb::BuiltinOperator::MAX_POOL_2D:
      ok = Pool(ctx, false);
      break;
    case fb::BuiltinOperator::SOFTMAX:
      ok = Softmax(ctx);
      break;
    case fb::BuiltinOperator::RESHAPE:
      ok = Reshape(ctx);
      break;
    case fb::BuiltinOperator::QUANTIZE:
      ok = Quantize(ctx);
      break;
    case fb::BuiltinOperator::DEQUANTIZE:
      ok = Dequantize(ctx);
      break;
    case fb::BuiltinOperator::SVDF:
      ok = Svdf(ctx);
      break;
    default:
      return Fail(std::string("--aot does not support ") +
                  fb::EnumNameBuiltinOperator(b) +
                  " yet; export without --aot");
  }
  body << "  }\n";
  if (!ok || !error.empty()) {
    const std::string why = error.empty() ? "unsupported" : error;
    error = "--aot: op #" + std::to_string(node) + " " +
            fb::EnumNameBuiltinOperator(b) + ": " + why;
    return false;
  }
  return true;
}

bool Generator::Run(std::string* out_error, const AotOptions& options) {
  // Variables back to their initial values: the state arrays start there.
  interp_.Reset();
  const fb::Model* model = interp_.model();
  const fb::SubGraph* sg = model->subgraphs()->Get(0);
  const int32_t nodes = interp_.operators_size();
  // Every op is checked before any code is written: an unsupported op is
  // reported by name first.
  for (int32_t n = 0; n < nodes; ++n) {
    const fb::Operator* op = sg->operators()->Get(n);
    const int32_t code = micro::MicroBuiltinCode(
        model->operator_codes()->Get(op->opcode_index()));
    switch (static_cast<fb::BuiltinOperator>(code)) {
      case fb::BuiltinOperator::FULLY_CONNECTED:
      case fb::BuiltinOperator::CONV_2D:
      case fb::BuiltinOperator::DEPTHWISE_CONV_2D:
      case fb::BuiltinOperator::AVERAGE_POOL_2D:
      case fb::BuiltinOperator::MAX_POOL_2D:
      case fb::BuiltinOperator::SOFTMAX:
      case fb::BuiltinOperator::RESHAPE:
      case fb::BuiltinOperator::QUANTIZE:
      case fb::BuiltinOperator::DEQUANTIZE:
      case fb::BuiltinOperator::SVDF:
        break;
      default: {
        // Custom ops (the audio front end's Signal ops) by their name.
        const fb::OperatorCode* oc =
            model->operator_codes()->Get(op->opcode_index());
        const std::string name =
            code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM) &&
                    oc->custom_code()
                ? oc->custom_code()->str()
                : fb::EnumNameBuiltinOperator(
                      static_cast<fb::BuiltinOperator>(code));
        *out_error =
            "--aot does not support " + name + " yet; export without --aot";
        return false;
      }
    }
  }
  AotPlan plan;
  if (!PlanAotArena(interp_, head_, &plan, &error)) {
    *out_error = "--aot: " + error;
    return false;
  }
  unpatched_arena_bytes = plan.arena_bytes;
  // Another order of the ops (branching graphs), or patches (which keep
  // the model's order): the smaller arena.
  if (options.reorder) {
    size_t arena = 0;
    std::vector<int32_t> o =
        BestAotOrder(interp_, head_, plan.arena_bytes, &arena);
    AotPlan p;
    if (!o.empty() && PlanAotArena(interp_, head_, &p, &error, nullptr, &o) &&
        p.arena_bytes < plan.arena_bytes) {
      plan = p;
      order = o;
    }
    error.clear();
  }
  if (options.patches) {
    AotPlan p = plan;
    ChoosePatches(AotPlan(plan), options.patch_rows, &p);
    if (patch.first_node >= 0) {
      if (!order.empty() && p.arena_bytes >= plan.arena_bytes) {
        patch = AotPatchChain();
      } else {
        plan = p;
        order.clear();
      }
    }
  }
  offset_ = plan.tensor_offset;
  scratch_offset_ = plan.scratch_offset;
  band_offset_ = plan.band_offset;
  arena_bytes = plan.arena_bytes;
  for (int32_t p = 0; p < nodes; ++p) {
    const int32_t n = order.empty() ? p : order[p];
    if (n == patch.first_node) {
      if (!PatchedChain()) {
        *out_error = error;
        return false;
      }
      p = patch.last_node;
      continue;
    }
    const fb::Operator* op = sg->operators()->Get(n);
    const int32_t code = micro::MicroBuiltinCode(
        model->operator_codes()->Get(op->opcode_index()));
    if (!Op(n, op, code)) {
      *out_error = error;
      return false;
    }
  }
  return true;
}

std::string InputsFile(const std::vector<std::vector<uint8_t>>& inputs) {
  std::string cc =
      "// Generated by `ember micro export --aot`: the embedded inputs.\n"
      "#include \"app/inputs.h\"\n\n";
  for (size_t i = 0; i < inputs.size(); ++i) {
    cc += Array("uint8_t", "g_input_" + std::to_string(i), inputs[i].data(),
                static_cast<int64_t>(inputs[i].size()));
  }
  // Array() writes `alignas(16) const uint8_t name[n]`: give them external
  // linkage through the header's extern declarations.
  return cc;
}

std::string InputsHeader(const std::vector<std::vector<uint8_t>>& inputs) {
  std::string h =
      "// Generated by `ember micro export --aot`.\n#pragma once\n\n"
      "#include <stdint.h>\n\n";
  for (size_t i = 0; i < inputs.size(); ++i) {
    h += "extern const uint8_t g_input_" + std::to_string(i) + "[" +
         std::to_string(std::max<size_t>(inputs[i].size(), 1)) + "];\n";
  }
  return h;
}

std::string MainFile(const std::vector<MicroTensor>& outs,
                     const std::vector<std::string>& names, size_t n_inputs) {
  std::ostringstream m;
  m << "// Generated by `ember micro export --aot`: runs the embedded inputs\n"
       "// through the compiled model and prints every output over "
       "semihosting,\n// one line each: its name, then its values "
       "(integers in decimal,\n// float32 as bits). Built with "
       "-DEMBER_MICRO_BASELINE it leaves the\n// model out (same inputs), "
       "for the code-size subtraction.\n";
  m << "#include <stdint.h>\n#include <string.h>\n\n"
       "#include \"app/inputs.h\"\n#include \"app/model_aot.h\"\n"
       "#include \"counter.h\"\n#include \"semihost.h\"\n\nnamespace {\n\n";
  m << R"(char g_line[128];
unsigned int g_len = 0;

void Flush() {
  g_line[g_len] = '\0';
  semihost_write0(g_line);
  g_len = 0;
}

void Put(const char* s) {
  while (*s) {
    if (g_len + 1 >= sizeof(g_line)) Flush();
    g_line[g_len++] = *s++;
  }
}

void PutInt(int64_t v) {
  char buf[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) buf[n++] = '-';
  char out[24];
  for (int i = 0; i < n; ++i) out[i] = buf[n - 1 - i];
  out[n] = '\0';
  Put(out);
}

void PutValue(int64_t v) { PutInt(v); }

void PutValue(float f) {
  uint32_t v;
  memcpy(&v, &f, 4);
  char out[11] = "0x";
  for (int i = 0; i < 8; ++i)
    out[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
  out[10] = '\0';
  Put(out);
}

template <typename T>
void PrintOutput(const char* name, const void* data, int32_t n) {
  Put(name);
  for (int32_t i = 0; i < n; ++i) {
    Put(" ");
    T v;
    memcpy(&v, static_cast<const uint8_t*>(data) + i * sizeof(T), sizeof(T));
    if constexpr (sizeof(T) == 4 && static_cast<T>(0.5) != 0) {
      PutValue(static_cast<float>(v));
    } else {
      PutValue(static_cast<int64_t>(v));
    }
  }
  Put("\n");
  Flush();
}

}  // namespace

int main() {
)";
  m << "#ifdef EMBER_MICRO_BASELINE\n"
       "  // The same inputs kept alive, no model: a checksum.\n"
       "  uint32_t sum = 0;\n";
  for (size_t i = 0; i < n_inputs; ++i)
    m << "  for (uint8_t v : g_input_" << i << ") sum += v;\n";
  m << "  Put(\"# baseline \");\n  PutInt(sum);\n  Put(\"\\n\");\n"
       "  Flush();\n  return 0;\n#else\n";
  for (size_t i = 0; i < n_inputs; ++i) {
    m << "  memcpy(ember_aot_input(" << i << "), g_input_" << i
      << ", ember_aot_input_bytes(" << i << "));\n";
  }
  m << "  counter_start();\n  const uint64_t before = counter_read();\n"
       "  ember_aot_invoke();\n"
       "  const uint64_t counted = counter_read() - before;\n"
       "  Put(\"# arena aot \");\n  PutInt(kEmberAotArenaBytes);\n"
       "  Put(\" state \");\n  PutInt(kEmberAotStateBytes);\n"
       "  Put(\"\\n\");\n  Flush();\n"
       "  Put(\"# counter \");\n  Put(counter_unit());\n  Put(\" \");\n"
       "  PutInt(static_cast<int64_t>(counted));\n  Put(\"\\n\");\n"
       "  Flush();\n";
  for (size_t i = 0; i < outs.size(); ++i) {
    m << "  PrintOutput<" << CType(outs[i].type) << ">(\"" << names[i]
      << "\", ember_aot_output(" << i << "), " << outs[i].NumElements()
      << ");\n";
  }
  m << "  return 0;\n#endif\n}\n";
  return m.str();
}

}  // namespace

bool GenerateAot(micro::MicroInterpreter& interp, const uint8_t* model,
                 size_t model_size, const uint8_t* arena,
                 const std::vector<std::string>& output_names,
                 const std::vector<std::vector<uint8_t>>& inputs,
                 const std::string& model_name, AotModel* out,
                 std::string* error, const AotOptions& options) {
  Generator g(interp, model, model_size, arena);
  if (!g.Run(error, options)) return false;
  std::vector<std::string> in_refs, out_refs;
  std::vector<size_t> in_bytes, out_bytes;
  std::vector<MicroTensor> outs;
  for (int32_t i = 0; i < interp.inputs_size(); ++i) {
    const MicroTensor t = interp.input(i);
    in_refs.push_back(g.Ref(t));
    in_bytes.push_back(t.bytes);
  }
  for (int32_t i = 0; i < interp.outputs_size(); ++i) {
    const MicroTensor t = interp.output(i);
    out_refs.push_back(g.Ref(t));
    out_bytes.push_back(t.bytes);
    outs.push_back(t);
    if (CType(t.type) == nullptr) {
      *error =
          "--aot: output " + std::to_string(i) + " has an unsupported type";
      return false;
    }
  }
  if (!g.error.empty()) {
    *error = "--aot: " + g.error;
    return false;
  }
  const size_t arena_bytes =
      std::max<size_t>((g.arena_bytes + 15) / 16 * 16, 16);
  std::ostringstream h;
  h << "// Generated by `ember micro export --aot` from " << model_name
    << ":\n// the model compiled ahead of time. Every tensor sits at a fixed "
       "offset\n// of one static arena; no interpreter, no heap.\n"
       "#pragma once\n\n#include <stddef.h>\n#include <stdint.h>\n\n";
  h << "constexpr int kEmberAotInputs = " << in_refs.size() << ";\n"
    << "constexpr int kEmberAotOutputs = " << out_refs.size() << ";\n"
    << "// RAM: the activations' arena and the state of variable tensors.\n"
    << "constexpr size_t kEmberAotArenaBytes = " << arena_bytes << ";\n"
    << "constexpr size_t kEmberAotStateBytes = " << g.variable_bytes << ";\n\n"
    << "// Input i's bytes in the arena: write them before every "
       "invoke (the\n// arena is reused as the ops run).\n"
    << "void* ember_aot_input(int i);\nsize_t ember_aot_input_bytes(int "
       "i);\n"
    << "// Output i after ember_aot_invoke().\n"
    << "const void* ember_aot_output(int i);\n"
    << "size_t ember_aot_output_bytes(int i);\n"
    << "// Variable tensors (recurrent state) back to their initial values;\n"
    << "// the first invoke does it.\nvoid ember_aot_reset();\n"
    << "// Runs every op once.\nvoid ember_aot_invoke();\n";
  std::ostringstream s;
  s << "// Generated by `ember micro export --aot` from " << model_name
    << ".\n#include \"app/model_aot.h\"\n\n#include <string.h>\n\n"
       "#include <cmath>\n\n"
       "#include \"kernels/ref/conv.h\"\n"
       "#include \"kernels/ref/depthwise_conv.h\"\n"
       "#include \"kernels/ref/fully_connected.h\"\n"
       "#include \"kernels/ref/pooling.h\"\n"
       "#include \"kernels/ref/quantize.h\"\n"
       "#include \"kernels/ref/softmax.h\"\n"
       "#include \"kernels/ref/svdf.h\"\n"
       "#include \"micro/int8_kernels.h\"\n\n"
       "namespace {\n\nusing namespace ember;\n\n";
  s << "alignas(16) uint8_t g_arena[kEmberAotArenaBytes];\n";
  s << g.variables.str();
  s << "bool g_ready = false;\n\n";
  s << g.constants.str() << "\n";
  s << "void* const kInputs[] = {";
  for (size_t i = 0; i < in_refs.size(); ++i)
    s << (i ? ", " : "") << in_refs[i];
  if (in_refs.empty()) s << "nullptr";
  s << "};\nconst size_t kInputBytes[] = {";
  for (size_t i = 0; i < in_bytes.size(); ++i)
    s << (i ? ", " : "") << in_bytes[i];
  if (in_bytes.empty()) s << "0";
  s << "};\nconst void* const kOutputs[] = {";
  for (size_t i = 0; i < out_refs.size(); ++i)
    s << (i ? ", " : "") << out_refs[i];
  if (out_refs.empty()) s << "nullptr";
  s << "};\nconst size_t kOutputBytes[] = {";
  for (size_t i = 0; i < out_bytes.size(); ++i)
    s << (i ? ", " : "") << out_bytes[i];
  if (out_bytes.empty()) s << "0";
  s << "};\n\n}  // namespace\n\n";
  s << "void* ember_aot_input(int i) {\n  return i >= 0 && i < "
       "kEmberAotInputs ? kInputs[i] : nullptr;\n}\n"
       "size_t ember_aot_input_bytes(int i) {\n  return i >= 0 && i < "
       "kEmberAotInputs ? kInputBytes[i] : 0;\n}\n"
       "const void* ember_aot_output(int i) {\n  return i >= 0 && i < "
       "kEmberAotOutputs ? kOutputs[i] : nullptr;\n}\n"
       "size_t ember_aot_output_bytes(int i) {\n  return i >= 0 && i < "
       "kEmberAotOutputs ? kOutputBytes[i] : 0;\n}\n\n";
  s << "void ember_aot_reset() {\n";
  for (const std::string& r : g.resets) s << r;
  s << "  g_ready = true;\n}\n\n";
  s << "void ember_aot_invoke() {\n  if (!g_ready) ember_aot_reset();\n"
    << g.body.str() << "}\n";
  out->source = s.str();
  out->header = h.str();
  out->main = MainFile(outs, output_names, inputs.size());
  out->inputs = InputsFile(inputs);
  out->inputs_header = InputsHeader(inputs);
  out->arena_bytes = arena_bytes;
  out->variable_bytes = g.variable_bytes;
  out->constant_bytes = g.constant_bytes;
  out->unpatched_arena_bytes =
      std::max<size_t>((g.unpatched_arena_bytes + 15) / 16 * 16, 16);
  out->reordered = !g.order.empty();
  out->order = g.order;
  if (g.patch.first_node >= 0) {
    out->patch_first_node = g.patch.first_node;
    out->patch_layers = g.patch.last_node - g.patch.first_node + 1;
    out->patch_rows = g.patch_rows;
  }
  return true;
}

}  // namespace ember::cli
