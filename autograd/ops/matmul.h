// Matrix product with NumPy semantics: 1-D, 2-D, and batched with broadcast batch dimensions.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

// a @ b. a (..., n, k), b (..., k, m) -> (..., n, m); batch dimensions broadcast.
// A 1-D a is a row vector and a 1-D b a column vector; the added axis is removed from the result.
// This is the one entry point every product in tapegrad goes through, so the kernel can be swapped.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace tapegrad
