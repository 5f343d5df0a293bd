// matmul: a @ b with broadcast batch dimensions.
#include "autograd/ops/matmul.h"

#include <array>
#include <stdexcept>
#include <vector>

#include "autograd/autocast.h"
#include "autograd/loops/copy.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "kernels/gemm.h"
#include "kernels/strided_loop.h"

namespace tapegrad {

// The GEMM kernel reads any strides, but streams fastest along a unit stride: a matrix whose rows or
// columns are contiguous (row-major, or a transpose of one) is passed as it is; only a matrix with
// neither (a slice with a step, say) is copied first.
Tensor gemm_ready(const Tensor& x) {
    const int64_t rows = x.size(-2), cols = x.size(-1);
    const bool row_contiguous = cols == 1 || x.strides().end()[-1] == 1;
    const bool col_contiguous = rows == 1 || x.strides().end()[-2] == 1;
    if (row_contiguous || col_contiguous) return x;
    NoGradGuard no_grad;  // a layout copy, internal to the op that asked
    return x.contiguous();
}

namespace {

// One operand of the kernel: the matrix strides, and where each batch entry starts. A size-1 axis gets
// stride 1 (its stride is never used) so the kernel sees the contiguous layout it is.
template <typename T>
kernels::GemmOperand<T> gemm_operand(const Tensor& x, const Shape& batch_strides, const Shape& batch_shape,
                                     std::vector<int64_t>& offsets) {
    kernels::GemmOperand<T> operand{x.data<T>(), x.size(-2) == 1 ? 1 : x.strides().end()[-2],
                                    x.size(-1) == 1 ? 1 : x.strides().end()[-1], 0, nullptr};
    if (batch_shape.size() == 1) {
        operand.batch_stride = batch_strides[0];
        return operand;
    }
    // Batch axes whose strides do not merge into one (heads split out of the features: (B, H, T, D)
    // with H inside T): a table of where each entry starts.
    offsets = kernels::batch_offsets(batch_shape, batch_strides);
    operand.batch_offsets = offsets.data();
    return operand;
}

// out (batch..., n, m) = a (batch..., n, k) @ b (batch..., k, m), batch axes already broadcast-compatible.
void multiply_into(const Tensor& out, const Tensor& a_in, const Tensor& b_in, const Shape& batch) {
    const Tensor a = gemm_ready(a_in), b = gemm_ready(b_in);
    const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
    // Batch strides of each operand as seen from the broadcast batch (0 on broadcast axes), then batch
    // axes that every operand steps through alike merged into one.
    Shape a_full = batch, b_full = batch, out_strides(batch.size());
    a_full.insert(a_full.end(), {n, k});
    b_full.insert(b_full.end(), {k, m});
    const Shape a_strides = loops::broadcast_strides(a, a_full), b_strides = loops::broadcast_strides(b, b_full);
    for (std::size_t axis = 0; axis < batch.size(); ++axis) out_strides[axis] = out.strides()[axis];
    const auto layout = kernels::coalesce<3>(batch, {Shape(a_strides.begin(), a_strides.end() - 2),
                                                     Shape(b_strides.begin(), b_strides.end() - 2), out_strides});
    visit_floating(a.dtype(), [&]<typename T>() {
        std::vector<int64_t> a_offsets, b_offsets;
        const auto a_operand = gemm_operand<T>(a, layout.strides[0], layout.shape, a_offsets);
        const auto b_operand = gemm_operand<T>(b, layout.strides[1], layout.shape, b_offsets);
        // out is freshly allocated and contiguous: entry p of the batch starts at p·n·m.
        kernels::gemm<T>({.batch = shape_numel(batch), .m = n, .n = m, .k = k}, a_operand, b_operand,
                         {out.data<T>(), m, n * m});
    });
}

}  // namespace

// With out = a @ b and L the loss: dL/da = dout @ bᵀ and dL/db = aᵀ @ dout (each (n x k) and (k x m)).
// Where a batch axis was broadcast, accumulate_grad sums the gradient over it. For a plain matrix b
// shared by a batch of a, that sum Σ_p a_pᵀ @ dout_p is itself one product, (a as (P·n, k))ᵀ @ (dout
// as (P·n, m)): computing it so keeps the summation inside the GEMM instead of a (P, k, m) temporary.
Tensor matmul(const Tensor& a, const Tensor& b) {
    if (is_autocast_enabled()) {  // a product: bfloat16 inputs, float32 accumulation (autograd/autocast.h)
        const Tensor rounded_a = autocast_product_input(a), rounded_b = autocast_product_input(b);
        AutocastGuard already_rounded(DType::BFloat16, /*enabled=*/false);
        return matmul(rounded_a, rounded_b);
    }
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
    const int64_t n = a.size(-2), m = b.size(-1);
    const Shape batch_a(a.shape().begin(), a.shape().end() - 2);
    const Shape batch_b(b.shape().begin(), b.shape().end() - 2);
    const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");

    Shape out_shape = batch;
    out_shape.push_back(n);
    out_shape.push_back(m);
    // k = 0 is an empty sum: zeros. Otherwise the kernel writes every element.
    Tensor out = a.size(-1) == 0 ? empty(out_shape, {.dtype = a.dtype()}) : empty_uninitialized(out_shape, {.dtype = a.dtype()});
    {
        NoGradGuard no_grad;  // any layout copy below is internal to this op
        multiply_into(out, a, b, batch);
    }
    record("matmul", {a, b}, out, [a, b](const Tensor& dout) {
        if (a.requires_grad()) accumulate_grad(a, matmul(dout, transpose(b, -1, -2)));
        if (!b.requires_grad()) return;
        if (b.dim() == 2 && a.dim() > 2) {
            const int64_t k = a.size(-1), m = b.size(-1);
            accumulate_grad(b, matmul(transpose(reshape(a, {-1, k}), 0, 1), reshape(dout, {-1, m})));
        } else {
            accumulate_grad(b, matmul(transpose(a, -1, -2), dout));
        }
    });
    return out;
}

}  // namespace tapegrad
