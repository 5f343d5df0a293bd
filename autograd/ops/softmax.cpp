// softmax and log_softmax along any axis, fused for numerical stability.
#include <cmath>
#include <limits>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/tape.h"
#include "kernels/exp.h"

namespace tapegrad {
namespace {

// Runs row(values, count, stride) over every line of x along `axis`; x must be contiguous.
template <typename T, typename Row>
void for_each_line(const Tensor& x, Tensor& out, int64_t axis, Row row) {
    const AxisSplit split = split_at_axis(x.shape(), axis);
    const T* in = x.data<T>();
    T* o = out.data<T>();
#pragma omp parallel for collapse(2) schedule(static) if (x.numel() > 32768)
    for (int64_t outer = 0; outer < split.outer; ++outer)
        for (int64_t inner = 0; inner < split.inner; ++inner) {
            const int64_t start = outer * split.size * split.inner + inner;
            row(in + start, o + start, split.size, split.inner);
        }
}

// Subtracting the row max m leaves softmax unchanged (the factor e^-m cancels) and keeps exp ≤ 1.
template <typename T>
void softmax_line(const T* x, T* y, int64_t size, int64_t stride, bool log_space) {
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < size; ++j) m = std::max(m, x[j * stride]);
    if (m == -std::numeric_limits<T>::infinity()) {  // every entry masked: no distribution to speak of
        for (int64_t j = 0; j < size; ++j) y[j * stride] = log_space ? -std::numeric_limits<T>::infinity() : T(0);
        return;
    }
    if (stride != 1) {  // a line across rows (softmax over a leading axis): the plain loop
        double total = 0;
        for (int64_t j = 0; j < size; ++j) total += std::exp(static_cast<double>(x[j * stride] - m));
        const T log_total = static_cast<T>(std::log(total));
        for (int64_t j = 0; j < size; ++j) {
            const T shifted = x[j * stride] - m - log_total;
            y[j * stride] = log_space ? shifted : std::exp(shifted);
        }
        return;
    }
    // A contiguous line: one vectorised exp per element (kernels/exp.h), written into y, then either a
    // multiply by 1/Σ (the same arithmetic as masked_softmax, so an additive 0/−inf mask and the
    // equivalent bool mask give bit-identical attention weights) or log space, y = x − m − log Σ.
    const double total = kernels::exp_and_sum(x, T(1), m, y, size);
    if (log_space) {
        const T shift = m + static_cast<T>(std::log(total));
        for (int64_t j = 0; j < size; ++j) y[j] = x[j] - shift;
        return;
    }
    const T inverse_total = static_cast<T>(1.0 / total);
    for (int64_t j = 0; j < size; ++j) y[j] *= inverse_total;
}

Tensor fused(const Tensor& x_in, int64_t axis, bool log_space, const char* op) {
    require_floating(x_in, op);
    const int64_t along = normalize_axis(axis, std::max<int64_t>(x_in.dim(), 1), op);
    const Tensor x = x_in.dim() == 0 ? x_in.reshape({1}) : x_in.contiguous();
    Tensor out = empty_uninitialized(x.shape(), {.dtype = x.dtype()});
    visit_floating(x.dtype(), [&]<typename T>() {
        for_each_line<T>(x, out, along, [&](const T* in, T* o, int64_t size, int64_t stride) {
            softmax_line<T>(in, o, size, stride, log_space);
        });
    });
    return x_in.dim() == 0 ? out.reshape({}) : out;
}

}  // namespace

// With s = softmax(z): ds_i/dz_j = s_i (δ_ij − s_j), hence dz = s ⊙ (ds − Σ_j ds_j s_j).
// A fully masked row has s = 0 and so gets zero gradient.
Tensor softmax(const Tensor& x, int64_t axis) {
    Tensor out = fused(x, axis, false, "softmax");
    record("softmax", {x}, out, [x, out, axis](const Tensor& dout) {
        const int64_t along = normalize_axis(axis, std::max<int64_t>(out.dim(), 1), "softmax");
        accumulate_grad(x, out * (dout - sum(dout * out, {along}, true)));
    });
    return out;
}

// With y = log softmax(z): dy_i/dz_j = δ_ij − softmax_j, hence dz = dy − softmax ⊙ Σ_j dy_j.
Tensor log_softmax(const Tensor& x, int64_t axis) {
    Tensor out = fused(x, axis, true, "log_softmax");
    record("log_softmax", {x}, out, [x, out, axis](const Tensor& dout) {
        const int64_t along = normalize_axis(axis, std::max<int64_t>(out.dim(), 1), "log_softmax");
        accumulate_grad(x, dout - exp(out) * sum(dout, {along}, true));
    });
    return out;
}

}  // namespace tapegrad
