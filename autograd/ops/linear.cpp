// linear: y = x @ Wᵀ + b — fused (the bias added by the GEMM as it stores the output) beside its reference,
// matmul then add. TAPEGRAD_KERNELS picks between them (kernels/kernel_mode.h).
#include <stdexcept>

#include "autograd/autocast.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/check_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/matmul.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "kernels/gemm.h"
#include "kernels/kernel_mode.h"

namespace tapegrad {
namespace {

// Shapes: x (N, in) after flattening the leading axes, W (out, in), b (out), y (N, out).
// Forward: y = x @ Wᵀ + b, one GEMM reading Wᵀ in place and adding b as it stores each tile.
// Backward, with dy = dL/dy: dx = dy @ W, dW = dyᵀ @ x (one GEMM summing over all N rows), db = Σ_n dy[n, :].
Tensor fused_linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    const int64_t in = weight.size(1), out_features = weight.size(0);
    Shape out_shape = x.shape();
    out_shape.back() = out_features;
    Tensor rows, w;
    {
        NoGradGuard no_grad;  // layout copies are internal; the op records its own backward below
        rows = x.contiguous().reshape({-1, in});
        w = weight.contiguous();
    }
    const int64_t n = rows.size(0);
    Tensor y = empty_uninitialized({n, out_features}, {.dtype = x.dtype()});  // the GEMM writes every element
    const Tensor b = bias.defined() ? bias.contiguous() : Tensor();
    visit_floating(x.dtype(), [&]<typename T>() {
        kernels::gemm<T>({.batch = 1, .m = n, .n = out_features, .k = in},
                         kernels::GemmOperand<T>::row_major(rows.data<T>(), in),
                         kernels::GemmOperand<T>::transposed(w.data<T>(), in),
                         {y.data<T>(), out_features, 0, b.defined() ? b.data<T>() : nullptr});
    });
    y = y.reshape(out_shape);  // a view of a fresh contiguous tensor: not recorded
    // Both products write (or add) straight into the gradients' buffers: no temporaries, no extra passes.
    record("linear", {x, weight, bias}, y, [x, weight, bias, rows, w, n, in, out_features](const Tensor& dout) {
        const Tensor dy = dout.contiguous().reshape({-1, out_features});  // (N, out)
        visit_floating(dy.dtype(), [&]<typename T>() {
            const auto dy_rows = kernels::GemmOperand<T>::row_major(dy.data<T>(), out_features);
            accumulate_grad_into(x, [&](const Tensor& dx, bool accumulate) {  // dx (N, in) = dy W
                kernels::gemm<T>({.batch = 1, .m = n, .n = in, .k = out_features}, dy_rows,
                                 kernels::GemmOperand<T>::row_major(w.data<T>(), in), {dx.data<T>(), in, 0}, accumulate);
            });
            accumulate_grad_into(weight, [&](const Tensor& dweight, bool accumulate) {  // dW (out, in) = dyᵀ x
                kernels::gemm<T>({.batch = 1, .m = out_features, .n = in, .k = n},
                                 kernels::GemmOperand<T>::transposed(dy.data<T>(), out_features),
                                 kernels::GemmOperand<T>::row_major(rows.data<T>(), in), {dweight.data<T>(), in, 0},
                                 accumulate);
            });
        });
        if (bias.defined() && bias.requires_grad()) accumulate_grad(bias, sum(dy, {0}));
    });
    return y;
}

// The reference: the formula as written, a product and a sum, each with its own backward.
Tensor composed_linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    const Tensor product = matmul(x, transpose(weight, 0, 1));  // (..., out)
    return bias.defined() ? product + bias : product;
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    if (!x.defined() || !weight.defined() || x.dim() == 0 || weight.dim() != 2 || x.size(-1) != weight.size(1))
        throw std::invalid_argument(fmt::format("linear: expected x (..., in) and weight (out, in), got {} and {}",
                                                x.defined() ? shape_string(x.shape()) : "undefined",
                                                weight.defined() ? shape_string(weight.shape()) : "undefined"));
    if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))
        throw std::invalid_argument(fmt::format("linear: bias must be (out) = ({}), got {}", weight.size(0),
                                                shape_string(bias.shape())));
    require_floating(x, "linear");
    if (weight.dtype() != x.dtype() || (bias.defined() && bias.dtype() != x.dtype()))
        throw std::invalid_argument(fmt::format("linear: x, weight and bias must share a dtype, got {}, {}{}",
                                                dtype_name(x.dtype()), dtype_name(weight.dtype()),
                                                bias.defined() ? ", " + std::string(dtype_name(bias.dtype())) : std::string()));
    if (is_autocast_enabled()) {
        // The product x @ Wᵀ in bfloat16 (autograd/autocast.h); the bias is an addition, kept in float32.
        const Tensor rounded_x = autocast_product_input(x), rounded_weight = autocast_product_input(weight);
        AutocastGuard already_rounded(DType::BFloat16, /*enabled=*/false);
        return linear(rounded_x, rounded_weight, bias);
    }
    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return fused_linear(x, weight, bias);
        case kernels::KernelMode::Reference: return composed_linear(x, weight, bias);
        case kernels::KernelMode::Check: break;
    }
    const Tensor fast = fused_linear(x, weight, bias);
    NoGradGuard no_grad;
    // Both sum the same k = in products in different orders (and add b first or last): within the GEMM's own
    // bound 2·(k+1)·ε·|x|·|W|ᵀ, with |b| added to the magnitude (kernels/gemm.cpp).
    const Tensor magnitude = matmul(abs(x), transpose(abs(weight), 0, 1));
    check_against_reference("linear", fast, composed_linear(x, weight, bias),
                            {.ulps = 2.0 * static_cast<double>(weight.size(1) + 1),
                             .magnitude = bias.defined() ? magnitude + abs(bias) : magnitude,
                             .formula = "2·(k+1)·ε·(|x|·|W|ᵀ + |b|)"});
    return fast;
}

}  // namespace tapegrad
