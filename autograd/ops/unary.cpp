// Unary math and activations. Where the derivative is cheapest through the output (exp, tanh,
// sigmoid, sqrt) the backward captures the output instead of the input.
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "autograd/loops/map.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/promote.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

template <typename Fn>
Tensor map_floating(const Tensor& x, const char* op, Fn fn) {
    require_floating(x, op);
    return visit_floating(x.dtype(), [&]<typename T>() { return loops::map<T>(x, fn); });
}

// The mask (x satisfies predicate) in x's dtype, for gradients that flow only where it holds.
template <typename Predicate>
Tensor mask_where(const Tensor& x, Predicate predicate) {
    return visit_floating(x.dtype(), [&]<typename T>() {
        return loops::map<T>(x, [&](T v) { return predicate(v) ? T(1) : T(0); });
    });
}

constexpr double kSqrt2OverPi = 0.7978845608028654;  // √(2/π), for the tanh form of GELU
constexpr double kCubic = 0.044715;                   // its cubic coefficient (Hendrycks & Gimpel)

}  // namespace

Tensor neg(const Tensor& x) {
    Tensor out = map_floating(x, "neg", [](auto v) { return -v; });
    record("neg", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, neg(dout)); });
    return out;
}

// d exp(x) = exp(x) dx: the saved output is all the backward needs.
Tensor exp(const Tensor& x) {
    Tensor out = map_floating(x, "exp", [](auto v) { return std::exp(v); });
    record("exp", {x}, out, [x, out](const Tensor& dout) { accumulate_grad(x, dout * out); });
    return out;
}

// d log(x) = dx / x.
Tensor log(const Tensor& x) {
    Tensor out = map_floating(x, "log", [](auto v) { return std::log(v); });
    record("log", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, dout / x); });
    return out;
}

// d sqrt(x) = dx / (2 sqrt(x)).
Tensor sqrt(const Tensor& x) {
    Tensor out = map_floating(x, "sqrt", [](auto v) { return std::sqrt(v); });
    record("sqrt", {x}, out, [x, out](const Tensor& dout) { accumulate_grad(x, dout * 0.5 / out); });
    return out;
}

// d x^(-1/2) = -x^(-3/2)/2 dx = -out³/2 dx.
Tensor rsqrt(const Tensor& x) {
    Tensor out = map_floating(x, "rsqrt", [](auto v) { return 1 / std::sqrt(v); });
    record("rsqrt", {x}, out, [x, out](const Tensor& dout) { accumulate_grad(x, dout * (-0.5) * out * out * out); });
    return out;
}

// d|x| = sign(x) dx, with sign(0) = 0.
Tensor abs(const Tensor& x) {
    Tensor out = map_floating(x, "abs", [](auto v) { return std::abs(v); });
    record("abs", {x}, out, [x](const Tensor& dout) {
        const Tensor sign = mask_where(x, [](auto v) { return v > 0; }) - mask_where(x, [](auto v) { return v < 0; });
        accumulate_grad(x, dout * sign);
    });
    return out;
}

// d tanh(x) = (1 - tanh(x)²) dx.
Tensor tanh(const Tensor& x) {
    Tensor out = map_floating(x, "tanh", [](auto v) { return std::tanh(v); });
    record("tanh", {x}, out, [x, out](const Tensor& dout) { accumulate_grad(x, dout * (1.0 - out * out)); });
    return out;
}

// σ(x) = 1 / (1 + e^-x), written so that neither branch overflows; dσ = σ (1 - σ) dx.
Tensor sigmoid(const Tensor& x) {
    Tensor out = map_floating(x, "sigmoid", [](auto v) {
        using T = decltype(v);
        if (v >= 0) return T(1) / (T(1) + std::exp(-v));
        const T e = std::exp(v);
        return e / (T(1) + e);
    });
    record("sigmoid", {x}, out, [x, out](const Tensor& dout) { accumulate_grad(x, dout * out * (1.0 - out)); });
    return out;
}

// relu(x) = max(x, 0); the gradient is 1 where x > 0 and 0 elsewhere (0 at the kink, as PyTorch).
Tensor relu(const Tensor& x) {
    Tensor out = map_floating(x, "relu", [](auto v) { return v > 0 ? v : decltype(v)(0); });
    record("relu", {x}, out, [x](const Tensor& dout) {
        // One pass, dout where x > 0 else 0 (as PyTorch's threshold_backward), not a mask then a product.
        const Tensor dx = visit_floating(x.dtype(), [&]<typename T>() {
            return loops::zip<T, T>(dout.to(x.dtype()), x, "relu", [](T g, T v) { return v > 0 ? g : T(0); });
        });
        accumulate_grad(x, dx);
    });
    return out;
}

// Exact: gelu(x) = x Φ(x), Φ(x) = (1 + erf(x/√2)) / 2, so gelu'(x) = Φ(x) + x φ(x), φ(x) = e^(-x²/2)/√(2π).
// Tanh form: gelu(x) ≈ x (1 + tanh(u)) / 2 with u = √(2/π) (x + 0.044715 x³),
// so gelu'(x) = (1 + tanh u)/2 + x (1 - tanh² u) √(2/π) (1 + 3·0.044715 x²) / 2.
Tensor gelu(const Tensor& x, GeluApproximation approximation) {
    const bool exact = approximation == GeluApproximation::None;
    Tensor out = map_floating(x, "gelu", [exact](auto v) {
        using T = decltype(v);
        if (exact) return v * T(0.5) * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2)));
        return T(0.5) * v * (T(1) + std::tanh(T(kSqrt2OverPi) * (v + T(kCubic) * v * v * v)));
    });
    record("gelu", {x}, out, [x, exact](const Tensor& dout) {
        const Tensor derivative = map_floating(x, "gelu", [exact](auto v) {
            using T = decltype(v);
            if (exact) {
                const T cdf = T(0.5) * (T(1) + std::erf(v * T(std::numbers::sqrt2 / 2)));
                const T pdf = std::exp(T(-0.5) * v * v) * T(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
                return cdf + v * pdf;
            }
            const T t = std::tanh(T(kSqrt2OverPi) * (v + T(kCubic) * v * v * v));
            return T(0.5) * (T(1) + t) + T(0.5) * v * (T(1) - t * t) * T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * v * v);
        });
        accumulate_grad(x, dout * derivative);
    });
    return out;
}

// The gradient passes where min <= x <= max and is 0 where the value was clamped.
Tensor clamp(const Tensor& x, double min, double max) {
    if (min > max) throw std::invalid_argument(fmt::format("clamp: min {} is greater than max {}", min, max));
    Tensor out = map_floating(x, "clamp", [min, max](auto v) {
        using T = decltype(v);
        return v < T(min) ? T(min) : (v > T(max) ? T(max) : v);
    });
    record("clamp", {x}, out, [x, min, max](const Tensor& dout) {
        accumulate_grad(x, dout * mask_where(x, [min, max](auto v) { return v >= min && v <= max; }));
    });
    return out;
}

Tensor clamp_min(const Tensor& x, double min) { return clamp(x, min, INFINITY); }

}  // namespace tapegrad
