// Matrix product with NumPy semantics: 1-D, 2-D, and batched with broadcast batch dimensions; and the
// fully connected layer built on it.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

// a @ b. a (..., n, k), b (..., k, m) -> (..., n, m); batch dimensions broadcast.
// A 1-D a is a row vector and a 1-D b a column vector; the added axis is removed from the result.
// matmul, linear and attention's products all call one kernel entry point, kernels::gemm
// (kernels/gemm.h), so the GEMM is swapped (fast, reference, system BLAS) in one place.
Tensor matmul(const Tensor& a, const Tensor& b);

// A fully connected layer, as torch.nn.functional.linear: x (..., in) @ weightᵀ + bias -> (..., out);
// weight (out, in), bias (out) or undefined. Fused: the GEMM adds the bias as it stores the output, so
// the bias costs no extra pass over the output (which for a vocabulary projection is the largest
// tensor of the step). Its reference, matmul then add, runs under TAPEGRAD_KERNELS=reference (and
// both under check).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// For ops that hand matrices (the last two axes) to the GEMM kernel themselves: x itself when its rows
// or its columns are contiguous, which the kernel reads in place, else a contiguous copy (not recorded).
Tensor gemm_ready(const Tensor& x);

}  // namespace tapegrad
