// Activation functions as modules (ReLU, GELU), and the Activation choice layers such as FeedForward take.
#pragma once

#include <string_view>

#include "nn/module.h"

namespace tapegrad::nn {

// The nonlinearity of a layer, as torch.nn.TransformerEncoderLayer's activation="relu" | "gelu".
enum class Activation { ReLU, GELU };

// "relu" | "gelu"
std::string_view activation_name(Activation activation);
// relu(x) or the exact gelu(x).
Tensor apply_activation(const Tensor& x, Activation activation);

class Dropout;
// dropout(apply_activation(x, activation)), the middle of every feed-forward block; with ReLU the two
// run as one fused pass (Dropout::forward_relu), with the same result.
Tensor activation_then_dropout(const Tensor& x, Activation activation, Dropout& dropout);

// max(0, x) elementwise; any shape.
class ReLU : public Module {
public:
    std::string type_name() const override { return "ReLU"; }
    Tensor forward(const Tensor& x) const;
};

struct GELUOptions {
    GeluApproximation approximate = GeluApproximation::None;  // None: x·Φ(x) exactly; Tanh: the tanh form
};

// x·Φ(x) elementwise (Hendrycks & Gimpel, 2016); any shape.
class GELU : public Module {
public:
    explicit GELU(const GELUOptions& options = {}) : options_(options) {}
    std::string type_name() const override { return "GELU"; }
    std::string extra_repr() const override;
    Tensor forward(const Tensor& x) const;
    const GELUOptions& options() const { return options_; }

private:
    GELUOptions options_;
};

}  // namespace tapegrad::nn
