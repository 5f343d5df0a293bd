// Elementwise map kernels: apply a function to every element (or every broadcast pair) into a fresh
// contiguous tensor. Nothing here knows about autograd; ops in autograd/ops/ call these and record.
#pragma once

#include <stdexcept>

#include "autograd/kernels/strided_loop.h"

namespace tapegrad::kernels {

// out[i] = fn(x[i]) computed in T, x's dtype. The caller dispatches T.
template <typename T, typename Fn>
Tensor map(const Tensor& x, Fn fn) {
    Tensor out = empty_uninitialized(x.shape(), {.dtype = dtype_of<T>()});
    T* o = out.data<T>();
    const T* in = x.data<T>();
    strided_for_each<2>(x.shape(), {out.strides(), x.strides()},
                        [&](const std::array<int64_t, 2>& at) { o[at[0]] = static_cast<T>(fn(in[at[1]])); });
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
    strided_for_each<3>(shape, {out.strides(), broadcast_strides(a, shape), broadcast_strides(b, shape)},
                        [&](const std::array<int64_t, 3>& at) { o[at[0]] = static_cast<Out>(fn(pa[at[1]], pb[at[2]])); });
    return out;
}

}  // namespace tapegrad::kernels
