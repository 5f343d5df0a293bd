// Linear: the affine map y = x Wᵀ + b applied to the last axis, as torch.nn.Linear.
#pragma once

#include "base/generator.h"
#include "nn/module.h"

namespace tapegrad::nn {

struct LinearOptions {
    int64_t in_features = 0;   // size of each input sample (required)
    int64_t out_features = 0;  // size of each output sample (required)
    bool bias = true;          // learn an additive bias
};

class Linear : public Module {
public:
    // Throws std::invalid_argument naming the bad option. Draws weight then bias from `generator`.
    Linear(const LinearOptions& options, Generator& generator);

    std::string type_name() const override { return "Linear"; }
    std::string extra_repr() const override;

    // x (..., in_features) -> (..., out_features)
    Tensor forward(const Tensor& x) const;

    const LinearOptions& options() const { return options_; }
    const Tensor& weight() const { return weight_; }  // (out_features, in_features)
    const Tensor& bias() const { return bias_; }      // (out_features), undefined when options.bias is false

private:
    LinearOptions options_;
    Tensor weight_;
    Tensor bias_;
};

}  // namespace tapegrad::nn
