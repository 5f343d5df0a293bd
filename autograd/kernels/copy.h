// Copying elements between tensors of any layout and dtype (no autograd: kernels know nothing of the tape).
#pragma once

#include "autograd/tensor.h"

namespace tapegrad::kernels {

// destination[i] = convert(source[i]) for every element; source must broadcast to destination's shape.
void copy_into(const Tensor& destination, const Tensor& source);

// Every element set to value (converted to the tensor's dtype).
void fill(const Tensor& destination, double value);

}  // namespace tapegrad::kernels

namespace tapegrad::kernels {

// destination[i] += source[i] (source broadcast to destination), in place: how a leaf's .grad accumulates.
void add_into(const Tensor& destination, const Tensor& source);

}  // namespace tapegrad::kernels
