// Reductions over one or more axes (negative axes allowed; an empty list means all axes).
// With keepdim the reduced axes stay as size 1, which makes the result broadcast against the input.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

Tensor sum(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdim = false);
// Variance with Bessel's correction by default (divides by N - correction), as torch.var.
Tensor var(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdim = false, int64_t correction = 1);
// log Σ exp(x), computed as m + log Σ exp(x - m) with m the max so that it never overflows.
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdim = false);

// max/min along one axis: values (differentiable; the gradient goes to the first arg-max) and
// int64 indices.
struct ValuesIndices {
    Tensor values;
    Tensor indices;
};
ValuesIndices max(const Tensor& x, int64_t axis, bool keepdim = false);
ValuesIndices min(const Tensor& x, int64_t axis, bool keepdim = false);
// Whole-tensor max/min: a 0-d tensor.
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
Tensor argmax(const Tensor& x, int64_t axis, bool keepdim = false);

// Reduces a broadcast gradient back to `shape` by summing the broadcast axes (the adjoint of expand).
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

}  // namespace tapegrad
