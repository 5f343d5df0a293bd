// Autocast (autograd/autocast.h): a thread-local setting, and the rounding every product applies under it.
#include "autograd/autocast.h"

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/tape.h"
#include "kernels/kernel_mode.h"

namespace tapegrad {
namespace {
// Thread-local like no_grad: each thread's tape and each thread's precision are its own.
thread_local std::optional<DType> autocast_products = std::nullopt;

// The rounding in two readable steps: to bfloat16 and back, each an op on the tape (the gradient of the
// bfloat16 tensor is itself rounded to bfloat16 when it is stored, then widened).
Tensor rounded_by_conversion(const Tensor& x) { return x.to(DType::BFloat16).to(DType::Float32); }

// The same values in one pass (kernels/bfloat16.h), and one tape entry whose backward rounds the gradient
// the same way: d round(x) / dx is taken as 1 (a step function's derivative is 0 almost everywhere, and
// autograd treats rounding as the identity, as PyTorch does for a cast), and the gradient passes through
// bfloat16, as it does through the conversions.
Tensor rounded_in_one_pass(const Tensor& x) {
    Tensor packed, out;
    {
        NoGradGuard no_grad;
        packed = x.contiguous();
        out = empty_uninitialized(x.shape(), {.dtype = DType::Float32});
    }
    round_to_bfloat16_values(packed.data<float>(), out.data<float>(), packed.numel());
    record("round_to_bfloat16", {x}, out, [x](const Tensor& dout) {
        const Tensor packed_grad = dout.contiguous();
        Tensor dx = empty_uninitialized(dout.shape(), {.dtype = DType::Float32});
        round_to_bfloat16_values(packed_grad.data<float>(), dx.data<float>(), packed_grad.numel());
        add_to_grad(x, dx);
    });
    return out;
}
}  // namespace

AutocastGuard::AutocastGuard(DType products, bool enabled) : previous_(autocast_products) {
    if (products != DType::BFloat16)
        throw std::invalid_argument(fmt::format("AutocastGuard: products run in bfloat16 only, got {}",
                                                dtype_name(products)));
    autocast_products = enabled ? std::optional<DType>(products) : std::nullopt;
}

AutocastGuard::~AutocastGuard() { autocast_products = previous_; }

std::optional<DType> autocast_dtype() { return autocast_products; }
bool is_autocast_enabled() { return autocast_products.has_value(); }

Tensor autocast_product_input(const Tensor& x) {
    if (!autocast_products || !x.defined() || x.dtype() != DType::Float32) return x;
    // Rounding then widening is exact on the way back: the float32 holds precisely the bfloat16 value, so
    // the float32 GEMM that follows multiplies bfloat16 values (each product exact in float32, 8 × 8
    // significant bits) and accumulates in float32 — what a bfloat16 dot-product instruction computes.
    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return rounded_in_one_pass(x);
        case kernels::KernelMode::Reference: return rounded_by_conversion(x);
        case kernels::KernelMode::Check: break;
    }
    const Tensor fast = rounded_in_one_pass(x);
    NoGradGuard no_grad;
    const Tensor reference = rounded_by_conversion(x);
    // Bit for bit (a NaN compares unequal to itself as a float, but not as bits).
    if (std::memcmp(fast.data<float>(), reference.data<float>(), sizeof(float) * fast.numel()) != 0)
        throw std::logic_error("autocast: check mode: the one-pass bfloat16 rounding differs from to(BFloat16)");
    return fast;
}

bool bfloat16_products_in_hardware() { return cpu_has_bfloat16_dot_product(); }

}  // namespace tapegrad
