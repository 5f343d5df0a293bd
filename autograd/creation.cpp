// Creating tensors: from literals and buffers, constant fills, ranges and the identity.
#include <cmath>
#include <stdexcept>

#include "autograd/loops/copy.h"
#include "autograd/tensor.h"

namespace tapegrad {

Shape NestedList::shape() const {
    if (std::holds_alternative<double>(value_)) return {};
    const auto& items = std::get<std::vector<NestedList>>(value_);
    Shape inner = items.empty() ? Shape{} : items.front().shape();
    for (const NestedList& item : items)
        if (item.shape() != inner)
            throw std::invalid_argument(fmt::format("tensor: ragged nested list, rows of shape {} and {}",
                                                    shape_string(inner), shape_string(item.shape())));
    inner.insert(inner.begin(), static_cast<int64_t>(items.size()));
    return inner;
}

void NestedList::flatten(std::vector<double>& out) const {
    if (std::holds_alternative<double>(value_)) {
        out.push_back(std::get<double>(value_));
        return;
    }
    for (const NestedList& item : std::get<std::vector<NestedList>>(value_)) item.flatten(out);
}

namespace {
Tensor make_empty(const Shape& shape, TensorOptions options, bool zeroed, const char* op) {
    for (int64_t size : shape)
        if (size < 0) throw std::invalid_argument(fmt::format("{}: negative size in shape {}", op, shape_string(shape)));
    if (options.requires_grad && !is_floating_point_format(options.dtype))
        throw std::invalid_argument(fmt::format("{}: only floating-point tensors can require grad, got {}", op,
                                                dtype_name(options.dtype)));
    auto impl = std::make_shared<TensorImpl>();
    const auto bytes = static_cast<std::size_t>(shape_numel(shape)) * dtype_size(options.dtype);
    impl->storage = zeroed ? std::make_shared<Storage>(bytes) : std::make_shared<Storage>(bytes, Storage::Uninitialized{});
    impl->shape = shape;
    impl->strides = contiguous_strides(shape);
    impl->dtype = options.dtype;
    impl->requires_grad = options.requires_grad;
    return Tensor(std::move(impl));
}
}  // namespace

Tensor empty(const Shape& shape, TensorOptions options) { return make_empty(shape, options, true, "empty"); }

Tensor empty_uninitialized(const Shape& shape, TensorOptions options) {
    return make_empty(shape, options, false, "empty_uninitialized");
}

Tensor tensor(const NestedList& values, TensorOptions options) {
    std::vector<double> flat;
    values.flatten(flat);
    return from_vector(flat, values.shape(), options);
}

template <typename T> Tensor from_vector(const std::vector<T>& values, const Shape& shape, TensorOptions options) {
    Tensor out = empty(shape, {.dtype = options.dtype});
    if (static_cast<int64_t>(values.size()) != out.numel())
        throw std::invalid_argument(fmt::format("from_vector: {} values do not fill shape {} ({} elements)",
                                                values.size(), shape_string(shape), out.numel()));
    visit_dtype(options.dtype, [&]<typename To>() {
        To* data = out.data<To>();
        for (std::size_t i = 0; i < values.size(); ++i) data[i] = static_cast<To>(values[i]);
    });
    out.requires_grad_(options.requires_grad);
    return out;
}
template Tensor from_vector(const std::vector<float>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<double>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<int64_t>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<int>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<uint8_t>&, const Shape&, TensorOptions);
template Tensor from_vector(const std::vector<bool>&, const Shape&, TensorOptions);

Tensor scalar_tensor(double value, TensorOptions options) { return full({}, value, options); }

Tensor full(const Shape& shape, double value, TensorOptions options) {
    Tensor out = empty(shape, {.dtype = options.dtype});
    if (value != 0) loops::fill(out, value);
    out.requires_grad_(options.requires_grad);
    return out;
}

Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1, options); }
Tensor zeros_like(const Tensor& like) { return zeros(like.shape(), {.dtype = like.dtype()}); }
Tensor ones_like(const Tensor& like) { return ones(like.shape(), {.dtype = like.dtype()}); }
Tensor full_like(const Tensor& like, double value) { return full(like.shape(), value, {.dtype = like.dtype()}); }

Tensor arange(double start, double end, double step, TensorOptions options) {
    if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step))
        throw std::invalid_argument(fmt::format("arange: invalid range start={} end={} step={}", start, end, step));
    const auto count = static_cast<int64_t>(std::max(0.0, std::ceil((end - start) / step)));
    std::vector<double> values(static_cast<std::size_t>(count));
    for (int64_t i = 0; i < count; ++i) values[i] = start + static_cast<double>(i) * step;
    return from_vector(values, {count}, options);
}

Tensor arange(int64_t end, TensorOptions options) { return arange(0.0, static_cast<double>(end), 1.0, options); }

Tensor linspace(double start, double end, int64_t steps, TensorOptions options) {
    if (steps < 1) throw std::invalid_argument(fmt::format("linspace: steps must be at least 1, got {}", steps));
    std::vector<double> values(static_cast<std::size_t>(steps));
    for (int64_t i = 0; i < steps; ++i)
        values[i] = steps == 1 ? start : start + (end - start) * static_cast<double>(i) / static_cast<double>(steps - 1);
    return from_vector(values, {steps}, options);
}

Tensor eye(int64_t n, TensorOptions options) {
    if (n < 0) throw std::invalid_argument(fmt::format("eye: size must be non-negative, got {}", n));
    Tensor out = zeros({n, n}, {.dtype = options.dtype});
    visit_dtype(options.dtype, [&]<typename T>() {
        T* data = out.data<T>();
        for (int64_t i = 0; i < n; ++i) data[i * n + i] = static_cast<T>(1);
    });
    out.requires_grad_(options.requires_grad);
    return out;
}

}  // namespace tapegrad
