// dropout (Srivastava et al., 2014), "inverted": survivors are scaled by 1/(1-p) at training time
// so that evaluation is the identity. And the two fusions a Transformer layer uses, relu_dropout and
// dropout_add, each beside its reference composition; TAPEGRAD_KERNELS picks between them
// (kernels/kernel_mode.h).
#include <cmath>
#include <stdexcept>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/check_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/random.h"
#include "autograd/tape.h"
#include "base/vectorize.h"
#include "kernels/attention_rows.h"
#include "kernels/kernel_mode.h"

namespace tapegrad {
namespace {

// keep[i] for i < n: word w of the SplitMix64 stream that starts at `key` decides elements 2w and 2w+1,
// by its low and high 32 bits, each kept when below `threshold` = ⌊(1-p)·2³²⌋.
TAPEGRAD_VECTORIZE
void draw_keep_mask(uint64_t key, int64_t n, uint64_t threshold, bool* keep) {
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t w = 0; w < n / 2; ++w) {
        const uint64_t bits = Generator::splitmix64_mix(key + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(w + 1));
        keep[2 * w] = (bits & 0xffffffffULL) < threshold;
        keep[2 * w + 1] = (bits >> 32) < threshold;
    }
    if (n % 2 == 1) {
        const uint64_t bits = Generator::splitmix64_mix(key + 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(n / 2 + 1));
        keep[n - 1] = (bits & 0xffffffffULL) < threshold;
    }
}

// out[i] = x[i] · keep[i] · scale — the forward, and with x = dout the backward too (see
// kernels::scale_if_kept). The mask is read as bytes (a bool is one byte holding 0 or 1): GCC does not
// vectorise loads of bool.
template <typename T>
TAPEGRAD_VECTORIZE void scale_kept(const T* x, const bool* keep_mask, T scale, int64_t n, T* out) {
    const auto* keep = reinterpret_cast<const uint8_t*>(keep_mask);
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) out[i] = kernels::scale_if_kept(x[i], keep[i], scale);
}

// keep[i] &= x[i] > 0: relu's gate folded into the dropout mask.
template <typename T>
TAPEGRAD_VECTORIZE void gate_positive(const T* x, bool* keep_mask, int64_t n) {
    auto* keep = reinterpret_cast<uint8_t*>(keep_mask);
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) keep[i] = static_cast<uint8_t>(keep[i] & (x[i] > T(0)));
}

// out[i] = keep[i] ? x[i] · scale : 0 (a select, so a dropped negative x gives +0 as relu would).
template <typename T>
TAPEGRAD_VECTORIZE void select_kept(const T* x, const bool* keep_mask, T scale, int64_t n, T* out) {
    const auto* keep = reinterpret_cast<const uint8_t*>(keep_mask);
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) out[i] = keep[i] ? x[i] * scale : T(0);
}

}  // namespace

// out = x ⊙ keep / (1-p) with keep ~ Bernoulli(1-p); d out/dx = keep / (1-p).
// Fused, because dropout runs on every sublayer and attention map and the composed form
// x * (bernoulli(...) * scale) makes three passes, a float mask and two temporaries. Here the keep
// decisions are drawn into a 1-byte mask (which the backward reuses) and applied in a second pass.
// The decisions come from a SplitMix64 stream seeded by the generator's next word (one mix per two
// elements instead of the generator's two per element); element i depends only on the seed, the
// generator's counter and i — the same mask at any thread count. It uses ⌈n/2⌉ counters.
Tensor dropout(const Tensor& x, double p, bool training, Generator& generator) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("dropout: p must be in [0, 1], got {}", p));
    require_floating(x, "dropout");
    if (!training || p == 0) return x;
    if (p == 1) return x * 0.0;

    const Tensor keep = dropout_keep_mask(x.shape(), p, generator);
    const double scale = 1.0 / (1 - p);
    Tensor out = apply_dropout_mask(x, keep, scale);
    record("dropout", {x}, out, [x, keep, scale](const Tensor& dout) {
        accumulate_grad(x, apply_dropout_mask(dout, keep, scale));
    });
    return out;
}

Tensor apply_dropout_mask(const Tensor& x, const Tensor& keep, double scale) {
    const Tensor input = x.contiguous();
    Tensor out = empty_uninitialized(input.shape(), {.dtype = input.dtype()});
    visit_floating(input.dtype(), [&]<typename T>() {
        scale_kept<T>(input.data<T>(), keep.data<bool>(), static_cast<T>(scale), input.numel(), out.data<T>());
    });
    return out;
}

Tensor dropout_keep_mask(const Shape& shape, double p, Generator& generator) {
    Tensor keep = empty_uninitialized(shape, {.dtype = DType::Bool});
    const int64_t n = keep.numel();
    const uint64_t first = generator.reserve(static_cast<uint64_t>((n + 1) / 2));
    draw_keep_mask(generator.bits(first), n, static_cast<uint64_t>(std::ldexp(1 - p, 32)), keep.data<bool>());
    return keep;
}

namespace {

// relu then dropout: out = relu(x) ⊙ keep / (1-p). With g = keep ∧ (x > 0), out = g ? x / (1-p) : 0
// and d out/dx = g / (1-p): one byte per element serves both, and relu's output is never stored.
// The keep decisions are dropout's own (same generator draws), so this equals dropout(relu(x)).
Tensor fused_relu_dropout(const Tensor& x, double p, Generator& generator) {
    const Tensor input = x.contiguous();
    const int64_t n = input.numel();
    Tensor out = empty_uninitialized(x.shape(), {.dtype = x.dtype()});
    Tensor gate = dropout_keep_mask(x.shape(), p, generator);
    const double scale = 1.0 / (1 - p);
    visit_floating(x.dtype(), [&]<typename T>() {
        gate_positive<T>(input.data<T>(), gate.data<bool>(), n);
        select_kept<T>(input.data<T>(), gate.data<bool>(), static_cast<T>(scale), n, out.data<T>());
    });
    record("relu_dropout", {x}, out, [x, gate, scale](const Tensor& dout) {
        const Tensor upstream = dout.contiguous();
        Tensor dx = empty_uninitialized(upstream.shape(), {.dtype = upstream.dtype()});
        visit_floating(dx.dtype(), [&]<typename T>() {
            select_kept<T>(upstream.data<T>(), gate.data<bool>(), static_cast<T>(scale), dx.numel(), dx.data<T>());
        });
        accumulate_grad(x, dx);
    });
    return out;
}

// out = residual + x ⊙ keep / (1-p); d out/d residual = 1, d out/dx = keep / (1-p).
Tensor fused_dropout_add(const Tensor& residual, const Tensor& x, double p, Generator& generator) {
    const Tensor input = x.contiguous(), stream = residual.contiguous();
    const int64_t n = input.numel();
    Tensor out = empty_uninitialized(x.shape(), {.dtype = x.dtype()});
    const Tensor keep = dropout_keep_mask(x.shape(), p, generator);
    const double scale = 1.0 / (1 - p);
    visit_floating(x.dtype(), [&]<typename T>() {
        const T* r = stream.data<T>();
        const T* in = input.data<T>();
        const auto* k = reinterpret_cast<const uint8_t*>(keep.data<bool>());
        T* o = out.data<T>();
        const T survivor_scale = static_cast<T>(scale);
#pragma omp parallel for simd schedule(static) if (n > 65536)
        for (int64_t i = 0; i < n; ++i) o[i] = r[i] + in[i] * (static_cast<T>(k[i]) * survivor_scale);
    });
    record("dropout_add", {residual, x}, out, [residual, x, keep, scale](const Tensor& dout) {
        accumulate_grad(residual, dout);
        if (x.requires_grad()) accumulate_grad(x, apply_dropout_mask(dout, keep, scale));
    });
    return out;
}

}  // namespace

// The references are the compositions themselves. Check mode gives each a copy of the generator, so both
// draw the same mask and the generator advances once, as in the other modes.
Tensor relu_dropout(const Tensor& x, double p, bool training, Generator& generator) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("relu_dropout: p must be in [0, 1], got {}", p));
    require_floating(x, "relu_dropout");
    if (!training || p == 0 || p == 1) return dropout(relu(x), p, training, generator);  // nothing to fuse
    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return fused_relu_dropout(x, p, generator);
        case kernels::KernelMode::Reference: return dropout(relu(x), p, true, generator);
        case kernels::KernelMode::Check: break;
    }
    Generator reference_generator = generator;
    const Tensor fast = fused_relu_dropout(x, p, generator);
    NoGradGuard no_grad;
    // x · (1/(1-p)) where kept and x > 0, else 0, either way: the same multiply, so the same bits.
    check_against_reference("relu_dropout", fast, dropout(relu(x), p, true, reference_generator), {});
    return fast;
}

Tensor dropout_add(const Tensor& residual, const Tensor& x, double p, bool training, Generator& generator) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("dropout_add: p must be in [0, 1], got {}", p));
    require_floating(x, "dropout_add");
    if (residual.shape() != x.shape() || residual.dtype() != x.dtype())
        throw std::invalid_argument(fmt::format("dropout_add: residual and x must match, got {} {} and {} {}",
                                                shape_string(residual.shape()), dtype_name(residual.dtype()),
                                                shape_string(x.shape()), dtype_name(x.dtype())));
    if (!training || p == 0 || p == 1) return residual + dropout(x, p, training, generator);  // nothing to fuse
    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return fused_dropout_add(residual, x, p, generator);
        case kernels::KernelMode::Reference: return residual + dropout(x, p, true, generator);
        case kernels::KernelMode::Check: break;
    }
    Generator reference_generator = generator;
    const Tensor fast = fused_dropout_add(residual, x, p, generator);
    NoGradGuard no_grad;
    // r + x·s with s = keep/(1-p): one rounding apart at most (the product may be fused into the add).
    check_against_reference("dropout_add", fast, residual + dropout(x, p, true, reference_generator),
                            {.ulps = 2, .magnitude = abs(residual) + abs(x) * (1 / (1 - p)),
                             .formula = "2·ε·(|residual| + |x|/(1−p))"});
    return fast;
}

}  // namespace tapegrad
