// LayerNorm (Ba, Kiros & Hinton, 2016): normalises each sample over its trailing axes, as torch.nn.LayerNorm.
#pragma once

#include "nn/module.h"

namespace tapegrad::nn {

struct LayerNormOptions {
    Shape normalized_shape;          // the trailing sizes normalised over, e.g. {E} (required, non-empty)
    double eps = 1e-5;               // added to the variance before the square root, for stability
    bool elementwise_affine = true;  // learn a per-element scale (weight) and shift (bias)
};

class LayerNorm : public Module {
public:
    // Throws std::invalid_argument naming the bad option.
    explicit LayerNorm(const LayerNormOptions& options);

    std::string type_name() const override { return "LayerNorm"; }
    std::string extra_repr() const override;

    // x (..., *normalized_shape) -> same shape: y = (x − mean) / √(var + eps) ⊙ weight + bias, with the
    // biased variance over the normalised axes.
    Tensor forward(const Tensor& x) const;

    const LayerNormOptions& options() const { return options_; }
    const Tensor& weight() const { return weight_; }  // normalized_shape; undefined without elementwise_affine
    const Tensor& bias() const { return bias_; }

private:
    LayerNormOptions options_;
    Tensor weight_;
    Tensor bias_;
};

}  // namespace tapegrad::nn
