// Comparisons and logic (bool masks, not differentiable), and the selections where and masked_fill.
#include <cmath>
#include <stdexcept>

#include "autograd/loops/map.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/promote.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

template <typename Fn>
Tensor compare(const Tensor& a_in, const Tensor& b_in, const char* op, Fn fn) {
    NoGradGuard no_grad;  // a mask carries no gradient, and promoting the operands need not be recorded
    // A named pair, not a structured binding: clang (16) cannot capture those in lambdas under -fopenmp.
    const std::pair<Tensor, Tensor> promoted = promote_pair(a_in, b_in);
    const Tensor& a = promoted.first;
    const Tensor& b = promoted.second;
    return visit_dtype(a.dtype(), [&]<typename T>() { return loops::zip<bool, T>(a, b, op, fn); });
}

void require_bool(const Tensor& mask, const char* op) {
    if (mask.dtype() != DType::Bool)
        throw std::invalid_argument(fmt::format("{}: expected a bool mask, got {}", op, dtype_name(mask.dtype())));
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, "eq", [](auto x, auto y) { return x == y; }); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, "ne", [](auto x, auto y) { return x != y; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, "lt", [](auto x, auto y) { return x < y; }); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, "le", [](auto x, auto y) { return x <= y; }); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, "gt", [](auto x, auto y) { return x > y; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, "ge", [](auto x, auto y) { return x >= y; }); }
Tensor eq(const Tensor& a, double b) { return eq(a, scalar_like(b, a)); }
Tensor ne(const Tensor& a, double b) { return ne(a, scalar_like(b, a)); }
Tensor lt(const Tensor& a, double b) { return lt(a, scalar_like(b, a)); }
Tensor le(const Tensor& a, double b) { return le(a, scalar_like(b, a)); }
Tensor gt(const Tensor& a, double b) { return gt(a, scalar_like(b, a)); }
Tensor ge(const Tensor& a, double b) { return ge(a, scalar_like(b, a)); }

Tensor logical_not(const Tensor& mask) {
    require_bool(mask, "logical_not");
    return loops::map<bool>(mask, [](bool v) { return !v; });
}

Tensor logical_and(const Tensor& a, const Tensor& b) {
    require_bool(a, "logical_and");
    require_bool(b, "logical_and");
    return loops::zip<bool, bool>(a, b, "logical_and", [](bool x, bool y) { return x && y; });
}

Tensor logical_or(const Tensor& a, const Tensor& b) {
    require_bool(a, "logical_or");
    require_bool(b, "logical_or");
    return loops::zip<bool, bool>(a, b, "logical_or", [](bool x, bool y) { return x || y; });
}

// out = condition ? a : b. The gradient of each side is dout where that side was chosen, else 0.
Tensor where(const Tensor& condition, const Tensor& a_in, const Tensor& b_in) {
    require_bool(condition, "where");
    // A named pair, not a structured binding: clang (16) cannot capture those in lambdas under -fopenmp.
    const std::pair<Tensor, Tensor> promoted = promote_pair(a_in, b_in);
    const Tensor& a = promoted.first;
    const Tensor& b = promoted.second;
    const Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
    Tensor out = visit_dtype(a.dtype(), [&]<typename T>() {
        Tensor result = empty_uninitialized(shape, {.dtype = a.dtype()});
        T* o = result.data<T>();
        const bool* c = condition.data<bool>();
        const T* pa = a.data<T>();
        const T* pb = b.data<T>();
        kernels::strided_for_each<4>(shape,
                                     {result.strides(), loops::broadcast_strides(condition, shape),
                                      loops::broadcast_strides(a, shape), loops::broadcast_strides(b, shape)},
                                     [&](const std::array<int64_t, 4>& at) { o[at[0]] = c[at[1]] ? pa[at[2]] : pb[at[3]]; });
        return result;
    });
    record("where", {a, b}, out, [condition, a, b](const Tensor& dout) {
        const Tensor zero = scalar_like(0, dout);
        if (a.requires_grad()) accumulate_grad(a, where(condition, dout, zero));
        if (b.requires_grad()) accumulate_grad(b, where(condition, zero, dout));
    });
    return out;
}

// The filled places are constants, so they pass no gradient back to x.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
    require_bool(mask, "masked_fill");
    if (broadcast_shapes(mask.shape(), x.shape(), "masked_fill") != x.shape())
        throw std::invalid_argument(fmt::format("masked_fill: mask {} must broadcast to the tensor's shape {}",
                                                shape_string(mask.shape()), shape_string(x.shape())));
    Tensor out;
    {
        NoGradGuard no_grad;
        out = where(mask, scalar_like(value, x), x);
    }
    record("masked_fill", {x}, out, {.writes_infinity = std::isinf(value)},
           [x, mask](const Tensor& dout) { accumulate_grad(x, masked_fill(dout, mask, 0)); });
    return out;
}

}  // namespace tapegrad
