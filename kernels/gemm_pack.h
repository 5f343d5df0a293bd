// Packing for the fast GEMM: copying blocks of A and B into the panel layouts the micro-kernels stream.
//
// A packed A block is a row of MR-row panels; inside a panel, step l holds A(0..MR-1, l) contiguously,
// so the micro-kernel broadcasts from consecutive addresses. A packed B block is a row of NR-column
// panels; inside a panel, step l holds B(l, 0..NR-1), one or two aligned vector loads. Panels are
// zero-padded to MR rows / NR columns so the kernel never needs a bounds check on them.
// Each routine walks the source along its unit stride: a contiguous layout is dealt out run by run,
// the other one goes through the ISA's block transpose; any other strides are copied element by element.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/gemm_microkernel.h"

namespace tapegrad::kernels {

// The plain transpose (the portable kernels' TransposeFn): rows of the source are read contiguously.
template <typename T>
void transpose_portable(T* destination, int64_t destination_stride, const T* source, int64_t source_stride,
                        int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) destination[c * destination_stride + r] = source[r * source_stride + c];
}

// Zeroes columns [valid, width) of each of `depth` rows of `width`: the padding of a short last panel.
template <typename T>
void zero_padding(T* panel, int64_t depth, int64_t width, int64_t valid) {
    if (valid < width)
        for (int64_t l = 0; l < depth; ++l) std::fill(panel + l * width + valid, panel + (l + 1) * width, T(0));
}

// A(rows x depth) at `a` with the given strides -> ceil(rows / mr) panels of mr x depth at `packed`.
template <typename T>
void pack_a(T* packed, const T* a, int64_t row_stride, int64_t col_stride, int64_t rows, int64_t depth, int mr,
            TransposeFn<T> transpose) {
    const int64_t panels = (rows + mr - 1) / mr;
    zero_padding(packed + (panels - 1) * mr * depth, depth, mr, rows - (panels - 1) * mr);
    for (int64_t panel = 0; panel < panels; ++panel) {
        const int64_t panel_rows = std::min<int64_t>(mr, rows - panel * mr);
        T* destination = packed + panel * mr * depth;
        const T* source = a + panel * mr * row_stride;
        if (row_stride == 1) {  // A read as a transpose: step l of the panel is a contiguous run
            for (int64_t l = 0; l < depth; ++l)
                std::copy(source + l * col_stride, source + l * col_stride + panel_rows, destination + l * mr);
        } else if (col_stride == 1) {  // row-major A: the panel is the transpose of panel_rows rows
            transpose(destination, mr, source, row_stride, panel_rows, depth);
        } else {
            for (int64_t i = 0; i < panel_rows; ++i)
                for (int64_t l = 0; l < depth; ++l) destination[l * mr + i] = source[i * row_stride + l * col_stride];
        }
    }
}

// B(depth x cols) at `b` with the given strides -> ceil(cols / nr) panels of depth x nr at `packed`.
template <typename T>
void pack_b(T* packed, const T* b, int64_t row_stride, int64_t col_stride, int64_t depth, int64_t cols, int nr,
            TransposeFn<T> transpose) {
    const int64_t panels = (cols + nr - 1) / nr;
    zero_padding(packed + (panels - 1) * nr * depth, depth, nr, cols - (panels - 1) * nr);
    if (col_stride == 1) {  // row-major B: each row of B is read once, left to right, and dealt to the panels
        for (int64_t l = 0; l < depth; ++l)
            for (int64_t panel = 0; panel < panels; ++panel) {
                const T* source = b + l * row_stride + panel * nr;
                std::copy(source, source + std::min<int64_t>(nr, cols - panel * nr), packed + (panel * depth + l) * nr);
            }
        return;
    }
    for (int64_t panel = 0; panel < panels; ++panel) {
        const int64_t panel_cols = std::min<int64_t>(nr, cols - panel * nr);
        T* destination = packed + panel * nr * depth;
        const T* source = b + panel * nr * col_stride;
        if (row_stride == 1) {  // B read as a transpose: the panel is the transpose of panel_cols rows of Bᵀ
            transpose(destination, nr, source, col_stride, panel_cols, depth);
        } else {
            for (int64_t j = 0; j < panel_cols; ++j)
                for (int64_t l = 0; l < depth; ++l) destination[l * nr + j] = source[l * row_stride + j * col_stride];
        }
    }
}

// B(depth x cols) -> row-major with rows `ld` apart: how the unpacked path reads a B that is a transpose.
template <typename T>
void copy_to_row_major(T* destination, int64_t ld, const T* b, int64_t row_stride, int64_t col_stride, int64_t depth,
                       int64_t cols, TransposeFn<T> transpose) {
    if (col_stride == 1) {
        for (int64_t l = 0; l < depth; ++l) std::copy(b + l * row_stride, b + l * row_stride + cols, destination + l * ld);
    } else if (row_stride == 1) {
        transpose(destination, ld, b, col_stride, cols, depth);
    } else {
        for (int64_t l = 0; l < depth; ++l)
            for (int64_t j = 0; j < cols; ++j) destination[l * ld + j] = b[l * row_stride + j * col_stride];
    }
}

}  // namespace tapegrad::kernels
