// Dropout (Srivastava et al., 2014) as a module: random zeroing in training, the identity in eval().
#pragma once

#include "base/generator.h"
#include "nn/module.h"

namespace tapegrad::nn {

struct DropoutOptions {
    double p = 0.1;  // probability of zeroing each element, in [0, 1]
};

class Dropout : public Module {
public:
    // The module keeps its own Generator, seeded with one draw from `parent`: its masks are then
    // reproducible from the model's seed and independent of how many other draws the program makes
    // later. Throws std::invalid_argument when p is outside [0, 1].
    Dropout(const DropoutOptions& options, Generator& parent);

    std::string type_name() const override { return "Dropout"; }
    std::string extra_repr() const override;

    // Any shape -> the same shape. Training: each element zeroed with probability p, survivors scaled
    // by 1/(1 − p) so that the expectation is x ("inverted" dropout). eval(): x itself.
    Tensor forward(const Tensor& x);
    // forward(relu(x)), fused into one pass (tapegrad::relu_dropout); the same result and the same draws
    // from the generator as the composition.
    Tensor forward_relu(const Tensor& x);
    // residual + forward(x), fused into one pass (tapegrad::dropout_add): how a Transformer sublayer's
    // output joins the residual stream.
    Tensor forward_add(const Tensor& residual, const Tensor& x);

    const DropoutOptions& options() const { return options_; }
    // The mask source; a trainer saves generator().seed() and counter() and restores them with set_state().
    Generator& generator() { return generator_; }
    const Generator& generator() const { return generator_; }

private:
    DropoutOptions options_;
    Generator generator_;
};

}  // namespace tapegrad::nn
