// accumulate_grad: reduce a broadcast gradient to its input's shape, then add it (autograd/tape.h).
#include "autograd/ops/accumulate_grad.h"

#include "autograd/ops/reduce.h"

namespace tapegrad {

void accumulate_grad(const Tensor& input, const Tensor& grad) {
    if (!input.requires_grad()) return;
    NoGradGuard no_grad;
    add_to_grad(input, grad.shape() == input.shape() ? grad : sum_to_shape(grad, input.shape()));
}

}  // namespace tapegrad
