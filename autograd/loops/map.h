// Elementwise map kernels: apply a function to every element (or every broadcast pair) into a fresh
// contiguous tensor. Nothing here knows about autograd; ops in autograd/ops/ call these and record.
#pragma once

#include <stdexcept>

#include "autograd/loops/copy.h"
#include "kernels/strided_loop.h"

namespace tapegrad::loops {

// out[i] = fn(x[i]) computed in T, x's dtype. The caller dispatches T.
template <typename T, typename Fn>
Tensor map(const Tensor& x, Fn fn) {
    Tensor out = empty_uninitialized(x.shape(), {.dtype = dtype_of<T>()});
    T* o = out.data<T>();
    const T* in = x.data<T>();
    kernels::strided_for_each_run<2>(x.shape(), {out.strides(), x.strides()},
                            [&](const std::array<int64_t, 2>& at, int64_t count, const std::array<int64_t, 2>& step) {
        T* o_run = o + at[0];
        const T* in_run = in + at[1];
        if (step[1] == 1) {  // the common case, vectorised
#pragma omp simd
            for (int64_t i = 0; i < count; ++i) o_run[i] = static_cast<T>(fn(in_run[i]));
        } else {
            for (int64_t i = 0; i < count; ++i) o_run[i] = static_cast<T>(fn(in_run[i * step[1]]));
        }
    });
    return out;
}

// out[i] = fn(a[i], b[i]) over the broadcast shape; a and b hold In, out holds Out.
template <typename Out, typename In, typename Fn>
Tensor zip(const Tensor& a, const Tensor& b, const char* op, Fn fn) {
    const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
    Tensor out = empty_uninitialized(shape, {.dtype = dtype_of<Out>()});
    Out* o = out.data<Out>();
    const In* pa = a.data<In>();
    const In* pb = b.data<In>();
    kernels::strided_for_each_run<3>(shape, {out.strides(), broadcast_strides(a, shape), broadcast_strides(b, shape)},
                            [&](const std::array<int64_t, 3>& at, int64_t count, const std::array<int64_t, 3>& step) {
        Out* o_run = o + at[0];
        const In* a_run = pa + at[1];
        const In* b_run = pb + at[2];
        // Vectorised loops for the common runs: both operands contiguous (same shapes), or one of them a
        // single value repeated along the run (a scalar, or a column broadcast across a row).
        if (step[1] == 1 && step[2] == 1) {
#pragma omp simd
            for (int64_t i = 0; i < count; ++i) o_run[i] = static_cast<Out>(fn(a_run[i], b_run[i]));
        } else if (step[1] == 1 && step[2] == 0) {
            const In b_value = *b_run;
#pragma omp simd
            for (int64_t i = 0; i < count; ++i) o_run[i] = static_cast<Out>(fn(a_run[i], b_value));
        } else if (step[1] == 0 && step[2] == 1) {
            const In a_value = *a_run;
#pragma omp simd
            for (int64_t i = 0; i < count; ++i) o_run[i] = static_cast<Out>(fn(a_value, b_run[i]));
        } else {
            for (int64_t i = 0; i < count; ++i) o_run[i] = static_cast<Out>(fn(a_run[i * step[1]], b_run[i * step[2]]));
        }
    });
    return out;
}

}  // namespace tapegrad::loops
