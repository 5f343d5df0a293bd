// Type promotion for ops with several tensor operands: bool < int64 < float32 < float64.
#pragma once

#include <utility>

#include "autograd/tensor.h"

namespace tapegrad {

DType promote_types(DType a, DType b);

// Both operands converted (differentiably) to their common dtype.
std::pair<Tensor, Tensor> promote_pair(const Tensor& a, const Tensor& b);

// Throws "<op>: expected a floating-point tensor, got int64" unless x is float32 or float64.
void require_floating(const Tensor& x, const char* op);

}  // namespace tapegrad
