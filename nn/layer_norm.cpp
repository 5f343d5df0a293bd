// LayerNorm: the module around the fused tapegrad::layer_norm op.
#include "nn/layer_norm.h"

#include <stdexcept>

namespace tapegrad::nn {

// Init as torch.nn.LayerNorm: weight = 1, bias = 0, so the layer starts as a pure normalisation.
LayerNorm::LayerNorm(const LayerNormOptions& options) : options_(options) {
    if (options.normalized_shape.empty())
        throw std::invalid_argument("LayerNorm: normalized_shape must not be empty");
    for (int64_t size : options.normalized_shape)
        if (size <= 0)
            throw std::invalid_argument(fmt::format("LayerNorm: normalized_shape must have positive sizes, got {}",
                                                    shape_string(options.normalized_shape)));
    if (!(options.eps > 0)) throw std::invalid_argument(fmt::format("LayerNorm: eps must be positive, got {}", options.eps));
    if (options.elementwise_affine) {
        weight_ = register_parameter("weight", ones(options.normalized_shape));
        bias_ = register_parameter("bias", zeros(options.normalized_shape));
    }
}

std::string LayerNorm::extra_repr() const {
    return fmt::format("{}, eps={}, elementwise_affine={}", shape_string(options_.normalized_shape), options_.eps,
                       options_.elementwise_affine);
}

Tensor LayerNorm::forward(const Tensor& x) const {
    if (weight_.defined() && x.dtype() != weight_.dtype())
        throw std::invalid_argument(fmt::format("LayerNorm: input is {} but the weight is {} (convert one with to())",
                                                dtype_name(x.dtype()), dtype_name(weight_.dtype())));
    return layer_norm(x, options_.normalized_shape, weight_, bias_, options_.eps);
}

}  // namespace tapegrad::nn
