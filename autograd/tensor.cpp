// Tensor: the handle, its storage, and the accessors; creation functions live in creation.cpp.
#include "autograd/tensor.h"

#include "autograd/allocator.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <cstring>
#include <stdexcept>

#include "autograd/loops/copy.h"
#include "autograd/tape.h"

namespace tapegrad {

Storage::Storage(std::size_t bytes) : Storage(bytes, Uninitialized{}) { std::memset(data_, 0, bytes_); }

Storage::Storage(std::size_t bytes, Uninitialized)
    : data_(static_cast<std::byte*>(allocate_block(bytes))), bytes_(bytes) {}

Storage::~Storage() { free_block(data_); }

TensorImpl& Tensor::impl() const {
    if (!impl_) throw std::logic_error("tensor: this Tensor is undefined (default-constructed or an absent grad)");
    return *impl_;
}

int64_t Tensor::size(int64_t axis) const { return shape()[normalize_axis(axis, dim(), "size")]; }

bool Tensor::is_contiguous() const {
    // Size-1 axes may carry any stride without changing which elements are visited.
    int64_t expected = 1;
    for (int64_t axis = dim() - 1; axis >= 0; --axis) {
        if (shape()[axis] == 1) continue;
        if (strides()[axis] != expected) return false;
        expected *= shape()[axis];
    }
    return true;
}

std::vector<int64_t> Tensor::memory_order() const {
    std::vector<int64_t> order(static_cast<std::size_t>(dim()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return strides()[a] > strides()[b]; });
    return order;
}

bool Tensor::is_dense() const {
    // Walking the axes from the innermost in memory, each stride must be the size of everything inside it.
    const std::vector<int64_t> order = memory_order();
    int64_t expected = 1;
    for (auto axis = order.rbegin(); axis != order.rend(); ++axis) {
        if (shape()[*axis] == 1) continue;
        if (strides()[*axis] != expected) return false;
        expected *= shape()[*axis];
    }
    return true;
}

template <typename T> T* Tensor::data() const {
    if (dtype() != dtype_of<T>())
        throw std::invalid_argument(fmt::format("data: tensor holds {}, asked for {}", dtype_name(dtype()),
                                                dtype_name(dtype_of<T>())));
    return reinterpret_cast<T*>(impl().storage->data()) + offset();
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template int64_t* Tensor::data<int64_t>() const;
template bool* Tensor::data<bool>() const;
template bfloat16* Tensor::data<bfloat16>() const;

void* Tensor::raw_data() const { return impl().storage->data() + offset() * dtype_size(dtype()); }

double Tensor::item() const {
    if (numel() != 1)
        throw std::invalid_argument(
            fmt::format("item: only a one-element tensor has an item, got shape {}", shape_string(shape())));
    return visit_dtype(dtype(), [&]<typename T>() { return static_cast<double>(*data<T>()); });
}

template <typename T> std::vector<T> Tensor::to_vector() const {
    std::vector<T> values(static_cast<std::size_t>(numel()));
    if (values.empty()) return values;
    // Copy through a contiguous tensor of the same dtype, then convert.
    Tensor packed = empty_uninitialized(shape(), {.dtype = dtype()});
    loops::copy_into(packed, *this);
    visit_dtype(dtype(), [&]<typename From>() {
        const From* in = packed.data<From>();
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<T>(in[i]);
    });
    return values;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<int> Tensor::to_vector<int>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;

Tensor& Tensor::requires_grad_(bool enabled) {
    if (!is_leaf())
        throw std::invalid_argument(
            "requires_grad_: only a leaf tensor can be marked; use detach() to make a leaf from a result");
    if (enabled && !is_floating_point_format(dtype()))
        throw std::invalid_argument(fmt::format(
            "requires_grad_: only floating-point tensors can require grad, got {}", dtype_name(dtype())));
    impl().requires_grad = enabled;
    return *this;
}

Tensor Tensor::grad() const { return Tensor(impl().grad); }

void Tensor::set_grad(const Tensor& grad) const {
    if (grad.defined() && (grad.shape() != shape() || grad.dtype() != dtype()))
        throw std::invalid_argument(fmt::format("set_grad: gradient {} {} does not match tensor {} {}",
                                                shape_string(grad.shape()), dtype_name(grad.dtype()),
                                                shape_string(shape()), dtype_name(dtype())));
    impl().grad = grad.impl_ptr();
}

void Tensor::zero_grad() const { impl().grad.reset(); }

void Tensor::retain_grad() const {
    if (!requires_grad()) throw std::invalid_argument("retain_grad: the tensor does not require grad");
    impl().retains_grad = true;
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
    if (!requires_grad())
        throw std::invalid_argument(
            "backward: the tensor does not require grad (no input of the computation requires grad, "
            "or it was computed inside a NoGradGuard)");
    Tensor root_grad = gradient;
    if (!root_grad.defined()) {
        if (numel() != 1)
            throw std::invalid_argument(fmt::format(
                "backward: a gradient must be given for a non-scalar output, got shape {}", shape_string(shape())));
        root_grad = ones(shape(), {.dtype = dtype()});
    } else if (root_grad.shape() != shape()) {
        throw std::invalid_argument(fmt::format("backward: gradient shape {} does not match output shape {}",
                                                shape_string(root_grad.shape()), shape_string(shape())));
    }
    Tape::current().backward(*this, root_grad.to(dtype()), retain_graph);
}

Tensor Tensor::detach() const {
    auto out = std::make_shared<TensorImpl>();
    out->storage = impl().storage;
    out->shape = shape();
    out->strides = strides();
    out->offset = offset();
    out->dtype = dtype();
    return Tensor(out);
}

// contiguous: the gradient of a copy is the incoming gradient unchanged.
Tensor Tensor::contiguous() const {
    if (is_contiguous()) return *this;
    return clone();
}

Tensor Tensor::clone() const {
    Tensor out = empty_uninitialized(shape(), {.dtype = dtype()});
    loops::copy_into(out, *this);
    const Tensor x = *this;
    record("clone", {x}, out, [x](const Tensor& dout) { add_to_grad(x, dout); });
    return out;
}

// to(dtype): converting between float32, float64 and bfloat16 is differentiable; the gradient converts
// back (d to(x) / dx = 1: rounding is a step function, and autograd treats it as the identity, as PyTorch
// does). Narrowing rounds to nearest even (kernels/bfloat16.h).
Tensor Tensor::to(DType target) const {
    if (target == dtype()) return *this;
    Tensor out = empty_uninitialized(shape(), {.dtype = target});
    loops::copy_into(out, *this);
    if (is_floating_point_format(target)) {
        const Tensor x = *this;
        record("to", {x}, out, [x](const Tensor& dout) { add_to_grad(x, dout); });
    }
    return out;
}

void Tensor::copy_(const Tensor& source) const { loops::copy_into(*this, source); }
void Tensor::fill_(double value) const { loops::fill(*this, value); }

}  // namespace tapegrad
