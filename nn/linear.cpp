// Linear: y = x Wᵀ + b, with torch.nn.Linear's initialisation.
#include "nn/linear.h"

#include <cmath>
#include <stdexcept>

#include "nn/init.h"

namespace tapegrad::nn {

// Init as torch.nn.Linear.reset_parameters: weight ~ kaiming_uniform(a = √5), which works out to
// U(−1/√in_features, 1/√in_features) (gain √(2/(1+5)) = √(1/3), bound = gain·√(3/fan_in) = 1/√fan_in);
// bias ~ U(−1/√fan_in, 1/√fan_in). Activations then start with variance ≈ Var(x)/3 whatever in_features is.
Linear::Linear(const LinearOptions& options, Generator& generator) : options_(options) {
    if (options.in_features <= 0)
        throw std::invalid_argument(fmt::format("Linear: in_features must be positive, got {}", options.in_features));
    if (options.out_features <= 0)
        throw std::invalid_argument(fmt::format("Linear: out_features must be positive, got {}", options.out_features));
    weight_ = register_parameter("weight", empty({options.out_features, options.in_features}));
    kaiming_uniform_(weight_, std::sqrt(5.0), generator);
    if (options.bias) {
        bias_ = register_parameter("bias", empty({options.out_features}));
        const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features));
        uniform_(bias_, -bound, bound, generator);
    }
}

std::string Linear::extra_repr() const {
    return fmt::format("in_features={}, out_features={}, bias={}", options_.in_features, options_.out_features,
                       options_.bias);
}

// linear() flattens the leading axes into one, so that the product is a single (N, in) @ (in, out) GEMM
// rather than a batched product that would broadcast (and, in backward, reduce) the weight per batch.
Tensor Linear::forward(const Tensor& x) const {
    if (x.dim() == 0 || x.size(-1) != options_.in_features)
        throw std::invalid_argument(fmt::format("Linear: expected input (..., {}), got {}", options_.in_features,
                                                shape_string(x.shape())));
    if (x.dtype() != weight_.dtype())
        throw std::invalid_argument(fmt::format("Linear: input is {} but the weight is {} (convert one with to())",
                                                dtype_name(x.dtype()), dtype_name(weight_.dtype())));
    return linear(x, weight_, bias_);  // x @ weightᵀ + bias
}

}  // namespace tapegrad::nn
