// Tensor's member shortcuts (x.reshape(...), x.sum(...)): each calls the free function of the same name in
// autograd/ops/. They are declared in autograd/tensor.h for convenience and defined here, above the ops,
// so that the tensor itself does not depend on the ops built on it.
#include "autograd/ops/reduce.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tensor.h"

namespace tapegrad {

Tensor Tensor::reshape(const Shape& new_shape) const { return tapegrad::reshape(*this, new_shape); }
Tensor Tensor::view(const Shape& new_shape) const { return tapegrad::view(*this, new_shape); }
Tensor Tensor::transpose(int64_t axis0, int64_t axis1) const { return tapegrad::transpose(*this, axis0, axis1); }
Tensor Tensor::permute(const std::vector<int64_t>& axes) const { return tapegrad::permute(*this, axes); }
Tensor Tensor::unsqueeze(int64_t axis) const { return tapegrad::unsqueeze(*this, axis); }
Tensor Tensor::squeeze(int64_t axis) const { return tapegrad::squeeze(*this, axis); }
Tensor Tensor::expand(const Shape& new_shape) const { return tapegrad::expand(*this, new_shape); }
Tensor Tensor::sum(const std::vector<int64_t>& axes, bool keepdim) const { return tapegrad::sum(*this, axes, keepdim); }
Tensor Tensor::mean(const std::vector<int64_t>& axes, bool keepdim) const {
    return tapegrad::mean(*this, axes, keepdim);
}

}  // namespace tapegrad
