// Joining and splitting along an axis: concat, stack, split, chunk.
#include <stdexcept>

#include "autograd/loops/copy.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {

// Each input's gradient is the slice of dout that its values were copied into.
Tensor concat(const std::vector<Tensor>& tensors, int64_t axis) {
    if (tensors.empty()) throw std::invalid_argument("concat: needs at least one tensor");
    const Tensor& first = tensors.front();
    const int64_t along = normalize_axis(axis, first.dim(), "concat");
    Shape shape = first.shape();
    shape[along] = 0;
    for (const Tensor& t : tensors) {
        Shape expected = first.shape();
        expected[along] = t.dim() == first.dim() ? t.size(along) : -1;
        if (t.shape() != expected || t.dtype() != first.dtype())
            throw std::invalid_argument(fmt::format(
                "concat: tensors must match except along axis {}, got {} {} and {} {}", axis, shape_string(first.shape()),
                dtype_name(first.dtype()), shape_string(t.shape()), dtype_name(t.dtype())));
        shape[along] += t.size(along);
    }
    Tensor out = empty_uninitialized(shape, {.dtype = first.dtype()});
    std::vector<int64_t> starts;
    int64_t start = 0;
    {
        NoGradGuard no_grad;
        for (const Tensor& t : tensors) {
            starts.push_back(start);
            loops::copy_into(narrow(out, along, start, t.size(along)), t);
            start += t.size(along);
        }
    }
    record("concat", tensors, out, [tensors, along, starts](const Tensor& dout) {
        for (std::size_t i = 0; i < tensors.size(); ++i)
            if (tensors[i].requires_grad()) accumulate_grad(tensors[i], narrow(dout, along, starts[i], tensors[i].size(along)));
    });
    return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t axis) {
    if (tensors.empty()) throw std::invalid_argument("stack: needs at least one tensor");
    const int64_t along = normalize_axis(axis, tensors.front().dim() + 1, "stack");
    std::vector<Tensor> expanded;
    for (const Tensor& t : tensors) {
        if (t.shape() != tensors.front().shape())
            throw std::invalid_argument(fmt::format("stack: all tensors must have the same shape, got {} and {}",
                                                    shape_string(tensors.front().shape()), shape_string(t.shape())));
        expanded.push_back(unsqueeze(t, along));
    }
    return concat(expanded, along);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t axis) {
    const int64_t along = normalize_axis(axis, x.dim(), "split");
    if (split_size <= 0) throw std::invalid_argument(fmt::format("split: split_size must be positive, got {}", split_size));
    std::vector<Tensor> pieces;
    for (int64_t start = 0; start < x.size(along); start += split_size)
        pieces.push_back(narrow(x, along, start, std::min(split_size, x.size(along) - start)));
    return pieces;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t axis) {
    if (chunks <= 0) throw std::invalid_argument(fmt::format("chunk: chunks must be positive, got {}", chunks));
    const int64_t size = x.size(normalize_axis(axis, x.dim(), "chunk"));
    return split(x, std::max<int64_t>((size + chunks - 1) / chunks, 1), axis);
}

}  // namespace tapegrad
