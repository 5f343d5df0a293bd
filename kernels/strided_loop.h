// The loop every elementwise kernel runs on: visit each element of an N-dimensional shape while
// tracking where that element sits in several operands, each with its own strides.
//
// Broadcasting is expressed through strides: an operand whose size-1 axis is stretched to the
// output's size gets stride 0 on that axis, so it re-reads the same element. Adjacent axes that are
// contiguous in every operand are merged first, so the common cases (same-shape contiguous tensors,
// a bias broadcast over rows) run as one or two flat loops. Rows are split across OpenMP threads when
// there is enough work; each thread writes its own output elements, so results do not depend on the
// thread count.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "base/shape.h"

namespace tapegrad::kernels {

// Below this many elements a loop runs on one thread: spawning costs more than it saves.
inline constexpr int64_t kParallelThreshold = 32768;

// Where each entry of a batch starts, for strides over the batch axes (0 on a broadcast axis):
// offsets[p] = Σ index_p[axis] · strides[axis], p counting the batch index in row-major order. The
// table a batched product reads when its batch axes do not merge into one stride (heads split out of
// the features: (B, H, T, D) with H inside T).
std::vector<int64_t> batch_offsets(const Shape& batch, const Shape& strides);

template <std::size_t N>
struct StridedLayout {
    Shape shape;                    // after merging axes
    std::array<Shape, N> strides;   // per operand, same length as shape
};

// Merges axes i and i+1 wherever every operand steps through them as through one axis.
template <std::size_t N>
StridedLayout<N> coalesce(const Shape& shape, const std::array<Shape, N>& strides) {
    StridedLayout<N> layout;
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
        if (shape[axis] == 1) continue;  // size-1 axes contribute nothing to any offset
        bool mergeable = !layout.shape.empty();
        for (std::size_t k = 0; k < N && mergeable; ++k)
            mergeable = layout.strides[k].back() == strides[k][axis] * shape[axis];
        if (mergeable) {
            layout.shape.back() *= shape[axis];
            for (std::size_t k = 0; k < N; ++k) layout.strides[k].back() = strides[k][axis];
        } else {
            layout.shape.push_back(shape[axis]);
            for (std::size_t k = 0; k < N; ++k) layout.strides[k].push_back(strides[k][axis]);
        }
    }
    if (layout.shape.empty()) {  // a scalar or all-ones shape: one element
        layout.shape.push_back(1);
        for (std::size_t k = 0; k < N; ++k) layout.strides[k].push_back(0);
    }
    return layout;
}

// The walk handed out in runs: run(offsets, count, steps) processes `count` consecutive elements of the
// innermost (merged) axis, the first at `offsets`, operand k advancing by steps[k] per element.
// Kernels give the unit-stride case (steps all 1, or 0 for a broadcast operand) a plain loop that the
// compiler vectorises; flat runs are cut into blocks so that threads share them.
template <std::size_t N, typename Run>
void strided_for_each_run(const Shape& shape, const std::array<Shape, N>& strides, Run&& run) {
    const StridedLayout<N> layout = coalesce<N>(shape, strides);
    const int64_t ndim = static_cast<int64_t>(layout.shape.size());
    const int64_t inner = layout.shape[ndim - 1];
    int64_t rows = 1;
    for (int64_t axis = 0; axis + 1 < ndim; ++axis) rows *= layout.shape[axis];
    const bool parallel = rows * inner >= kParallelThreshold;
    std::array<int64_t, N> steps;
    for (std::size_t k = 0; k < N; ++k) steps[k] = layout.strides[k][ndim - 1];

    if (ndim == 1) {
        constexpr int64_t kBlock = 8192;
        const int64_t blocks = (inner + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t block = 0; block < blocks; ++block) {
            std::array<int64_t, N> offsets;
            for (std::size_t k = 0; k < N; ++k) offsets[k] = block * kBlock * steps[k];
            run(offsets, std::min(kBlock, inner - block * kBlock), steps);
        }
        return;
    }
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t row = 0; row < rows; ++row) {
        std::array<int64_t, N> offsets{};
        int64_t remainder = row;
        for (int64_t axis = ndim - 2; axis >= 0; --axis) {
            const int64_t index = remainder % layout.shape[axis];
            remainder /= layout.shape[axis];
            for (std::size_t k = 0; k < N; ++k) offsets[k] += index * layout.strides[k][axis];
        }
        run(offsets, inner, steps);
    }
}

// Calls body(offsets) once per element, where offsets[k] is the element's offset in operand k
// (relative to that operand's data pointer): the run walk, one element at a time.
template <std::size_t N, typename Body>
void strided_for_each(const Shape& shape, const std::array<Shape, N>& strides, Body&& body) {
    strided_for_each_run<N>(shape, strides,
                            [&](std::array<int64_t, N> offsets, int64_t count, const std::array<int64_t, N>& steps) {
        for (int64_t i = 0; i < count; ++i) {
            body(offsets);
            for (std::size_t k = 0; k < N; ++k) offsets[k] += steps[k];
        }
    });
}

}  // namespace tapegrad::kernels
