// accumulate_grad: how every backward passes a gradient on to an input.
#pragma once

#include "autograd/tape.h"

namespace tapegrad {

// Adds `grad` into input.grad(), first summing away the axes an op broadcast input over (the gradient of
// a broadcast copy is the sum of the copies' gradients), so that it has input's shape, and converting it
// to input's dtype. Does nothing when input does not require grad. Backward functions call only this
// (or accumulate_grad_into) to pass gradients on.
void accumulate_grad(const Tensor& input, const Tensor& grad);

}  // namespace tapegrad
