#include "gpu/op_plan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace ember::gpu {

namespace {

// .tflite BuiltinOperator codes the delegate knows.
enum Builtin : int32_t {
  kAdd = 0,
  kAveragePool2d = 1,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDepthToSpace = 5,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kRelu = 19,
  kReluN1To1 = 20,
  kRelu6 = 21,
  kReshape = 22,
  kResizeBilinear = 23,
  kSoftmax = 25,
  kSpaceToDepth = 26,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kPrelu = 54,
  kMaximum = 55,
  kMinimum = 57,
  kPadV2 = 60,
  kTransposeConv = 67,
  kExpandDims = 70,
  kResizeNearest = 97,
  kLeakyRelu = 98,
  kSquaredDifference = 99,
  kElu = 111,
  kHardSwish = 117,
  kRelu0To1 = 152,
};

constexpr int32_t kFloat32 = 0, kFloat16 = 1, kInt32 = 2;
constexpr char kTransposeBias[] = "Convolution2DTransposeBias";

const EmberDelegateTensor* T(const EmberDelegateGraph* g, int32_t t) {
  return t >= 0 && t < g->num_tensors ? &g->tensors[t] : nullptr;
}

int64_t Count(const EmberDelegateTensor& t) {
  int64_t n = 1;
  for (int d = 0; d < t.rank; ++d) n *= t.dims[d];
  return n;
}

bool IsF32(const EmberDelegateGraph* g, int32_t t) {
  const EmberDelegateTensor* x = T(g, t);
  return x != nullptr && x->type == kFloat32;
}

EmberDelegateNodeOptions OptionsOf(const EmberDelegateGraph* g, int32_t n) {
  if (g->abi_version >= 2 && g->node_options != nullptr)
    return g->node_options[n];
  EmberDelegateNodeOptions o{};
  o.padding = -1;
  return o;
}

bool IsFp16ConstantDequantize(const EmberDelegateGraph* g,
                              const EmberDelegateNode& node) {
  if (node.builtin_code != kDequantize || node.num_inputs != 1 ||
      node.num_outputs != 1)
    return false;
  const EmberDelegateTensor* in = T(g, node.inputs[0]);
  return in != nullptr && in->type == kFloat16 && in->is_constant &&
         IsF32(g, node.outputs[0]);
}

// Weights: float32 constants, or the output of a DEQUANTIZE of fp16
// constants (folded to fp32 at upload).
bool IsWeight(const EmberDelegateGraph* g, int32_t t) {
  if (!IsF32(g, t)) return false;
  if (g->tensors[t].is_constant) return true;
  for (int32_t n = 0; n < g->num_nodes; ++n) {
    const EmberDelegateNode& node = g->nodes[n];
    for (int32_t k = 0; k < node.num_outputs; ++k)
      if (node.outputs[k] == t) return IsFp16ConstantDequantize(g, node);
  }
  return false;
}

bool ActivationOk(int32_t fused) { return fused <= 3; }  // NONE..RELU6

bool AllF32(const EmberDelegateGraph* g, const EmberDelegateNode& n,
            int32_t inputs) {
  if (n.num_inputs < inputs || n.num_outputs != 1) return false;
  for (int32_t i = 0; i < inputs; ++i)
    if (!IsF32(g, n.inputs[i])) return false;
  return IsF32(g, n.outputs[0]);
}

int32_t Input(const EmberDelegateNode& n, int32_t i) {
  return i < n.num_inputs ? n.inputs[i] : -1;
}

int32_t Rank(const EmberDelegateGraph* g, int32_t t) {
  const EmberDelegateTensor* x = T(g, t);
  return x ? x->rank : -1;
}

bool OptionalBias(const EmberDelegateGraph* g, int32_t t) {
  return t < 0 || (IsWeight(g, t) && Rank(g, t) == 1);
}

int32_t FloatBits(float f) {
  int32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

// The fused activation as the clamp range every shader applies.
void SetActivation(int32_t fused, Dispatch* d) {
  const float inf = std::numeric_limits<float>::infinity();
  float lo = -inf, hi = inf;
  if (fused == 1) lo = 0.0f;
  if (fused == 2) lo = -1.0f, hi = 1.0f;
  if (fused == 3) lo = 0.0f, hi = 6.0f;
  d->push[30] = FloatBits(lo);
  d->push[31] = FloatBits(hi);
}

// TFLite's SAME padding (leading side); 0 for VALID.
int32_t Padding(int32_t padding, int32_t stride, int32_t dilation, int32_t in,
                int32_t filter, int32_t out) {
  if (padding != 0) return 0;
  const int32_t effective = (filter - 1) * dilation + 1;
  const int32_t total = (out - 1) * stride + effective - in;
  return total > 0 ? total / 2 : 0;
}

// Right-aligned 4-D dims of a tensor of rank <= 4.
void Dims4(const EmberDelegateTensor& t, int32_t out[4]) {
  for (int a = 0; a < 4; ++a) {
    const int src = t.rank - 4 + a;
    out[a] = src >= 0 ? t.dims[src] : 1;
  }
}

bool SupportsUnary(int32_t code) {
  switch (code) {
    case kRelu:
    case kRelu6:
    case kReluN1To1:
    case kLogistic:
    case kTanh:
    case kHardSwish:
    case kLeakyRelu:
    case kElu:
    case kRelu0To1:
      return true;
    default:
      return false;
  }
}

int32_t UnaryCode(int32_t code) {
  switch (code) {
    case kRelu:
      return 1;
    case kRelu6:
      return 2;
    case kReluN1To1:
      return 3;
    case kLogistic:
      return 4;
    case kTanh:
      return 5;
    case kHardSwish:
      return 6;
    case kRelu0To1:
      return 7;
    case kLeakyRelu:
      return 8;
    case kElu:
      return 9;
    default:
      return 0;
  }
}

int32_t BinaryCode(int32_t code) {
  switch (code) {
    case kAdd:
      return 0;
    case kSub:
      return 1;
    case kMul:
      return 2;
    case kDiv:
      return 3;
    case kPrelu:
      return 4;
    case kMaximum:
      return 5;
    case kMinimum:
      return 6;
    case kSquaredDifference:
      return 7;
    default:
      return -1;
  }
}

bool IsTransposeBias(const EmberDelegateNode& n) {
  return n.builtin_code == kCustom && n.custom_code != nullptr &&
         std::strcmp(n.custom_code, kTransposeBias) == 0;
}

bool ConstInt32(const EmberDelegateGraph* g, int32_t t) {
  const EmberDelegateTensor* x = T(g, t);
  return x != nullptr && x->type == kInt32 && x->is_constant && x->data;
}

}  // namespace

bool SupportsNode(const EmberDelegateGraph* g, int32_t index) {
  if (g == nullptr || index < 0 || index >= g->num_nodes) return false;
  const EmberDelegateNode& n = g->nodes[index];
  // Without the node options (an ABI 1 host) only option-free ops work.
  const bool have_options = g->abi_version >= 2 && g->node_options;
  const EmberDelegateNodeOptions o = OptionsOf(g, index);
  if (!ActivationOk(n.fused_activation)) return false;
  const int32_t code = n.builtin_code;
  switch (code) {
    case kDequantize:
      return IsFp16ConstantDequantize(g, n);
    case kConv2d:
      return have_options && AllF32(g, n, 1) && Rank(g, n.inputs[0]) == 4 &&
             IsWeight(g, Input(n, 1)) && Rank(g, n.inputs[1]) == 4 &&
             OptionalBias(g, Input(n, 2)) && o.stride_h > 0 && o.stride_w > 0 &&
             o.dilation_h > 0 && o.dilation_w > 0;
    case kDepthwiseConv2d:
      return have_options && AllF32(g, n, 1) && Rank(g, n.inputs[0]) == 4 &&
             IsWeight(g, Input(n, 1)) && Rank(g, n.inputs[1]) == 4 &&
             OptionalBias(g, Input(n, 2)) && o.stride_h > 0 && o.stride_w > 0 &&
             o.dilation_h > 0 && o.dilation_w > 0;
    case kTransposeConv:
      return have_options && n.num_outputs == 1 && IsF32(g, n.outputs[0]) &&
             IsF32(g, Input(n, 2)) && Rank(g, n.inputs[2]) == 4 &&
             IsWeight(g, Input(n, 1)) && Rank(g, n.inputs[1]) == 4 &&
             OptionalBias(g, Input(n, 3)) && o.stride_h > 0 && o.stride_w > 0;
    case kCustom: {
      if (!IsTransposeBias(n) || !have_options || o.custom_options_size < 12 ||
          !AllF32(g, n, 1) || Rank(g, n.inputs[0]) != 4 ||
          !IsWeight(g, Input(n, 1)) || Rank(g, n.inputs[1]) != 4 ||
          !OptionalBias(g, Input(n, 2)))
        return false;
      int32_t fields[3];
      std::memcpy(fields, o.custom_options, sizeof(fields));
      return (fields[0] == 1 || fields[0] == 2) && fields[1] > 0 &&
             fields[2] > 0;
    }
    case kFullyConnected:
      return AllF32(g, n, 1) && IsWeight(g, Input(n, 1)) &&
             Rank(g, n.inputs[1]) == 2 && OptionalBias(g, Input(n, 2));
    case kAveragePool2d:
    case kMaxPool2d:
      return have_options && AllF32(g, n, 1) && Rank(g, n.inputs[0]) == 4 &&
             o.stride_h > 0 && o.stride_w > 0 && o.filter_h > 0 &&
             o.filter_w > 0;
    case kMean:
      return have_options && n.num_inputs == 2 && n.num_outputs == 1 &&
             IsF32(g, n.inputs[0]) && IsF32(g, n.outputs[0]) &&
             Rank(g, n.inputs[0]) <= 4 && ConstInt32(g, n.inputs[1]);
    case kConcatenation:
      if (!have_options || n.num_outputs != 1 || !IsF32(g, n.outputs[0]))
        return false;
      for (int32_t i = 0; i < n.num_inputs; ++i)
        if (!IsF32(g, n.inputs[i])) return false;
      return n.num_inputs > 0;
    case kReshape:
    case kSqueeze:
    case kExpandDims:
      return n.num_inputs >= 1 && n.num_outputs == 1 && IsF32(g, n.inputs[0]) &&
             IsF32(g, n.outputs[0]);
    case kPad:
    case kPadV2:
      return n.num_inputs >= 2 && AllF32(g, n, 1) &&
             Rank(g, n.inputs[0]) <= 4 && ConstInt32(g, n.inputs[1]) &&
             (code == kPad || n.num_inputs < 3 ||
              (IsF32(g, n.inputs[2]) && g->tensors[n.inputs[2]].is_constant));
    case kResizeBilinear:
    case kResizeNearest:
      return have_options && AllF32(g, n, 1) && Rank(g, n.inputs[0]) == 4;
    case kSoftmax:
      return have_options && AllF32(g, n, 1) && Rank(g, n.inputs[0]) >= 1;
    case kDepthToSpace:
    case kSpaceToDepth:
      // The block size is not in the node options: PlanNode derives it
      // from the shapes (and checks them).
      return AllF32(g, n, 1) && Rank(g, n.inputs[0]) == 4 &&
             Rank(g, n.outputs[0]) == 4;
    default:
      break;
  }
  if (SupportsUnary(code)) return AllF32(g, n, 1);
  if (BinaryCode(code) >= 0)
    return AllF32(g, n, 2) && Rank(g, n.inputs[0]) <= 4 &&
           Rank(g, n.inputs[1]) <= 4 && Rank(g, n.outputs[0]) <= 4;
  return false;
}

namespace {

bool Fail(std::string* error, const std::string& why) {
  *error = why;
  return false;
}

// Window ops (conv, depthwise, transpose conv): the shared push words.
void WindowWords(const EmberDelegateTensor& in, const EmberDelegateTensor& out,
                 int32_t kh, int32_t kw, Dispatch* d) {
  d->push[0] = in.dims[0];
  d->push[1] = in.dims[1];
  d->push[2] = in.dims[2];
  d->push[3] = in.dims[3];
  d->push[4] = out.dims[1];
  d->push[5] = out.dims[2];
  d->push[6] = out.dims[3];
  d->push[7] = kh;
  d->push[8] = kw;
  d->threads = Count(out);
  d->push[17] = static_cast<int32_t>(d->threads);
}

}  // namespace

bool PlanNode(const EmberDelegateGraph* g, int32_t index, NodePlan* plan,
              std::string* error) {
  const EmberDelegateNode& n = g->nodes[index];
  const EmberDelegateNodeOptions o = OptionsOf(g, index);
  const int32_t code = n.builtin_code;
  const int32_t out_t = n.outputs[0];
  const EmberDelegateTensor& out = g->tensors[out_t];
  if (Count(out) > std::numeric_limits<int32_t>::max() / 2)
    return Fail(error, "tensor too large for 32-bit indexing");
  Dispatch d;
  d.bind[3] = out_t;
  SetActivation(n.fused_activation, &d);
  switch (code) {
    case kDequantize:
      plan->fp16_constant = true;
      return true;
    case kReshape:
    case kSqueeze:
    case kExpandDims:
      if (Count(g->tensors[n.inputs[0]]) != Count(out))
        return Fail(error, "reshape changes the element count");
      plan->alias_of = n.inputs[0];
      return true;
    case kConv2d:
    case kDepthwiseConv2d: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      const EmberDelegateTensor& f = g->tensors[n.inputs[1]];
      if (out.rank != 4 || out.dims[0] != in.dims[0])
        return Fail(error, "conv output shape");
      const int32_t kh = f.dims[1], kw = f.dims[2];
      WindowWords(in, out, kh, kw, &d);
      d.push[9] = o.stride_h;
      d.push[10] = o.stride_w;
      d.push[11] = o.dilation_h;
      d.push[12] = o.dilation_w;
      d.push[13] = Padding(o.padding, o.stride_h, o.dilation_h, in.dims[1], kh,
                           out.dims[1]);
      d.push[14] = Padding(o.padding, o.stride_w, o.dilation_w, in.dims[2], kw,
                           out.dims[2]);
      d.push[16] = Input(n, 2) >= 0;
      if (code == kConv2d) {
        if (f.dims[0] != out.dims[3] || f.dims[3] <= 0 ||
            in.dims[3] % f.dims[3] != 0)
          return Fail(error, "conv filter shape");
        const int32_t groups = in.dims[3] / f.dims[3];
        if (out.dims[3] % groups != 0)
          return Fail(error, "output channels not divisible by groups");
        d.push[15] = groups;
        d.shader = "conv2d";
      } else {
        if (f.dims[0] != 1 || f.dims[3] != out.dims[3] || in.dims[3] <= 0 ||
            out.dims[3] % in.dims[3] != 0)
          return Fail(error, "depthwise filter shape");
        d.push[15] = out.dims[3] / in.dims[3];
        d.shader = "depthwise_conv2d";
      }
      d.bind[0] = n.inputs[0];
      d.bind[1] = n.inputs[1];
      d.bind[2] = Input(n, 2);
      break;
    }
    case kTransposeConv:
    case kCustom: {
      const bool custom = code == kCustom;
      const int32_t in_t = custom ? n.inputs[0] : n.inputs[2];
      const int32_t bias_t = custom ? Input(n, 2) : Input(n, 3);
      const EmberDelegateTensor& in = g->tensors[in_t];
      const EmberDelegateTensor& f = g->tensors[n.inputs[1]];
      if (out.rank != 4 || f.dims[0] != out.dims[3] || f.dims[3] != in.dims[3])
        return Fail(error, "transpose conv shapes");
      const int32_t kh = f.dims[1], kw = f.dims[2];
      WindowWords(in, out, kh, kw, &d);
      int32_t sh = o.stride_h, sw = o.stride_w, pad_h = 0, pad_w = 0;
      if (custom) {
        int32_t fields[3];
        std::memcpy(fields, o.custom_options, sizeof(fields));
        sw = fields[1];
        sh = fields[2];
        if (fields[0] == 1) {  // MediaPipe's SAME rule
          pad_h = std::max(0, kh - (in.dims[1] - 1) % sh - 1) / 2;
          pad_w = std::max(0, kw - (in.dims[2] - 1) % sw - 1) / 2;
        }
      } else {
        // The forward convolution's padding, from the output to the input.
        pad_h = Padding(o.padding, sh, 1, out.dims[1], kh, in.dims[1]);
        pad_w = Padding(o.padding, sw, 1, out.dims[2], kw, in.dims[2]);
      }
      d.push[9] = sh;
      d.push[10] = sw;
      d.push[13] = pad_h;
      d.push[14] = pad_w;
      d.push[16] = bias_t >= 0;
      d.bind[0] = in_t;
      d.bind[1] = n.inputs[1];
      d.bind[2] = bias_t;
      d.shader = "transpose_conv2d";
      break;
    }
    case kFullyConnected: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      const EmberDelegateTensor& w = g->tensors[n.inputs[1]];
      const int32_t k = w.dims[1], units = w.dims[0];
      if (k <= 0 || Count(in) % k != 0 || Count(out) != Count(in) / k * units)
        return Fail(error, "fully connected shapes");
      d.push[1] = k;
      d.push[2] = units;
      d.push[3] = Input(n, 2) >= 0;
      d.threads = Count(out);
      d.push[4] = static_cast<int32_t>(d.threads);
      d.bind[0] = n.inputs[0];
      d.bind[1] = n.inputs[1];
      d.bind[2] = Input(n, 2);
      d.shader = "fully_connected";
      break;
    }
    case kAveragePool2d:
    case kMaxPool2d: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      if (out.rank != 4 || out.dims[3] != in.dims[3])
        return Fail(error, "pool shapes");
      for (int a = 0; a < 4; ++a) d.push[a] = in.dims[a];
      d.push[4] = out.dims[1];
      d.push[5] = out.dims[2];
      d.push[6] = o.filter_h;
      d.push[7] = o.filter_w;
      d.push[8] = o.stride_h;
      d.push[9] = o.stride_w;
      d.push[10] = Padding(o.padding, o.stride_h, 1, in.dims[1], o.filter_h,
                           out.dims[1]);
      d.push[11] = Padding(o.padding, o.stride_w, 1, in.dims[2], o.filter_w,
                           out.dims[2]);
      d.push[12] = code == kMaxPool2d;
      d.threads = Count(out);
      d.push[13] = static_cast<int32_t>(d.threads);
      d.bind[0] = n.inputs[0];
      d.shader = "pool2d";
      break;
    }
    case kMean: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      const EmberDelegateTensor& axes = g->tensors[n.inputs[1]];
      int32_t dims[4];
      Dims4(in, dims);
      for (int a = 0; a < 4; ++a) d.push[a] = dims[a];
      const int32_t* list = static_cast<const int32_t*>(axes.data);
      for (int64_t i = 0; i < Count(axes); ++i) {
        int32_t axis = list[i] < 0 ? list[i] + in.rank : list[i];
        if (axis < 0 || axis >= in.rank) return Fail(error, "mean axis");
        d.push[4 + axis + (4 - in.rank)] = 1;
      }
      int64_t kept = 1;
      for (int a = 0; a < 4; ++a) kept *= d.push[4 + a] ? 1 : dims[a];
      if (kept != Count(out)) return Fail(error, "mean output shape");
      d.threads = kept;
      d.push[8] = static_cast<int32_t>(kept);
      d.bind[0] = n.inputs[0];
      d.shader = "mean";
      SetActivation(0, &d);
      break;
    }
    case kConcatenation: {
      const int32_t rank = out.rank;
      const int32_t axis = o.axis < 0 ? o.axis + rank : o.axis;
      if (axis < 0 || axis >= rank) return Fail(error, "concatenation axis");
      int64_t outer = 1, inner = 1;
      for (int a = 0; a < axis; ++a) outer *= out.dims[a];
      for (int a = axis + 1; a < rank; ++a) inner *= out.dims[a];
      int64_t offset = 0;
      for (int32_t i = 0; i < n.num_inputs; ++i) {
        const EmberDelegateTensor& in = g->tensors[n.inputs[i]];
        if (in.rank != rank) return Fail(error, "concatenation ranks");
        Dispatch c = d;
        c.shader = "copy_slice";
        c.bind[0] = n.inputs[i];
        c.push[1] = static_cast<int32_t>(in.dims[axis] * inner);
        c.push[2] = static_cast<int32_t>(out.dims[axis] * inner);
        c.push[3] = static_cast<int32_t>(offset * inner);
        c.threads = outer * in.dims[axis] * inner;
        c.push[4] = static_cast<int32_t>(c.threads);
        offset += in.dims[axis];
        if (c.threads > 0) plan->dispatches.push_back(c);
      }
      if (offset != out.dims[axis]) return Fail(error, "concatenation sizes");
      return true;
    }
    case kPad:
    case kPadV2: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      const EmberDelegateTensor& pads = g->tensors[n.inputs[1]];
      if (Count(pads) != 2 * in.rank || out.rank != in.rank)
        return Fail(error, "paddings shape");
      const int32_t* p = static_cast<const int32_t*>(pads.data);
      const int shift = 4 - in.rank;
      int32_t in4[4], out4[4];
      Dims4(in, in4);
      Dims4(out, out4);
      for (int a = 0; a < 4; ++a) {
        d.push[a] = in4[a];
        d.push[4 + a] = out4[a];
        d.push[8 + a] = a >= shift ? p[2 * (a - shift)] : 0;
        if (d.push[8 + a] < 0) return Fail(error, "negative padding");
      }
      float fill = 0.0f;
      if (code == kPadV2 && n.num_inputs >= 3 && n.inputs[2] >= 0) {
        const EmberDelegateTensor& value = g->tensors[n.inputs[2]];
        if (value.data == nullptr || Count(value) < 1)
          return Fail(error, "PADV2 without a constant value");
        fill = *static_cast<const float*>(value.data);
      }
      d.push[12] = FloatBits(fill);
      d.threads = Count(out);
      d.push[13] = static_cast<int32_t>(d.threads);
      d.bind[0] = n.inputs[0];
      d.shader = "pad";
      break;
    }
    case kResizeBilinear:
    case kResizeNearest: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      if (out.rank != 4 || out.dims[3] != in.dims[3])
        return Fail(error, "resize shapes");
      for (int a = 0; a < 4; ++a) d.push[a] = in.dims[a];
      d.push[4] = out.dims[1];
      d.push[5] = out.dims[2];
      d.push[6] = code == kResizeBilinear;
      auto scale = [&](int32_t in_size, int32_t out_size) {
        return o.align_corners && out_size > 1
                   ? static_cast<float>(in_size - 1) / (out_size - 1)
                   : static_cast<float>(in_size) / out_size;
      };
      d.push[7] = FloatBits(scale(in.dims[1], out.dims[1]));
      d.push[8] = FloatBits(scale(in.dims[2], out.dims[2]));
      d.push[9] = o.align_corners;
      d.push[10] = o.half_pixel_centers;
      d.threads = Count(out);
      d.push[11] = static_cast<int32_t>(d.threads);
      d.bind[0] = n.inputs[0];
      d.shader = "resize";
      break;
    }
    case kDepthToSpace:
    case kSpaceToDepth: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      const bool to_space = code == kDepthToSpace;
      const EmberDelegateTensor& deep = to_space ? in : out;
      const EmberDelegateTensor& wide = to_space ? out : in;
      const int32_t b = deep.dims[1] > 0 ? wide.dims[1] / deep.dims[1] : 0;
      if (b < 1 || wide.dims[0] != deep.dims[0] ||
          wide.dims[1] != deep.dims[1] * b ||
          wide.dims[2] != deep.dims[2] * b ||
          deep.dims[3] != wide.dims[3] * b * b)
        return Fail(error, "depth/space shapes");
      d.push[0] = to_space ? 0 : 1;
      for (int a = 0; a < 4; ++a) {
        d.push[1 + a] = in.dims[a];
        d.push[5 + a] = out.dims[a];
      }
      d.push[9] = b;
      d.threads = Count(out);
      d.push[10] = static_cast<int32_t>(d.threads);
      d.bind[0] = n.inputs[0];
      d.shader = "space_depth";
      SetActivation(0, &d);
      break;
    }
    case kSoftmax: {
      const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
      const int32_t depth = in.dims[in.rank - 1];
      if (depth <= 0) return Fail(error, "softmax depth");
      d.push[0] = static_cast<int32_t>(Count(in) / depth);
      d.push[1] = depth;
      d.push[2] = FloatBits(o.beta);
      d.threads = d.push[0];
      d.bind[0] = n.inputs[0];
      d.shader = "softmax";
      break;
    }
    default: {
      if (SupportsUnary(code)) {
        d.push[0] = UnaryCode(code);
        d.push[2] = FloatBits(o.alpha);
        d.threads = Count(out);
        d.push[1] = static_cast<int32_t>(d.threads);
        d.bind[0] = n.inputs[0];
        d.shader = "unary";
        break;
      }
      const int32_t op = BinaryCode(code);
      if (op < 0) return Fail(error, "unsupported op");
      const EmberDelegateTensor& a = g->tensors[n.inputs[0]];
      const EmberDelegateTensor& b = g->tensors[n.inputs[1]];
      int32_t a4[4], b4[4], o4[4];
      Dims4(a, a4);
      Dims4(b, b4);
      Dims4(out, o4);
      int32_t a_stride = 1, b_stride = 1;
      for (int k = 3; k >= 0; --k) {
        if ((a4[k] != o4[k] && a4[k] != 1) || (b4[k] != o4[k] && b4[k] != 1))
          return Fail(error, "shapes do not broadcast");
        d.push[1 + k] = o4[k];
        d.push[5 + k] = a4[k] == 1 ? 0 : a_stride;
        d.push[9 + k] = b4[k] == 1 ? 0 : b_stride;
        a_stride *= a4[k];
        b_stride *= b4[k];
      }
      d.push[0] = op;
      d.threads = Count(out);
      d.push[13] = static_cast<int32_t>(d.threads);
      d.bind[0] = n.inputs[0];
      d.bind[1] = n.inputs[1];
      d.shader = "binary";
      break;
    }
  }
  if (d.threads > 0) plan->dispatches.push_back(d);
  return true;
}

bool PlanNodeC4(const EmberDelegateGraph* g, int32_t index, NodePlan* plan) {
  const EmberDelegateNode& n = g->nodes[index];
  const int32_t code = n.builtin_code;
  if (n.num_outputs != 1 || Rank(g, n.outputs[0]) != 4) return false;
  const bool conv = code == kConv2d || code == kDepthwiseConv2d;
  const bool pool = code == kAveragePool2d || code == kMaxPool2d;
  const bool unary = SupportsUnary(code);
  const bool binary = BinaryCode(code) >= 0 && n.num_inputs == 2;
  if (!conv && !pool && !unary && !binary) return false;
  if (Rank(g, n.inputs[0]) != 4) return false;
  const EmberDelegateTensor& in = g->tensors[n.inputs[0]];
  const EmberDelegateTensor& out = g->tensors[n.outputs[0]];
  // Padded element counts (up to 4x for one channel) must index in 32 bits.
  auto padded_ok = [](const EmberDelegateTensor& x) {
    return static_cast<int64_t>(x.dims[0]) * x.dims[1] * x.dims[2] *
               Pad4(x.dims[3]) <=
           std::numeric_limits<int32_t>::max() / 2;
  };
  if (!padded_ok(in) || !padded_ok(out)) return false;
  // Binary operands: how each is read in C4 (its binding and strides).
  int32_t operand_bind[2] = {-1, -1}, strides[2][4] = {};
  if (binary) {
    for (int k = 0; k < 2; ++k) {
      const int32_t t = n.inputs[k];
      const EmberDelegateTensor* x = T(g, t);
      if (x == nullptr) return false;
      if (x->rank == 4) {
        if (!padded_ok(*x)) return false;
        // A 4-D operand (broadcast where its dim is 1) read as C4.
        const int32_t cp = Pad4(x->dims[3]);
        const int32_t step[4] = {x->dims[1] * x->dims[2] * cp, x->dims[2] * cp,
                                 cp, 1};
        for (int a = 0; a < 4; ++a) {
          if (x->dims[a] != out.dims[a] && x->dims[a] != 1) return false;
          strides[k][a] = x->dims[a] == 1 && out.dims[a] != 1 ? 0 : step[a];
        }
        operand_bind[k] = C4Id(t);
      } else if (x->is_constant && Count(*x) == 1) {
        operand_bind[k] = t;  // a scalar: every element reads element 0
      } else if (IsWeight(g, t) && x->rank >= 1 &&
                 x->dims[x->rank - 1] == out.dims[3] &&
                 Count(*x) == out.dims[3]) {
        // Per-channel constants ([C], [1, 1, C]: PRELU's alpha, a scale)
        // packed like a bias, channels padded with zeros.
        operand_bind[k] = PackedId(t, PackKind::kBias);
        strides[k][3] = 1;
      } else {
        return false;
      }
    }
  }
  if (unary)
    for (int a = 0; a < 4; ++a)
      if (in.dims[a] != out.dims[a]) return false;
  if (conv) {
    const EmberDelegateTensor& f = g->tensors[n.inputs[1]];
    if (code == kConv2d && f.dims[3] != in.dims[3]) return false;  // groups
    if (code == kDepthwiseConv2d && out.dims[3] != in.dims[3]) return false;
  }
  std::string ignored;
  NodePlan dense;
  if (!PlanNode(g, index, &dense, &ignored) || dense.dispatches.size() != 1)
    return false;
  Dispatch d = dense.dispatches[0];
  const int32_t cp_out = Pad4(out.dims[3]);
  d.bind[0] = C4Id(n.inputs[0]);
  d.bind[3] = C4Id(n.outputs[0]);
  if (conv) {
    // Counts of vec4: the shaders index whole 4-channel groups.
    d.push[3] = Pad4(in.dims[3]) / 4;
    d.push[6] = cp_out / 4;
    d.threads = static_cast<int64_t>(out.dims[0]) * out.dims[1] * out.dims[2] *
                (cp_out / 4);
    d.push[17] = static_cast<int32_t>(d.threads);
    d.bind[1] =
        PackedId(n.inputs[1], code == kConv2d ? PackKind::kConvFilter
                                              : PackKind::kDepthwiseFilter);
    d.bind[2] = Input(n, 2) >= 0 ? PackedId(n.inputs[2], PackKind::kBias) : -1;
    d.shader = code == kConv2d ? "conv2d_c4" : "depthwise_conv2d_c4";
  } else if (pool) {
    // Every channel is independent: the padding lanes pool zeros to zero.
    d.push[3] = cp_out / 4;
    d.threads = static_cast<int64_t>(out.dims[0]) * out.dims[1] * out.dims[2] *
                (cp_out / 4);
    d.push[13] = static_cast<int32_t>(d.threads);
    d.shader = "pool2d_c4";
  } else {
    const int64_t padded =
        static_cast<int64_t>(out.dims[0]) * out.dims[1] * out.dims[2] * cp_out;
    d.threads = padded;
    d.push[20] = out.dims[3];
    d.push[21] = cp_out;
    if (unary) {
      d.push[1] = static_cast<int32_t>(padded);
    } else {
      d.bind[0] = operand_bind[0];
      d.bind[1] = operand_bind[1];
      d.push[4] = cp_out;
      for (int a = 0; a < 4; ++a) {
        d.push[5 + a] = strides[0][a];
        d.push[9 + a] = strides[1][a];
      }
      d.push[13] = static_cast<int32_t>(padded);
    }
  }
  plan->dispatches.clear();
  plan->dispatches.push_back(d);
  return true;
}

}  // namespace ember::gpu
