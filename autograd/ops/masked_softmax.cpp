// masked_softmax: the softmax of attention, with the scale and the mask folded into one pass, beside its
// reference softmax(masked_fill(x · scale, mask, −inf)). TAPEGRAD_KERNELS picks between them
// (kernels/kernel_mode.h).
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "autograd/loops/copy.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/check_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/tape.h"
#include "kernels/attention_rows.h"
#include "kernels/kernel_mode.h"
#include "kernels/strided_loop.h"

namespace tapegrad {
namespace {

// Where row r's mask entries start, for x viewed as rows along its last axis: the mask's broadcast
// strides (0 on broadcast axes) dotted with r's index over the leading axes.
int64_t mask_row_offset(int64_t row, const Shape& leading_shape, const Shape& mask_strides) {
    int64_t offset = 0;
    for (int64_t axis = static_cast<int64_t>(leading_shape.size()) - 1; axis >= 0; --axis) {
        offset += (row % leading_shape[axis]) * mask_strides[axis];
        row /= leading_shape[axis];
    }
    return offset;
}

// Forward, per row with a = scale·x over the kept entries: s = exp(a − max a) / Σ exp(a − max a), s = 0
// where blocked. Backward, with ds = dL/ds: dL/dx = scale · s ⊙ (ds − Σ_j ds_j s_j); blocked entries
// (s = 0) receive nothing, so the mask needs no backward of its own.
Tensor fused_masked_softmax(const Tensor& x_in, const Tensor& blocked, double scale) {
    const Tensor x = x_in.contiguous();
    const int64_t size = x.size(-1);
    const int64_t rows = size == 0 ? 0 : x.numel() / size;
    const Shape leading_shape(x.shape().begin(), x.shape().end() - 1);
    Shape mask_strides;
    const bool* mask = nullptr;
    if (blocked.defined()) {
        mask_strides = loops::broadcast_strides(blocked, x.shape());
        mask = blocked.data<bool>();
    }
    const int64_t mask_column_stride = mask ? mask_strides.back() : 0;
    Tensor out = empty_uninitialized(x.shape(), {.dtype = x.dtype()});
    visit_floating(x.dtype(), [&]<typename T>() {
        const T* in = x.data<T>();
        T* o = out.data<T>();
        const T factor = static_cast<T>(scale);
#pragma omp parallel for schedule(static) if (x.numel() > 32768)
        for (int64_t row = 0; row < rows; ++row) {
            const T* a = in + row * size;
            T* s = o + row * size;
            const auto* m = mask ? reinterpret_cast<const uint8_t*>(mask + mask_row_offset(row, leading_shape, mask_strides))
                                 : nullptr;
            kernels::masked_softmax_row(a, factor, m, mask_column_stride, s, size);
        }
    });
    record("masked_softmax", {x_in}, out, [x_in, out, scale](const Tensor& dout) {
        accumulate_grad(x_in, masked_softmax_backward(out, dout, scale));
    });
    return out;
}

// The reference, the formula as written: scale, block (exp(−inf) = 0), normalise. softmax gives a row with
// every entry −inf all zeros, as the fused kernel does.
Tensor composed_masked_softmax(const Tensor& x, const Tensor& blocked, double scale) {
    const Tensor scaled = x * scale;
    return softmax(blocked.defined() ? masked_fill(scaled, blocked, -std::numeric_limits<double>::infinity()) : scaled, -1);
}

}  // namespace

Tensor masked_softmax(const Tensor& x, const Tensor& blocked, double scale) {
    require_floating(x, "masked_softmax");
    if (x.dim() == 0) throw std::invalid_argument("masked_softmax: expected at least one axis, got a scalar");
    if (blocked.defined()) {
        if (blocked.dtype() != DType::Bool)
            throw std::invalid_argument(fmt::format("masked_softmax: mask must be bool (true = blocked), got {}",
                                                    dtype_name(blocked.dtype())));
        if (broadcast_shapes(blocked.shape(), x.shape(), "masked_softmax") != x.shape())
            throw std::invalid_argument(fmt::format("masked_softmax: mask {} must broadcast to the input {}",
                                                    shape_string(blocked.shape()), shape_string(x.shape())));
    }
    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return fused_masked_softmax(x, blocked, scale);
        case kernels::KernelMode::Reference: return composed_masked_softmax(x, blocked, scale);
        case kernels::KernelMode::Check: break;
    }
    const Tensor fast = fused_masked_softmax(x, blocked, scale);
    NoGradGuard no_grad;
    // Each weight is exp(a − max a) / Σ: the exponentials within a few ulp (kernels/exp.h), the sum of a row
    // of S within S ulp, whatever order either path adds in. (Today both run the same arithmetic and agree
    // to the bit; the bound is what two correct implementations may differ by.)
    const Tensor reference = composed_masked_softmax(x, blocked, scale);
    check_against_reference("masked_softmax", fast, reference,
                            {.ulps = static_cast<double>(x.size(-1) + 8), .magnitude = reference,
                             .formula = "(S+8)·ε·weight"});
    return fast;
}

Tensor masked_softmax_backward(const Tensor& weights, const Tensor& dweights, double scale) {
    const Tensor upstream = dweights.contiguous();
    const int64_t size = weights.size(-1);
    const int64_t rows = size == 0 ? 0 : weights.numel() / size;
    Tensor dx = empty_uninitialized(weights.shape(), {.dtype = weights.dtype()});
    visit_floating(weights.dtype(), [&]<typename T>() {
        const T* s = weights.data<T>();
        const T* ds = upstream.data<T>();
        T* d = dx.data<T>();
#pragma omp parallel for schedule(static) if (rows * size > 32768)
        for (int64_t row = 0; row < rows; ++row) {
            const T* s_row = s + row * size;
            const T* ds_row = ds + row * size;
            kernels::softmax_backward_row(s_row, ds_row, scale, d + row * size, size);
        }
    });
    return dx;
}

}  // namespace tapegrad
