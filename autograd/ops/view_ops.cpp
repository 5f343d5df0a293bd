// Views: ops that re-index the same storage with a new shape, strides and offset (no copy).
// Each backward maps dout back to the input's layout: a reshape back, an inverse permutation, or a
// zero tensor with dout written into the viewed region.
#include <numeric>
#include <stdexcept>

#include "autograd/loops/copy.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

// A new handle on x's storage; never the same impl as x, so the tape can record it as a new tensor.
Tensor make_view(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = x.impl().storage;
    impl->shape = std::move(shape);
    impl->strides = std::move(strides);
    impl->offset = offset;
    impl->dtype = x.dtype();
    return Tensor(std::move(impl));
}

Shape infer_shape(const Tensor& x, Shape shape, const char* op) {
    int64_t known = 1;
    int64_t inferred = -1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            if (inferred >= 0) throw std::invalid_argument(fmt::format("{}: only one size may be -1, got {}", op, shape_string(shape)));
            inferred = static_cast<int64_t>(i);
        } else if (shape[i] < 0) {
            throw std::invalid_argument(fmt::format("{}: invalid size in {}", op, shape_string(shape)));
        } else {
            known *= shape[i];
        }
    }
    if (inferred >= 0 && known != 0 && x.numel() % known == 0) shape[inferred] = x.numel() / known;
    if (shape_numel(shape) != x.numel() || (inferred >= 0 && shape[inferred] < 0))
        throw std::invalid_argument(fmt::format("{}: cannot reshape a tensor of shape {} ({} elements) into {}", op,
                                                shape_string(x.shape()), x.numel(), shape_string(shape)));
    return shape;
}

// The gradient of a view of a region: dout inside the region, zeros everywhere else. It is written into
// x's gradient buffer itself when that is private (accumulate_grad_into): a recurrence that slices one
// time step after another then pays for its step's region per slice, not for a zeroed copy of all of x
// (which made backward quadratic in the sequence length).
template <typename MakeRegion>
void accumulate_region(const Tensor& x, const Tensor& dout, MakeRegion region_of) {
    accumulate_grad_into(x, [&](const Tensor& dx, bool accumulate) {
        if (accumulate) {
            loops::add_into(region_of(dx), dout);
        } else {
            dx.fill_(0.0);
            loops::copy_into(region_of(dx), dout);
        }
    });
}

}  // namespace

Tensor view(const Tensor& x, const Shape& shape) {
    if (!x.is_contiguous())
        throw std::invalid_argument(fmt::format("view: tensor of shape {} with strides {} is not contiguous; use reshape",
                                                shape_string(x.shape()), shape_string(x.strides())));
    const Shape target = infer_shape(x, shape, "view");
    Tensor out = make_view(x, target, contiguous_strides(target), x.offset());
    record("view", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, dout.reshape(x.shape())); });
    return out;
}

Tensor reshape(const Tensor& x, const Shape& shape) {
    if (x.is_contiguous()) return view(x, shape);
    infer_shape(x, shape, "reshape");  // validate before copying
    return view(x.contiguous(), shape);
}

Tensor flatten(const Tensor& x, int64_t start_axis, int64_t end_axis) {
    if (x.dim() == 0) return x.reshape({1});
    const int64_t start = normalize_axis(start_axis, x.dim(), "flatten");
    const int64_t end = normalize_axis(end_axis, x.dim(), "flatten");
    if (start > end) throw std::invalid_argument(fmt::format("flatten: start axis {} is after end axis {}", start_axis, end_axis));
    Shape shape(x.shape().begin(), x.shape().begin() + start);
    int64_t merged = 1;
    for (int64_t axis = start; axis <= end; ++axis) merged *= x.size(axis);
    shape.push_back(merged);
    shape.insert(shape.end(), x.shape().begin() + end + 1, x.shape().end());
    return x.reshape(shape);
}

// The inverse permutation undoes the view: if out axis i is x axis p[i], dx axis p[i] is dout axis i.
Tensor permute(const Tensor& x, const std::vector<int64_t>& axes) {
    if (static_cast<int64_t>(axes.size()) != x.dim())
        throw std::invalid_argument(fmt::format("permute: {} axes given for a tensor with {} dimensions",
                                                axes.size(), x.dim()));
    std::vector<int64_t> order(axes.size());
    std::vector<bool> seen(axes.size(), false);
    for (std::size_t i = 0; i < axes.size(); ++i) {
        order[i] = normalize_axis(axes[i], x.dim(), "permute");
        if (seen[order[i]]) throw std::invalid_argument(fmt::format("permute: {} is not a permutation", shape_string(axes)));
        seen[order[i]] = true;
    }
    Shape shape(axes.size()), strides(axes.size());
    std::vector<int64_t> inverse(axes.size());
    for (std::size_t i = 0; i < axes.size(); ++i) {
        shape[i] = x.shape()[order[i]];
        strides[i] = x.strides()[order[i]];
        inverse[order[i]] = static_cast<int64_t>(i);
    }
    Tensor out = make_view(x, shape, strides, x.offset());
    record("permute", {x}, out, [x, inverse](const Tensor& dout) { accumulate_grad(x, permute(dout, inverse)); });
    return out;
}

Tensor transpose(const Tensor& x, int64_t axis0, int64_t axis1) {
    std::vector<int64_t> order(static_cast<std::size_t>(x.dim()));
    std::iota(order.begin(), order.end(), 0);
    std::swap(order[normalize_axis(axis0, x.dim(), "transpose")], order[normalize_axis(axis1, x.dim(), "transpose")]);
    return permute(x, order);
}

// As in PyTorch, squeezing an axis whose size is not 1 leaves the tensor's shape unchanged.
Tensor squeeze(const Tensor& x, int64_t axis) {
    const int64_t along = normalize_axis(axis, x.dim(), "squeeze");
    Shape shape = x.shape();
    Shape strides = x.strides();
    if (shape[along] == 1) {
        shape.erase(shape.begin() + along);
        strides.erase(strides.begin() + along);
    }
    Tensor out = make_view(x, shape, strides, x.offset());
    record("squeeze", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, dout.reshape(x.shape())); });
    return out;
}

Tensor unsqueeze(const Tensor& x, int64_t axis) {
    const int64_t along = normalize_axis(axis, x.dim() + 1, "unsqueeze");
    Shape shape = x.shape();
    Shape strides = x.strides();
    shape.insert(shape.begin() + along, 1);
    strides.insert(strides.begin() + along, along < x.dim() ? x.strides()[along] * x.shape()[along] : 1);
    Tensor out = make_view(x, shape, strides, x.offset());
    record("unsqueeze", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, dout.reshape(x.shape())); });
    return out;
}

// Stride 0 re-reads one element along an expanded axis. Its adjoint is summing those axes, which
// accumulate_grad does when it reduces dout to x's shape.
Tensor expand(const Tensor& x, const Shape& shape) {
    if (shape.size() < x.shape().size())
        throw std::invalid_argument(fmt::format("expand: cannot expand {} to fewer dimensions {}",
                                                shape_string(x.shape()), shape_string(shape)));
    const std::size_t lead = shape.size() - x.shape().size();
    Shape target = shape;
    Shape strides(shape.size(), 0);
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
        if (axis < lead) {
            if (shape[axis] < 0) throw std::invalid_argument(fmt::format("expand: invalid size in {}", shape_string(shape)));
            continue;
        }
        const int64_t size = x.shape()[axis - lead];
        if (target[axis] == -1) target[axis] = size;
        if (target[axis] == size) {
            strides[axis] = x.strides()[axis - lead];
        } else if (size != 1) {
            throw std::invalid_argument(fmt::format("expand: cannot expand {} to {} (axis {} has size {}, not 1)",
                                                    shape_string(x.shape()), shape_string(shape), axis - lead, size));
        }
    }
    Tensor out = make_view(x, target, strides, x.offset());
    record("expand", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, dout); });
    return out;
}

Tensor slice(const Tensor& x, int64_t axis, int64_t start, int64_t end, int64_t step) {
    const int64_t along = normalize_axis(axis, x.dim(), "slice");
    if (step <= 0) throw std::invalid_argument(fmt::format("slice: step must be positive, got {}", step));
    const int64_t size = x.size(along);
    // Python semantics: negative bounds count from the end, then clamp into [0, size].
    auto clamp_bound = [size](int64_t bound) { return std::clamp<int64_t>(bound < 0 ? bound + size : bound, 0, size); };
    const int64_t first = clamp_bound(start);
    const int64_t last = std::max(first, clamp_bound(end));
    Shape shape = x.shape();
    Shape strides = x.strides();
    shape[along] = (last - first + step - 1) / step;
    strides[along] *= step;
    Tensor out = make_view(x, shape, strides, x.offset() + first * x.strides()[along]);
    record("slice", {x}, out, [x, along, first, last, step](const Tensor& dout) {
        accumulate_region(x, dout, [&](const Tensor& dx) { return slice(dx, along, first, last, step); });
    });
    return out;
}

Tensor narrow(const Tensor& x, int64_t axis, int64_t start, int64_t length) {
    const int64_t along = normalize_axis(axis, x.dim(), "narrow");
    if (start < 0 || length < 0 || start + length > x.size(along))
        throw std::invalid_argument(fmt::format("narrow: range [{}, {}) is outside axis {} of size {} (shape {})", start,
                                                start + length, axis, x.size(along), shape_string(x.shape())));
    return slice(x, along, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t axis, int64_t index) {
    const int64_t along = normalize_axis(axis, x.dim(), "select");
    const int64_t size = x.size(along);
    if (index < -size || index >= size)
        throw std::invalid_argument(fmt::format("select: index {} is out of range for axis {} of size {} (shape {})",
                                                index, axis, size, shape_string(x.shape())));
    const int64_t position = index < 0 ? index + size : index;
    Shape shape = x.shape();
    Shape strides = x.strides();
    shape.erase(shape.begin() + along);
    strides.erase(strides.begin() + along);
    Tensor out = make_view(x, shape, strides, x.offset() + position * x.strides()[along]);
    record("select", {x}, out, [x, along, position](const Tensor& dout) {
        accumulate_region(x, dout, [&](const Tensor& dx) { return select(dx, along, position); });
    });
    return out;
}

}  // namespace tapegrad
