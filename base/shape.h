// Shapes, strides and NumPy broadcasting rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tapegrad {

// A shape lists the size of each dimension, outermost first: (B, T, E) is {B, T, E}.
// Strides use the same type and count elements (not bytes) to step one index along each dimension.
using Shape = std::vector<int64_t>;

// Number of elements in a tensor of this shape (1 for the scalar shape {}).
int64_t shape_numel(const Shape& shape);

// Row-major ("C") strides: the last dimension is contiguous.
Shape contiguous_strides(const Shape& shape);

// NumPy broadcasting: align shapes on the right; each pair of sizes must be equal or one of them 1.
// Throws std::invalid_argument naming `op` and both shapes when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Turns a possibly negative axis (-1 is the last) into 0..ndim-1; throws naming `op` when out of range.
int64_t normalize_axis(int64_t axis, int64_t ndim, const char* op);

// Normalizes a list of axes, sorted and without repeats; an empty list means "every axis".
std::vector<int64_t> normalize_axes(const std::vector<int64_t>& axes, int64_t ndim, const char* op);

// A shape seen around one axis as (outer, size, inner): element (o, j, i) of a contiguous tensor sits
// at (o * size + j) * inner + i. Kernels that work along an axis (softmax, index_select) use this.
struct AxisSplit {
    int64_t outer = 1;
    int64_t size = 1;
    int64_t inner = 1;
};
AxisSplit split_at_axis(const Shape& shape, int64_t axis);

// "[2, 3]": how every error message prints a shape.
std::string shape_string(const Shape& shape);

}  // namespace tapegrad
