// Conv, ConvTranspose and pooling: NHWC TFLite ops. ONNX pads are mapped to
// TFLite's SAME/VALID where they agree, otherwise an explicit PAD goes first.
// Conv runs as int8 when its input, weights and bias come from QDQ pairs.
#include <cmath>
#include <limits>

#include "convert/onnx/ops.h"

namespace ember::convert::onnx {
namespace {

struct Window {
  int64_t in, kernel, stride, dilation, pad_begin, pad_end, out;
};

// True if TFLite's SAME padding reproduces this window exactly.
bool IsSame(const Window& w) {
  const int64_t out = (w.in + w.stride - 1) / w.stride;
  const int64_t effective = (w.kernel - 1) * w.dilation + 1;
  const int64_t total =
      std::max<int64_t>((out - 1) * w.stride + effective - w.in, 0);
  return w.out == out && w.pad_begin == total / 2 &&
         w.pad_end == total - total / 2;
}

bool IsValid(const Window& w) {
  const int64_t effective = (w.kernel - 1) * w.dilation + 1;
  return w.pad_begin == 0 && w.pad_end == 0 &&
         w.out == (w.in - effective) / w.stride + 1;
}

struct Conv2dParams {
  Window h, w;
  fb::Padding padding = fb::Padding::VALID;
  bool explicit_pad = false;
};

// Reads kernel/stride/dilation/pads (+auto_pad, ceil_mode) for a 2-D window
// op over logical NCHW `shape`.
bool ReadWindow(Converter& c, const NodeProto& node,
                const std::vector<int64_t>& shape, std::vector<int64_t> kernel,
                Conv2dParams* p, bool ceil_allowed) {
  if (shape.size() != 4) {
    c.Error(node, "only 2-D (rank-4 NCHW) inputs are supported, got rank " +
                      std::to_string(shape.size()));
    return false;
  }
  std::vector<int64_t> strides = AttrInts(node, "strides");
  std::vector<int64_t> dilations = AttrInts(node, "dilations");
  std::vector<int64_t> pads = AttrInts(node, "pads");
  if (strides.empty()) strides = {1, 1};
  if (dilations.empty()) dilations = {1, 1};
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2 ||
      pads.size() != 4) {
    c.Error(node, "kernel/strides/dilations/pads must describe 2 spatial axes");
    return false;
  }
  const std::string auto_pad = AttrString(node, "auto_pad", "NOTSET");
  const bool ceil_mode = AttrInt(node, "ceil_mode", 0) != 0;
  Window* win[2] = {&p->h, &p->w};
  for (int i = 0; i < 2; ++i) {
    Window& w = *win[i];
    w.in = shape[2 + i];
    w.kernel = kernel[i];
    w.stride = strides[i];
    w.dilation = dilations[i];
    if (w.kernel <= 0 || w.stride <= 0 || w.dilation <= 0) {
      c.Error(node, "kernel, strides and dilations must be positive");
      return false;
    }
    const int64_t effective = (w.kernel - 1) * w.dilation + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      w.out = (w.in + w.stride - 1) / w.stride;
      const int64_t total =
          std::max<int64_t>((w.out - 1) * w.stride + effective - w.in, 0);
      w.pad_begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.pad_end = total - w.pad_begin;
    } else {
      if (auto_pad == "VALID") pads = {0, 0, 0, 0};
      w.pad_begin = pads[i];
      w.pad_end = pads[i + 2];
      const int64_t span = w.in + w.pad_begin + w.pad_end - effective;
      if (span < 0) {
        c.Error(node, "window larger than the padded input");
        return false;
      }
      w.out = (ceil_mode && ceil_allowed ? (span + w.stride - 1) / w.stride
                                         : span / w.stride) +
              1;
      // The last window must start inside the (padded) input.
      if (ceil_mode && (w.out - 1) * w.stride >= w.in + w.pad_begin) --w.out;
      // Padding TFLite needs at the end for `out` windows (ceil mode may
      // need more than the ONNX pads).
      w.pad_end = std::max<int64_t>(
          (w.out - 1) * w.stride + effective - w.in - w.pad_begin, 0);
    }
  }
  if (IsValid(p->h) && IsValid(p->w)) {
    p->padding = fb::Padding::VALID;
  } else if (IsSame(p->h) && IsSame(p->w)) {
    p->padding = fb::Padding::SAME;
  } else {
    p->padding = fb::Padding::VALID;
    p->explicit_pad = true;
  }
  return true;
}

// PAD/PADV2 on an NHWC tensor; `value` is the real value for padding.
int EmitPad(Converter& c, int tensor, const Conv2dParams& p,
            const std::vector<int64_t>& nhwc_shape, const std::string& name,
            const QuantParams* quant, float value) {
  std::vector<int64_t> padded = nhwc_shape;
  padded[1] += p.h.pad_begin + p.h.pad_end;
  padded[2] += p.w.pad_begin + p.w.pad_end;
  const int out = c.Scratch(name + "/padded", padded, kOnnxFloat, quant);
  const int paddings = c.AddInt32Const(
      {0, 0, static_cast<int32_t>(p.h.pad_begin),
       static_cast<int32_t>(p.h.pad_end), static_cast<int32_t>(p.w.pad_begin),
       static_cast<int32_t>(p.w.pad_end), 0, 0},
      name + "/paddings", std::vector<int32_t>{4, 2});
  if (value == 0.0f) {
    c.AddOp(fb::BuiltinOperator::PAD, {tensor, paddings}, {out});
  } else if (quant) {
    HostTensor v;
    v.type = kOnnxInt8;
    v.shape = {};
    v.bytes = {static_cast<uint8_t>(static_cast<int8_t>(-128))};
    c.AddOp(fb::BuiltinOperator::PADV2,
            {tensor, paddings,
             c.AddConst(v, name + "/pad_value", fb::TensorType::INT8, quant)},
            {out});
  } else {
    c.AddOp(
        fb::BuiltinOperator::PADV2,
        {tensor, paddings,
         c.AddFloatConst({value}, name + "/pad_value", std::vector<int32_t>{})},
        {out});
  }
  return out;
}

// The bias of a quantized conv/FC: int32 with scale input_scale * w_scale[o].
HostTensor QuantizedBias(const HostTensor* bias_float, const QuantConst* bias_q,
                         float input_scale, const std::vector<float>& w_scales,
                         int64_t channels) {
  std::vector<double> values(channels, 0.0);
  for (int64_t o = 0; o < channels; ++o) {
    const double scale = static_cast<double>(input_scale) *
                         w_scales[w_scales.size() == 1 ? 0 : o];
    if (bias_q && bias_q->data.type == kOnnxInt32 &&
        bias_q->data.size() == channels && bias_q->params.zero_point[0] == 0 &&
        std::abs(
            bias_q->params.scale[bias_q->params.scale.size() == 1 ? 0 : o] -
            scale) <= 1e-6 * scale) {
      values[o] = bias_q->data.AsDouble(o);  // already in the right scale
    } else if (bias_float) {
      values[o] = std::round(bias_float->AsDouble(o) / scale);
    }
  }
  return HostTensor::FromDoubles(kOnnxInt32, {channels}, values);
}

bool Conv(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out_name = node.output(0);
  const Value* wv = c.Has(node.input(1)) ? &c.Get(node.input(1)) : nullptr;
  if (!wv || !wv->constant || wv->rank() != 4) {
    c.Error(node, "weights must be a rank-4 constant (2-D convolution)");
    return false;
  }
  const HostTensor& w = *wv->constant;
  if (w.size() == 0) {
    c.Error(node, "weights are empty");
    return false;
  }
  const Value& xv = c.Get(x);
  const int64_t groups = AttrInt(node, "group", 1);
  const int64_t out_channels = w.shape[0],
                in_channels = xv.shape.size() == 4 ? xv.shape[1] : 0;
  std::vector<int64_t> kernel = AttrInts(node, "kernel_shape");
  if (kernel.empty()) kernel = {w.shape[2], w.shape[3]};
  Conv2dParams p;
  if (!ReadWindow(c, node, xv.shape, kernel, &p, false)) return false;
  if (groups <= 0 || in_channels % groups || out_channels % groups ||
      w.shape[1] * groups != in_channels) {
    c.Error(node, "weights do not match the input channels and group");
    return false;
  }
  const HostTensor* bias = c.ConstInput(node, 2);
  if (!Converter::Input(node, 2).empty() && !bias) {
    c.Error(node, "bias must be a constant");
    return false;
  }
  // Int8 when the input is a dequantized activation, the weights int8
  // symmetric (zero point 0) and the output goes straight to QuantizeLinear.
  std::string q_out;
  QuantParams qp;
  const QuantConst* wq = wv->qconst ? &*wv->qconst : nullptr;
  bool quantized =
      wq && wq->data.type == kOnnxInt8 &&
      (wq->params.scale.size() == 1 ||
       (wq->params.axis == 0 &&
        static_cast<int64_t>(wq->params.scale.size()) == out_channels));
  if (quantized)
    for (int64_t z : wq->params.zero_point) quantized &= z == 0;
  if (quantized) quantized = c.MatchQuantized(node, {x}, &q_out, &qp);
  const std::string src = quantized ? c.Get(x).dequant_of : x;
  const std::string result_name = quantized ? q_out : out_name;
  const QuantParams* in_q = quantized ? &*c.Get(src).quant : nullptr;
  const QuantParams* out_q = quantized ? &qp : nullptr;

  std::vector<int64_t> nhwc = Permuted(c.Get(src).shape, kNhwc);
  int input = c.TensorIn(src, kNhwc);
  if (p.explicit_pad) {
    input = EmitPad(c, input, p, nhwc, result_name, in_q, 0.0f);
    nhwc[1] += p.h.pad_begin + p.h.pad_end;
    nhwc[2] += p.w.pad_begin + p.w.pad_end;
  }
  const std::vector<int64_t> out_shape = {xv.shape[0], out_channels, p.h.out,
                                          p.w.out};
  const int result = c.NewTensor(
      result_name, quantized ? kOnnxInt8 : kOnnxFloat, out_shape, kNhwc, out_q);
  const HostTensor& weights = quantized ? wq->data : w;
  std::vector<float> w_scales;
  if (quantized) w_scales = wq->params.scale;
  const QuantConst* bias_q = nullptr;
  if (quantized && c.Has(Converter::Input(node, 2)) &&
      c.Get(node.input(2)).qconst)
    bias_q = &*c.Get(node.input(2)).qconst;
  const int64_t in_per_group = in_channels / groups,
                out_per_group = out_channels / groups;
  const bool depthwise = groups > 1 && in_per_group == 1;

  // One group's weights/bias as TFLite constants.
  auto make_bias = [&](int64_t first, int64_t count, const std::string& name) {
    if (quantized) {
      std::vector<float> scales;
      for (int64_t o = 0; o < count; ++o)
        scales.push_back(w_scales[w_scales.size() == 1 ? 0 : first + o]);
      HostTensor full =
          QuantizedBias(bias, bias_q, in_q->scale[0], w_scales, out_channels);
      std::vector<double> part;
      for (int64_t o = 0; o < count; ++o)
        part.push_back(full.AsDouble(first + o));
      QuantParams bq;
      for (float s : scales) bq.scale.push_back(s * in_q->scale[0]);
      bq.zero_point.assign(bq.scale.size(), 0);
      return c.AddConst(HostTensor::FromDoubles(kOnnxInt32, {count}, part),
                        name, fb::TensorType::INT32, &bq, 0);
    }
    std::vector<float> part(count, 0.0f);
    for (int64_t o = 0; o < count && bias; ++o)
      part[o] = static_cast<float>(bias->AsDouble(first + o));
    return c.AddFloatConst(part, name);
  };
  auto weight_quant = [&](int64_t first, int64_t count) {
    QuantParams q;
    for (int64_t o = 0; o < count; ++o)
      q.scale.push_back(w_scales[w_scales.size() == 1 ? 0 : first + o]);
    q.zero_point.assign(q.scale.size(), 0);
    return q;
  };
  auto slice_out = [&](int64_t first, int64_t count) {
    HostTensor part = weights;
    const int64_t per =
        weights.size() / out_channels * OnnxTypeSize(weights.type);
    part.shape[0] = count;
    part.bytes.assign(weights.bytes.begin() + first * per,
                      weights.bytes.begin() + (first + count) * per);
    return part;
  };

  if (depthwise) {
    auto options = fb::DepthwiseConv2DOptionsT();
    options.padding = p.padding;
    options.stride_h = static_cast<int>(p.h.stride);
    options.stride_w = static_cast<int>(p.w.stride);
    options.dilation_h_factor = static_cast<int>(p.h.dilation);
    options.dilation_w_factor = static_cast<int>(p.w.dilation);
    options.depth_multiplier = static_cast<int>(out_per_group);
    fb::BuiltinOptionsUnion u;
    u.Set(options);
    // [O, 1, kh, kw] -> [1, kh, kw, O]
    QuantParams q = quantized ? weight_quant(0, out_channels) : QuantParams();
    const int wt =
        c.AddConst(PermuteHost(weights, {1, 2, 3, 0}), result_name + "/weights",
                   fb::TensorType::FLOAT32, quantized ? &q : nullptr, 3);
    c.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D,
            {input, wt, make_bias(0, out_channels, result_name + "/bias")},
            {result}, std::move(u));
  } else {
    // Grouped convolution runs as SPLIT + one CONV_2D per group + CONCAT.
    std::vector<int32_t> group_inputs = {input};
    if (groups > 1) {
      group_inputs.clear();
      std::vector<int64_t> part = nhwc;
      part[3] = in_per_group;
      for (int64_t g = 0; g < groups; ++g)
        group_inputs.push_back(
            c.Scratch(result_name + "/group_in", part, kOnnxFloat, in_q));
      auto so = fb::SplitOptionsT();
      so.num_splits = static_cast<int>(groups);
      fb::BuiltinOptionsUnion u;
      u.Set(so);
      c.AddOp(
          fb::BuiltinOperator::SPLIT,
          {c.AddInt32Const({3}, result_name + "/axis", std::vector<int32_t>{}),
           input},
          group_inputs, std::move(u));
    }
    std::vector<int32_t> group_outputs;
    for (int64_t g = 0; g < groups; ++g) {
      auto options = fb::Conv2DOptionsT();
      options.padding = p.padding;
      options.stride_h = static_cast<int>(p.h.stride);
      options.stride_w = static_cast<int>(p.w.stride);
      options.dilation_h_factor = static_cast<int>(p.h.dilation);
      options.dilation_w_factor = static_cast<int>(p.w.dilation);
      fb::BuiltinOptionsUnion u;
      u.Set(options);
      const int64_t first = g * out_per_group;
      QuantParams q =
          quantized ? weight_quant(first, out_per_group) : QuantParams();
      // [O, I, kh, kw] -> [O, kh, kw, I]
      const int wt =
          c.AddConst(PermuteHost(slice_out(first, out_per_group), kNhwc),
                     result_name + "/weights", fb::TensorType::FLOAT32,
                     quantized ? &q : nullptr, 0);
      const int out_t =
          groups == 1
              ? result
              : c.Scratch(result_name + "/group_out",
                          {out_shape[0], p.h.out, p.w.out, out_per_group},
                          kOnnxFloat, out_q);
      c.AddOp(fb::BuiltinOperator::CONV_2D,
              {group_inputs[g], wt,
               make_bias(first, out_per_group, result_name + "/bias")},
              {out_t}, std::move(u));
      group_outputs.push_back(out_t);
    }
    if (groups > 1) {
      auto co = fb::ConcatenationOptionsT();
      co.axis = 3;
      fb::BuiltinOptionsUnion u;
      u.Set(co);
      c.AddOp(fb::BuiltinOperator::CONCATENATION, group_outputs, {result},
              std::move(u));
    }
  }
  Value& v = c.Define(result_name, quantized ? kOnnxInt8 : kOnnxFloat,
                      out_shape, kNhwc, result);
  if (quantized) v.quant = qp;
  return true;
}

bool ConvTranspose(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const HostTensor* w = c.ConstInput(node, 1);
  const Value& xv = c.Get(x);
  if (!w || w->rank() != 4 || xv.rank() != 4) {
    c.Error(node, "only 2-D ConvTranspose with constant weights is supported");
    return false;
  }
  if (AttrInt(node, "group", 1) != 1) {
    c.Error(node, "grouped ConvTranspose is not supported");
    return false;
  }
  std::vector<int64_t> strides = AttrInts(node, "strides"),
                       pads = AttrInts(node, "pads");
  std::vector<int64_t> dilations = AttrInts(node, "dilations");
  std::vector<int64_t> output_padding = AttrInts(node, "output_padding");
  if (strides.empty()) strides = {1, 1};
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (output_padding.empty()) output_padding = {0, 0};
  // One entry per spatial axis (two per axis for pads), each in [0, 2^31)
  // and strides at least 1, so that the sizes below neither read past the
  // attributes nor overflow.
  constexpr int64_t kMaxAttr = std::numeric_limits<int32_t>::max();
  auto in_range = [&](const std::vector<int64_t>& values, size_t count,
                      int64_t least) {
    if (values.size() != count) return false;
    for (int64_t value : values)
      if (value < least || value > kMaxAttr) return false;
    return true;
  };
  if (!in_range(strides, 2, 1) || !in_range(pads, 4, 0) ||
      !in_range(output_padding, 2, 0)) {
    c.Error(node,
            "strides (2 values >= 1), pads (4 values >= 0) and "
            "output_padding (2 values >= 0) must be in range (at most 2^31-1)");
    return false;
  }
  for (int64_t d : dilations)
    if (d != 1) {
      c.Error(node, "dilated ConvTranspose is not supported");
      return false;
    }
  if (!AttrInts(node, "output_shape").empty() ||
      AttrString(node, "auto_pad", "NOTSET") != "NOTSET") {
    c.Error(node, "output_shape / auto_pad on ConvTranspose are not supported");
    return false;
  }
  const int64_t out_channels = w->shape[1];
  int64_t full[2], size[2];
  for (int i = 0; i < 2; ++i) {
    full[i] = (xv.shape[2 + i] - 1) * strides[i] + w->shape[2 + i];
    size[i] = full[i] - pads[i] - pads[i + 2] + output_padding[i];
    if (output_padding[i] > pads[i + 2] || size[i] <= 0) {
      c.Error(node, "output_padding beyond the end padding is not supported");
      return false;
    }
  }
  const int input = c.TensorIn(x, kNhwc);
  // [I, O, kh, kw] -> [O, kh, kw, I]
  const int wt = c.AddConst(PermuteHost(*w, {1, 2, 3, 0}), out + "/weights");
  std::vector<float> bias(out_channels, 0.0f);
  if (const HostTensor* b = c.ConstInput(node, 2))
    for (int64_t o = 0; o < out_channels; ++o)
      bias[o] = static_cast<float>(b->AsDouble(o));
  const std::vector<int64_t> full_shape = {xv.shape[0], full[0], full[1],
                                           out_channels};
  const bool crop = size[0] != full[0] || size[1] != full[1];
  const std::vector<int64_t> out_shape = {xv.shape[0], out_channels, size[0],
                                          size[1]};
  const int result = c.NewTensor(out, kOnnxFloat, out_shape, kNhwc);
  const int full_t = crop ? c.Scratch(out + "/full", full_shape) : result;
  auto options = fb::TransposeConvOptionsT();
  options.padding = fb::Padding::VALID;
  options.stride_h = static_cast<int>(strides[0]);
  options.stride_w = static_cast<int>(strides[1]);
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::TRANSPOSE_CONV,
          {c.AddInt32Const(ToI32(full_shape), out + "/output_shape"), wt, input,
           c.AddFloatConst(bias, out + "/bias")},
          {full_t}, std::move(u));
  if (crop) {
    c.AddOp(fb::BuiltinOperator::SLICE,
            {full_t,
             c.AddInt32Const({0, static_cast<int32_t>(pads[0]),
                              static_cast<int32_t>(pads[1]), 0},
                             out + "/begin"),
             c.AddInt32Const(ToI32(Permuted(out_shape, kNhwc)), out + "/size")},
            {result});
  }
  c.Define(out, kOnnxFloat, out_shape, kNhwc, result);
  return true;
}

bool Pool(Converter& c, const NodeProto& node) {
  const std::string& op = node.op_type();
  const bool is_max = op == "MaxPool";
  const std::string x = node.input(0);
  if (node.output_size() > 1 && !node.output(1).empty()) {
    c.Error(node, "MaxPool's indices output is not supported");
    return false;
  }
  Conv2dParams p;
  if (!ReadWindow(c, node, c.Get(x).shape, AttrInts(node, "kernel_shape"), &p,
                  true))
    return false;
  if (p.h.dilation != 1 || p.w.dilation != 1) {
    c.Error(node, "dilated pooling is not supported");
    return false;
  }
  const bool count_pad = AttrInt(node, "count_include_pad", 0) != 0;
  // TFLite SAME average pooling divides by the count of real inputs only.
  if (!is_max && p.padding == fb::Padding::SAME && count_pad)
    p.explicit_pad = true;
  if (!is_max && p.explicit_pad && !count_pad) {
    c.Error(node,
            "average pooling over padding it must not count is not supported");
    return false;
  }
  // Int8 when between DequantizeLinear and QuantizeLinear.
  std::string q_out;
  QuantParams qp;
  const bool quantized = c.MatchQuantized(node, {x}, &q_out, &qp);
  const std::string src = quantized ? c.Get(x).dequant_of : x;
  const std::string result_name = quantized ? q_out : node.output(0);
  const QuantParams* in_q = quantized ? &*c.Get(src).quant : nullptr;
  std::vector<int64_t> nhwc = Permuted(c.Get(src).shape, kNhwc);
  int input = c.TensorIn(src, kNhwc);
  if (p.explicit_pad) {
    if (is_max) p.padding = fb::Padding::VALID;
    input =
        EmitPad(c, input, p, nhwc, result_name, in_q, is_max ? -3.4e38f : 0.0f);
    p.padding = fb::Padding::VALID;
  }
  const std::vector<int64_t> shape = {c.Get(src).shape[0], c.Get(src).shape[1],
                                      p.h.out, p.w.out};
  const int result =
      c.NewTensor(result_name, quantized ? kOnnxInt8 : kOnnxFloat, shape, kNhwc,
                  quantized ? &qp : nullptr);
  auto options = fb::Pool2DOptionsT();
  options.padding = p.padding;
  options.stride_h = static_cast<int>(p.h.stride);
  options.stride_w = static_cast<int>(p.w.stride);
  options.filter_height = static_cast<int>(p.h.kernel);
  options.filter_width = static_cast<int>(p.w.kernel);
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(is_max ? fb::BuiltinOperator::MAX_POOL_2D
                 : fb::BuiltinOperator::AVERAGE_POOL_2D,
          {input}, {result}, std::move(u));
  Value& v = c.Define(result_name, quantized ? kOnnxInt8 : kOnnxFloat, shape,
                      kNhwc, result);
  if (quantized) v.quant = qp;
  return true;
}

bool GlobalPool(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0);
  if (c.Get(x).rank() != 4) {
    c.Error(node, "only rank-4 inputs are supported");
    return false;
  }
  std::string q_out;
  QuantParams qp;
  const bool is_max = node.op_type() == "GlobalMaxPool";
  const bool quantized = c.MatchQuantized(node, {x}, &q_out, &qp);
  const std::string src = quantized ? c.Get(x).dequant_of : x;
  const std::string result_name = quantized ? q_out : node.output(0);
  // Reduce the spatial axes in whatever order the input is stored.
  const std::vector<int> order = c.PermOf(src);
  const std::vector<int> inv = Inverse(order);
  const int input = c.TensorAsStored(src);
  std::vector<int64_t> shape = c.Get(src).shape;
  shape[2] = shape[3] = 1;
  const int result =
      c.NewTensor(result_name, quantized ? kOnnxInt8 : kOnnxFloat, shape, order,
                  quantized ? &qp : nullptr);
  auto options = fb::ReducerOptionsT();
  options.keep_dims = true;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(is_max ? fb::BuiltinOperator::REDUCE_MAX : fb::BuiltinOperator::MEAN,
          {input, c.AddInt32Const({inv[2], inv[3]}, result_name + "/axes")},
          {result}, std::move(u));
  Value& v = c.Define(result_name, quantized ? kOnnxInt8 : kOnnxFloat, shape,
                      order, result);
  if (quantized) v.quant = qp;
  return true;
}

}  // namespace

// Shared with ops_matmul.cc.
HostTensor QuantizedBiasFor(const HostTensor* bias_float,
                            const QuantConst* bias_q, float input_scale,
                            const std::vector<float>& w_scales,
                            int64_t channels) {
  return QuantizedBias(bias_float, bias_q, input_scale, w_scales, channels);
}

OpConverter FindConvOp(const std::string& op) {
  if (op == "Conv") return Conv;
  if (op == "ConvTranspose") return ConvTranspose;
  if (op == "MaxPool" || op == "AveragePool") return Pool;
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return GlobalPool;
  return nullptr;
}

}  // namespace ember::convert::onnx
