// Check mode for the fused ops (TAPEGRAD_KERNELS=check, kernels/kernel_mode.h): a fused op runs its
// composed reference too, keeps its own result, and hands both here to be compared. It compares forward
// results; the fused backwards are compared with the references' in the tests (fast against reference
// gradients, and gradcheck in both modes), and the GEMMs inside any backward check themselves.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

// How far two correct computations of the same result may lie apart, element by element:
//   |fast[i] − reference[i]| ≤ ulps · ε · magnitude[i]  (+ the smallest normal number, for results near 0)
// with ε the dtype's machine epsilon (2⁻²³ for float32, 2⁻⁵² for float64). `magnitude` is the scale the
// rounding errors are proportional to — |x|·|W|ᵀ for a product, the weight itself for a softmax — and
// broadcasts to the result. ulps = 0 asks for the same bits.
struct RoundingBound {
    double ulps = 0;
    Tensor magnitude;           // undefined (with ulps = 0): no magnitude needed
    const char* formula = "0";  // the bound written out, for the error message: "2·(k+1)·ε·(|x|·|W|ᵀ + |b|)"
};

// Throws std::runtime_error naming the op, the worst element (its index and both values) and the bound when
// the two results differ in shape or anywhere beyond the bound. NaN matches NaN only. Records nothing.
void check_against_reference(const char* op, const Tensor& fast, const Tensor& reference, const RoundingBound& bound);

}  // namespace tapegrad
