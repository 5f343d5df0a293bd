// matmul: a @ b with broadcast batch dimensions.
#include "autograd/ops/matmul.h"

#include <stdexcept>

#include "autograd/kernels/gemm.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {

// With out = a @ b and L the loss: dL/da = dout @ bᵀ and dL/db = aᵀ @ dout (each (n x k) and (k x m)).
// Where a batch axis was broadcast, accumulate_grad sums the gradient over it.
Tensor matmul(const Tensor& a, const Tensor& b) {
    if (a.dim() == 0 || b.dim() == 0)
        throw std::invalid_argument(fmt::format("matmul: both operands need at least one dimension, got {} @ {}",
                                                shape_string(a.shape()), shape_string(b.shape())));
    // A vector is a one-row (or one-column) matrix whose extra axis is dropped from the result.
    if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
    if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
    if (a.size(-1) != b.size(-2))
        throw std::invalid_argument(fmt::format("matmul: inner dimensions must match, got {} @ {}",
                                                shape_string(a.shape()), shape_string(b.shape())));
    if (a.dtype() != b.dtype() || !is_floating(a.dtype()))
        throw std::invalid_argument(fmt::format("matmul: operands must share a floating dtype, got {} @ {}",
                                                dtype_name(a.dtype()), dtype_name(b.dtype())));
    const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
    const Shape batch_a(a.shape().begin(), a.shape().end() - 2);
    const Shape batch_b(b.shape().begin(), b.shape().end() - 2);
    const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
    const int64_t batch_count = shape_numel(batch);

    Shape out_shape = batch;
    out_shape.push_back(n);
    out_shape.push_back(m);
    Tensor out = empty(out_shape, {.dtype = a.dtype()});
    {
        NoGradGuard no_grad;  // the layout changes below are internal to this op
        Shape a_full = batch, b_full = batch;
        a_full.insert(a_full.end(), {n, k});
        b_full.insert(b_full.end(), {k, m});
        const Tensor packed_a = expand(a, a_full).contiguous();
        const Tensor packed_b = expand(b, b_full).contiguous();
        visit_floating(a.dtype(), [&]<typename T>() {
            kernels::gemm<T>(batch_count, n, m, k, packed_a.data<T>(), packed_b.data<T>(), out.data<T>());
        });
    }
    record("matmul", {a, b}, out, [a, b](const Tensor& dout) {
        if (a.requires_grad()) accumulate_grad(a, matmul(dout, transpose(b, -1, -2)));
        if (b.requires_grad()) accumulate_grad(b, matmul(transpose(a, -1, -2), dout));
    });
    return out;
}

}  // namespace tapegrad
