// Shape ops: views that re-index storage (reshape of contiguous data, transpose, permute, squeeze,
// unsqueeze, expand, narrow/slice, select) and copies that gather (concat, stack, index_select,
// gather, embedding). All differentiable.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

// A view when x is contiguous, otherwise a copy. One entry of `shape` may be -1 (inferred).
Tensor reshape(const Tensor& x, const Shape& shape);
// Like reshape but never copies: throws when x is not contiguous.
Tensor view(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int64_t start_axis = 0, int64_t end_axis = -1);
Tensor transpose(const Tensor& x, int64_t axis0, int64_t axis1);
Tensor permute(const Tensor& x, const std::vector<int64_t>& axes);
Tensor squeeze(const Tensor& x, int64_t axis);  // removes a size-1 axis
Tensor unsqueeze(const Tensor& x, int64_t axis);  // inserts a size-1 axis
// Broadcasts size-1 axes (and new leading axes) to `shape` without copying (stride 0).
Tensor expand(const Tensor& x, const Shape& shape);
// Elements start..start+length-1 along axis, a view.
Tensor narrow(const Tensor& x, int64_t axis, int64_t start, int64_t length);
// Python-style slice x[start:end:step] along axis (negative start/end count from the end), a view.
Tensor slice(const Tensor& x, int64_t axis, int64_t start, int64_t end, int64_t step = 1);
// x[..., index, ...] along axis, dropping that axis, a view.
Tensor select(const Tensor& x, int64_t axis, int64_t index);

Tensor concat(const std::vector<Tensor>& tensors, int64_t axis);
Tensor stack(const std::vector<Tensor>& tensors, int64_t axis);
// Pieces of `split_size` along axis (the last may be smaller).
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t axis);
// `chunks` nearly equal pieces along axis.
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t axis);

// Rows of x along axis picked by the int64 vector `index`; duplicates accumulate in backward.
Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index);
// out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (torch.gather); index is int64 of out's shape.
Tensor gather(const Tensor& x, int64_t axis, const Tensor& index);
// Embedding lookup: weight (V, E), indices int64 of any shape (...) -> (..., E).
// Rows equal to padding_idx (if >= 0) get no gradient.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1);

}  // namespace tapegrad
