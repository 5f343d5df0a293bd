// Activation modules: thin wrappers over the elementwise ops relu and gelu.
#include "nn/activation.h"

#include "nn/dropout.h"

namespace tapegrad::nn {

std::string_view activation_name(Activation activation) { return activation == Activation::GELU ? "gelu" : "relu"; }

Tensor apply_activation(const Tensor& x, Activation activation) {
    return activation == Activation::GELU ? gelu(x) : relu(x);
}

Tensor activation_then_dropout(const Tensor& x, Activation activation, Dropout& dropout) {
    return activation == Activation::ReLU ? dropout.forward_relu(x) : dropout.forward(apply_activation(x, activation));
}

Tensor ReLU::forward(const Tensor& x) const { return relu(x); }

std::string GELU::extra_repr() const {
    return options_.approximate == GeluApproximation::Tanh ? "approximate='tanh'" : "approximate='none'";
}

Tensor GELU::forward(const Tensor& x) const { return gelu(x, options_.approximate); }

}  // namespace tapegrad::nn
