// Shapes, strides and NumPy broadcasting rules.
#include "base/shape.h"

#include <algorithm>
#include <stdexcept>

namespace tapegrad {

int64_t shape_numel(const Shape& shape) {
    int64_t n = 1;
    for (int64_t size : shape) n *= size;
    return n;
}

Shape contiguous_strides(const Shape& shape) {
    Shape strides(shape.size());
    int64_t stride = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= std::max<int64_t>(shape[i], 1);
    }
    return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
    const std::size_t ndim = std::max(a.size(), b.size());
    Shape out(ndim);
    for (std::size_t i = 0; i < ndim; ++i) {
        // Walk from the right: dimension i of the result pairs the i-th-from-last sizes.
        const int64_t size_a = i < a.size() ? a[a.size() - 1 - i] : 1;
        const int64_t size_b = i < b.size() ? b[b.size() - 1 - i] : 1;
        if (size_a != size_b && size_a != 1 && size_b != 1)
            throw std::invalid_argument(fmt::format("{}: shapes {} and {} cannot be broadcast together", op,
                                                    shape_string(a), shape_string(b)));
        out[ndim - 1 - i] = size_a == 1 ? size_b : size_a;
    }
    return out;
}

int64_t normalize_axis(int64_t axis, int64_t ndim, const char* op) {
    if (axis < -ndim || axis >= std::max<int64_t>(ndim, 1))
        throw std::invalid_argument(
            fmt::format("{}: axis {} is out of range for a tensor with {} dimensions", op, axis, ndim));
    return axis < 0 ? axis + ndim : axis;
}

std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t ndim, const char* op) {
    std::vector<int64_t> out;
    if (axes.empty()) {
        for (int64_t i = 0; i < ndim; ++i) out.push_back(i);
        return out;
    }
    for (int64_t axis : axes) out.push_back(normalize_axis(axis, ndim, op));
    std::sort(out.begin(), out.end());
    if (std::adjacent_find(out.begin(), out.end()) != out.end())
        throw std::invalid_argument(fmt::format("{}: axis listed twice in {}", op, shape_string(axes)));
    return out;
}

AxisSplit split_at_axis(const Shape& shape, int64_t axis) {
    AxisSplit split;
    for (int64_t a = 0; a < axis; ++a) split.outer *= shape[a];
    split.size = shape[axis];
    for (std::size_t a = axis + 1; a < shape.size(); ++a) split.inner *= shape[a];
    return split;
}

std::string shape_string(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

}  // namespace tapegrad
