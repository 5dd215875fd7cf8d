// The geometry fields shared by the optimized depthwise kernels' argument
// structs (DwConvF32Args, DwConvS8Args), filled from the reference shape.
#pragma once

#include "kernels/ref/depthwise_conv.h"

namespace ember::x86 {

template <typename Args>
void CopyDwGeometry(const ref::DepthwiseShape& s, Args* a) {
  a->batches = s.batches;
  a->in_h = s.in_h;
  a->in_w = s.in_w;
  a->channels = s.in_c;
  a->filter_h = s.filter_h;
  a->filter_w = s.filter_w;
  a->out_h = s.out_h;
  a->out_w = s.out_w;
  a->stride_h = s.stride_h;
  a->stride_w = s.stride_w;
  a->dilation_h = s.dilation_h;
  a->dilation_w = s.dilation_w;
  a->pad_top = s.pad_top;
  a->pad_left = s.pad_left;
}

}  // namespace ember::x86
