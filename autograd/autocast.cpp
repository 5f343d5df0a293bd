// Autocast (autograd/autocast.h): a thread-local setting, and the rounding every product applies under it.
#include "autograd/autocast.h"

#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad {
namespace {
// Thread-local like no_grad: each thread's tape and each thread's precision are its own.
thread_local std::optional<DType> autocast_products = std::nullopt;
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
    return x.to(*autocast_products).to(DType::Float32);
}

}  // namespace tapegrad
