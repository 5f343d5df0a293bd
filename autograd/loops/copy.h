// Copying, filling and adding between tensors of any layout and dtype: the tensor-level loops over
// kernels/strided_loop.h (no autograd: nothing here records on the tape).
#pragma once

#include "autograd/tensor.h"

namespace tapegrad::loops {

// Strides of `x` as seen from an output of shape `out_shape` (x must broadcast to it): aligned to
// the right, 0 on broadcast axes.
Shape broadcast_strides(const Tensor& x, const Shape& out_shape);

// destination[i] = convert(source[i]) for every element; source must broadcast to destination's shape.
void copy_into(const Tensor& destination, const Tensor& source);

// Every element set to value (converted to the tensor's dtype).
void fill(const Tensor& destination, double value);

// destination[i] += source[i] (source broadcast to destination), in place: how a leaf's .grad accumulates.
void add_into(const Tensor& destination, const Tensor& source);

}  // namespace tapegrad::loops
