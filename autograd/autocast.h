// Autocast: mixed precision the way PyTorch's CPU autocast does it. Inside an AutocastGuard the products —
// linear, matmul, and attention's score and value products — take bfloat16 inputs and accumulate in
// float32; everything else (softmax, layer_norm, cross_entropy, reductions, the loss, elementwise ops)
// runs in float32 as before. The weights stay float32 ("master weights"): each product rounds a copy of
// its inputs, and the gradient flows back through that rounding to the float32 weight, so the optimizer,
// its state and gradient clipping never see bfloat16. Only float32 inputs are rounded: float64 (gradcheck)
// is left exact, and gradcheck turns autocast off while it runs.
//
//   {
//       tapegrad::AutocastGuard autocast;              // bfloat16 products until the end of the scope
//       const Tensor loss = model.loss(batch);         // products in bfloat16, the rest in float32
//       loss.backward();                               // the backward products see the same rounded inputs
//   }
//   optimizer.step();                                  // float32 weights, float32 gradients
//
// Which op runs in which type is listed in docs/mixed_precision.md.
#pragma once

#include <optional>

#include "autograd/tensor.h"

namespace tapegrad {

// Turns autocast on (or, with enabled = false, off) for this thread until the guard is destroyed; guards
// nest, and the innermost one rules. Products are bfloat16: any other `products` dtype throws
// std::invalid_argument naming it.
class AutocastGuard {
public:
    explicit AutocastGuard(DType products = DType::BFloat16, bool enabled = true);
    ~AutocastGuard();
    AutocastGuard(const AutocastGuard&) = delete;
    AutocastGuard& operator=(const AutocastGuard&) = delete;

private:
    std::optional<DType> previous_;
};

// The dtype products take their inputs in on this thread (bfloat16 inside an enabled guard), or nullopt.
std::optional<DType> autocast_dtype();
bool is_autocast_enabled();

// `x` as an input of a product: under autocast, a float32 `x` rounded to bfloat16 and widened back to
// float32 — the exact values a bfloat16 product multiplies, recorded on the tape (to(BFloat16) then
// to(Float32)), so the gradient reaches `x` (rounded to bfloat16 on its way, as in PyTorch). Anything
// else, and everything outside autocast, is returned unchanged.
Tensor autocast_product_input(const Tensor& x);

// Whether this CPU has AVX512_BF16 (kernels/bfloat16.h). The products under autocast are the same numbers
// either way, and today they run on the portable path, float32 GEMMs of the rounded inputs, on every CPU:
// the AVX512_BF16 GEMM kernel is not written yet.
bool bfloat16_products_in_hardware();

}  // namespace tapegrad
