// Random tensors drawn from a Generator: uniform, normal, bernoulli.
#include "autograd/random.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace tapegrad {
namespace {

// Fills out[i] = value(first_counter + per_element * i) in parallel; value depends only on its counters.
template <typename Fill>
Tensor random_tensor(const Shape& shape, TensorOptions options, Generator& generator, uint64_t per_element, Fill fill) {
    Tensor out = empty_uninitialized(shape, {.dtype = options.dtype});
    const int64_t n = out.numel();
    const uint64_t first = generator.reserve(per_element * static_cast<uint64_t>(n));
    visit_dtype(options.dtype, [&]<typename T>() {
        T* data = out.data<T>();
#pragma omp parallel for schedule(static) if (n > 65536)
        for (int64_t i = 0; i < n; ++i)
            data[i] = static_cast<T>(fill(first + per_element * static_cast<uint64_t>(i)));
    });
    out.requires_grad_(options.requires_grad);
    return out;
}

}  // namespace

Tensor uniform(const Shape& shape, double low, double high, Generator& generator, TensorOptions options) {
    if (!(low <= high)) throw std::invalid_argument(fmt::format("uniform: low {} must not exceed high {}", low, high));
    return random_tensor(shape, options, generator, 1,
                         [&](uint64_t c) { return low + (high - low) * bits_to_unit(generator.bits(c)); });
}

Tensor normal(const Shape& shape, double mean, double std, Generator& generator, TensorOptions options) {
    if (!(std >= 0)) throw std::invalid_argument(fmt::format("normal: std must be non-negative, got {}", std));
    // Box–Muller: two independent uniforms u1, u2 give sqrt(-2 ln u1) cos(2π u2) ~ N(0, 1).
    return random_tensor(shape, options, generator, 2, [&](uint64_t c) {
        const double u1 = 1.0 - bits_to_unit(generator.bits(c));  // in (0, 1], so log is finite
        const double u2 = bits_to_unit(generator.bits(c + 1));
        return mean + std * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    });
}

Tensor bernoulli(const Shape& shape, double p, Generator& generator, TensorOptions options) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("bernoulli: p must be in [0, 1], got {}", p));
    return random_tensor(shape, options, generator, 1,
                         [&](uint64_t c) { return bits_to_unit(generator.bits(c)) < p ? 1.0 : 0.0; });
}

}  // namespace tapegrad
