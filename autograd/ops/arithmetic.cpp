// Broadcasting arithmetic: add, sub, mul, div, pow, maximum, minimum, and the operators.
// Each backward receives dout of the broadcast shape; accumulate_grad sums it back to each input's shape.
#include <cmath>
#include <stdexcept>

#include "autograd/loops/map.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/promote.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

// Runs fn over the broadcast pair in the promoted dtype. Bool operands do no arithmetic.
template <typename Fn>
Tensor arithmetic(const Tensor& a_in, const Tensor& b_in, const char* op, Fn fn) {
    // A named pair, not a structured binding: clang (16) cannot capture those in lambdas under -fopenmp.
    const std::pair<Tensor, Tensor> promoted = promote_pair(a_in, b_in);
    const Tensor& a = promoted.first;
    const Tensor& b = promoted.second;
    if (a.dtype() == DType::Bool)
        throw std::invalid_argument(fmt::format("{}: arithmetic on bool tensors; convert with .to() first", op));
    if (a.dtype() == DType::BFloat16) throw unsupported_dtype_error(op, a.dtype());
    return visit_numeric(a.dtype(), [&]<typename T>() { return loops::zip<T, T>(a, b, op, fn); });
}

}  // namespace

Tensor scalar_like(double value, const Tensor& x) {
    const bool keeps_dtype = is_floating(x.dtype()) || value == std::trunc(value);
    return scalar_tensor(value, {.dtype = keeps_dtype ? x.dtype() : DType::Float32});
}

// d(a + b) = da + db.
Tensor add(const Tensor& a, const Tensor& b) {
    Tensor out = arithmetic(a, b, "add", [](auto x, auto y) { return x + y; });
    record("add", {a, b}, out, [a, b](const Tensor& dout) {
        accumulate_grad(a, dout);
        accumulate_grad(b, dout);
    });
    return out;
}

// d(a - b) = da - db.
Tensor sub(const Tensor& a, const Tensor& b) {
    Tensor out = arithmetic(a, b, "sub", [](auto x, auto y) { return x - y; });
    record("sub", {a, b}, out, [a, b](const Tensor& dout) {
        accumulate_grad(a, dout);
        if (b.requires_grad()) accumulate_grad(b, neg(dout));
    });
    return out;
}

// Product rule: d(a b) = b da + a db.
Tensor mul(const Tensor& a, const Tensor& b) {
    Tensor out = arithmetic(a, b, "mul", [](auto x, auto y) { return x * y; });
    record("mul", {a, b}, out, [a, b](const Tensor& dout) {
        if (a.requires_grad()) accumulate_grad(a, dout * b);
        if (b.requires_grad()) accumulate_grad(b, dout * a);
    });
    return out;
}

// Quotient rule: d(a / b) = da / b - (a / b²) db = da / b - (out / b) db.
Tensor div(const Tensor& a, const Tensor& b) {
    Tensor out = arithmetic(a, b, "div", [](auto x, auto y) { return x / y; });
    record("div", {a, b}, out, [a, b, out](const Tensor& dout) {
        if (a.requires_grad()) accumulate_grad(a, dout / b);
        if (b.requires_grad()) accumulate_grad(b, neg(dout * out / b));
    });
    return out;
}

// d(a^b) = b a^(b-1) da + a^b ln(a) db; the ln term is taken as 0 where a <= 0 (as PyTorch does at a = 0).
Tensor pow(const Tensor& base, const Tensor& exponent) {
    if (!is_floating(promote_types(base.dtype(), exponent.dtype())))
        throw std::invalid_argument(fmt::format("pow: expected a floating-point base or exponent, got {} and {}",
                                                dtype_name(base.dtype()), dtype_name(exponent.dtype())));
    Tensor out = arithmetic(base, exponent, "pow", [](auto x, auto y) { return std::pow(x, y); });
    record("pow", {base, exponent}, out, [base, exponent, out](const Tensor& dout) {
        if (base.requires_grad()) accumulate_grad(base, dout * exponent * pow(base, exponent - 1.0));
        if (exponent.requires_grad()) {
            const Tensor log_base = where(gt(base, 0.0), log(clamp_min(base, 1e-300)), zeros_like(out));
            accumulate_grad(exponent, dout * out * log_base);
        }
    });
    return out;
}

// d(x^e)/dx = e x^(e-1) for a constant exponent e.
Tensor pow(const Tensor& base, double exponent) {
    require_floating(base, "pow");
    Tensor out = visit_floating(base.dtype(), [&]<typename T>() {
        return loops::map<T>(base, [exponent](T v) { return std::pow(v, static_cast<T>(exponent)); });
    });
    record("pow", {base}, out, [base, exponent](const Tensor& dout) {
        if (exponent == 0) return;
        accumulate_grad(base, dout * (exponent * pow(base, exponent - 1)));
    });
    return out;
}

// The gradient goes to whichever input was chosen; ties go to a.
Tensor maximum(const Tensor& a, const Tensor& b) {
    Tensor out = arithmetic(a, b, "maximum", [](auto x, auto y) { return x >= y ? x : y; });
    record("maximum", {a, b}, out, [a, b](const Tensor& dout) {
        const Tensor a_chosen = ge(a, b);
        if (a.requires_grad()) accumulate_grad(a, where(a_chosen, dout, scalar_like(0, dout)));
        if (b.requires_grad()) accumulate_grad(b, where(a_chosen, scalar_like(0, dout), dout));
    });
    return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
    Tensor out = arithmetic(a, b, "minimum", [](auto x, auto y) { return x <= y ? x : y; });
    record("minimum", {a, b}, out, [a, b](const Tensor& dout) {
        const Tensor a_chosen = le(a, b);
        if (a.requires_grad()) accumulate_grad(a, where(a_chosen, dout, scalar_like(0, dout)));
        if (b.requires_grad()) accumulate_grad(b, where(a_chosen, scalar_like(0, dout), dout));
    });
    return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(a, b), b); }
Tensor operator-(const Tensor& x) { return neg(x); }

}  // namespace tapegrad
