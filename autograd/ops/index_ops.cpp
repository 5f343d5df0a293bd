// Gathering by integer indices: index_select, gather, embedding. Their backward scatters dout back,
// adding where an index repeats (a token that appears twice gets both gradients).
#include <stdexcept>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

void require_indices(const Tensor& index, const char* op) {
    if (index.dtype() != DType::Int64)
        throw std::invalid_argument(fmt::format("{}: indices must be int64, got {}", op, dtype_name(index.dtype())));
}

void check_index(int64_t value, int64_t size, int64_t position, const char* op) {
    if (value < 0 || value >= size)
        throw std::invalid_argument(
            fmt::format("{}: index {} is out of range for size {} (at position {})", op, value, size, position));
}

// out (outer, count, inner)[o, j, i] = x[o, index[j], i], or its adjoint (scatter-add) when `adjoint`.
template <typename T>
void select_rows(const T* x, T* out, const int64_t* index, int64_t count, AxisSplit v, bool adjoint) {
#pragma omp parallel for schedule(static) if (v.outer > 1 && v.outer * count * v.inner > 65536)
    for (int64_t o = 0; o < v.outer; ++o)
        for (int64_t j = 0; j < count; ++j) {
            const int64_t from = (o * v.size + index[j]) * v.inner;
            const int64_t to = (o * count + j) * v.inner;
            for (int64_t i = 0; i < v.inner; ++i) {
                if (!adjoint) out[to + i] = x[from + i];
                else if constexpr (std::is_same_v<T, bfloat16>) out[from + i] = bfloat16(out[from + i] + x[to + i]);
                else out[from + i] += x[to + i];
            }
        }
}

}  // namespace

Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index) {
    require_indices(index, "index_select");
    if (index.dim() != 1)
        throw std::invalid_argument(fmt::format("index_select: index must be 1-D, got shape {}", shape_string(index.shape())));
    const int64_t along = normalize_axis(axis, x.dim(), "index_select");
    const Tensor source = x.contiguous();
    const Tensor idx = index.contiguous();
    const AxisSplit v = split_at_axis(x.shape(), along);
    const int64_t* ids = idx.data<int64_t>();
    for (int64_t j = 0; j < idx.numel(); ++j) check_index(ids[j], v.size, j, "index_select");
    Shape shape = x.shape();
    shape[along] = idx.numel();
    Tensor out = empty_uninitialized(shape, {.dtype = x.dtype()});
    visit_dtype(x.dtype(), [&]<typename T>() { select_rows<T>(source.data<T>(), out.data<T>(), ids, idx.numel(), v, false); });
    record("index_select", {x}, out, [x, idx, v](const Tensor& dout) {
        Tensor dx = zeros(x.shape(), {.dtype = dout.dtype()});
        const Tensor packed = dout.contiguous();
        visit_floating(dx.dtype(), [&]<typename T>() {
            select_rows<T>(packed.data<T>(), dx.data<T>(), idx.data<int64_t>(), idx.numel(), v, true);
        });
        accumulate_grad(x, dx);
    });
    return out;
}

Tensor gather(const Tensor& x, int64_t axis, const Tensor& index) {
    require_indices(index, "gather");
    const int64_t along = normalize_axis(axis, x.dim(), "gather");
    if (index.dim() != x.dim())
        throw std::invalid_argument(fmt::format("gather: index {} must have as many dimensions as the input {}",
                                                shape_string(index.shape()), shape_string(x.shape())));
    for (int64_t a = 0; a < x.dim(); ++a)
        if (a != along && index.size(a) > x.size(a))
            throw std::invalid_argument(fmt::format("gather: index {} is larger than the input {} outside axis {}",
                                                    shape_string(index.shape()), shape_string(x.shape()), axis));
    const Tensor source = x.contiguous();
    const Tensor idx = index.contiguous();
    const int64_t* ids = idx.data<int64_t>();
    // The element offset in (contiguous) x of each index position, with the gathered coordinate
    // substituted. The same offsets address the contiguous gradient in backward.
    std::vector<int64_t> offsets(static_cast<std::size_t>(idx.numel()));
    for (int64_t n = 0; n < idx.numel(); ++n) {
        int64_t remainder = n, offset = 0;
        for (int64_t a = x.dim() - 1; a >= 0; --a) {
            int64_t coordinate = remainder % idx.size(a);
            remainder /= idx.size(a);
            if (a == along) {
                check_index(ids[n], x.size(a), n, "gather");
                coordinate = ids[n];
            }
            offset += coordinate * source.strides()[a];
        }
        offsets[n] = offset;
    }
    Tensor out = empty(idx.shape(), {.dtype = x.dtype()});
    visit_dtype(x.dtype(), [&]<typename T>() {
        const T* in = source.data<T>();
        T* o = out.data<T>();
        for (std::size_t n = 0; n < offsets.size(); ++n) o[n] = in[offsets[n]];
    });
    record("gather", {x}, out, [x, offsets](const Tensor& dout) {
        Tensor dx = zeros(x.shape(), {.dtype = dout.dtype()});
        const Tensor packed = dout.contiguous();
        visit_floating(dx.dtype(), [&]<typename T>() {
            T* d = dx.data<T>();
            const T* g = packed.data<T>();
            for (std::size_t n = 0; n < offsets.size(); ++n) d[offsets[n]] += g[n];
        });
        accumulate_grad(x, dx);
    });
    return out;
}

// weight (V, E), indices (...) -> (..., E): row indices[n] of weight. Rows equal to padding_idx
// receive no gradient, so the padding embedding stays as initialised (zeros, by nn::Embedding).
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
    require_indices(indices, "embedding");
    if (weight.dim() != 2)
        throw std::invalid_argument(fmt::format("embedding: weight must be (V, E), got {}", shape_string(weight.shape())));
    const int64_t vocab = weight.size(0), width = weight.size(1);
    const Tensor ids = indices.contiguous();
    const int64_t* id = ids.data<int64_t>();
    for (int64_t n = 0; n < ids.numel(); ++n) check_index(id[n], vocab, n, "embedding");
    Shape shape = indices.shape();
    shape.push_back(width);
    const Tensor table = weight.contiguous();
    Tensor out = empty_uninitialized(shape, {.dtype = weight.dtype()});
    visit_dtype(weight.dtype(), [&]<typename T>() {
        select_rows<T>(table.data<T>(), out.data<T>(), id, ids.numel(), {1, vocab, width}, false);
    });
    record("embedding", {weight}, out, [weight, ids, padding_idx, width](const Tensor& dout) {
        Tensor dweight = zeros(weight.shape(), {.dtype = dout.dtype()});
        const Tensor packed = dout.contiguous();
        visit_floating(dweight.dtype(), [&]<typename T>() {
            T* d = dweight.data<T>();
            const T* g = packed.data<T>();
            const int64_t* id = ids.data<int64_t>();
            for (int64_t n = 0; n < ids.numel(); ++n) {
                if (id[n] == padding_idx) continue;
                for (int64_t i = 0; i < width; ++i) d[id[n] * width + i] += g[n * width + i];
            }
        });
        accumulate_grad(weight, dweight);
    });
    return out;
}

}  // namespace tapegrad
