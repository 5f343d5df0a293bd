// Copying elements between tensors of any layout and dtype.
#include "autograd/loops/copy.h"

#include "kernels/strided_loop.h"

namespace tapegrad::loops {

Shape broadcast_strides(const Tensor& x, const Shape& out_shape) {
    Shape strides(out_shape.size(), 0);
    const std::size_t lead = out_shape.size() - x.shape().size();
    for (std::size_t axis = 0; axis < x.shape().size(); ++axis)
        strides[lead + axis] = x.shape()[axis] == 1 ? 0 : x.strides()[axis];
    return strides;
}

namespace {

// The loop copy_into and add_into share: destination visited in runs (kernels/strided_loop.h), each
// element paired with the element of `source` (data `in`) broadcast onto it; combine(out, in) writes it.
template <typename To, typename From, typename Combine>
void for_each_pair(const Tensor& destination, const Tensor& source, const From* in, Combine combine) {
    const std::array<Shape, 2> strides{destination.strides(), broadcast_strides(source, destination.shape())};
    To* out = destination.data<To>();
    kernels::strided_for_each_run<2>(destination.shape(), strides,
                                     [&](const std::array<int64_t, 2>& at, int64_t count, const std::array<int64_t, 2>& step) {
        To* out_run = out + at[0];
        const From* in_run = in + at[1];
        if (step[0] == 1 && step[1] == 1) {
#pragma omp simd
            for (int64_t i = 0; i < count; ++i) combine(out_run[i], in_run[i]);
        } else {
            for (int64_t i = 0; i < count; ++i) combine(out_run[i * step[0]], in_run[i * step[1]]);
        }
    });
}

}  // namespace

void copy_into(const Tensor& destination, const Tensor& source) {
    broadcast_shapes(source.shape(), destination.shape(), "copy");  // throws when they do not broadcast
    visit_dtype(destination.dtype(), [&]<typename To>() {
        visit_dtype(source.dtype(), [&]<typename From>() {
            for_each_pair<To>(destination, source, source.data<From>(),
                              [](To& out, const From& in) { out = static_cast<To>(in); });
        });
    });
}

void fill(const Tensor& destination, double value) {
    visit_dtype(destination.dtype(), [&]<typename T>() {
        T* out = destination.data<T>();
        const T converted = static_cast<T>(value);
        kernels::strided_for_each<1>(destination.shape(), {destination.strides()},
                            [&](const std::array<int64_t, 1>& at) { out[at[0]] = converted; });
    });
}

void add_into(const Tensor& destination, const Tensor& source) {
    broadcast_shapes(source.shape(), destination.shape(), "add_into");
    // Converted first (a contiguous copy) when the dtypes differ: its own strides are then the ones to read.
    const Tensor converted = source.dtype() == destination.dtype() ? source : source.to(destination.dtype());
    visit_dtype(destination.dtype(), [&]<typename T>() {
        if constexpr (std::is_same_v<T, bfloat16>)  // the gradient of a bfloat16 tensor: summed in float32, rounded once
            for_each_pair<T>(destination, converted, converted.data<T>(),
                             [](T& out, const T& in) { out = bfloat16(static_cast<float>(out) + static_cast<float>(in)); });
        else
            for_each_pair<T>(destination, converted, converted.data<T>(), [](T& out, const T& in) { out += in; });
    });
}

}  // namespace tapegrad::loops
