// RMSprop (Hinton, Lecture 6e of "Neural Networks for Machine Learning", 2012), with the centred
// variant of Graves (2013) and momentum, computed exactly as torch.optim.RMSprop.
#pragma once

#include "optim/optimizer.h"

namespace tapegrad::optim {

struct RMSpropOptions {
    double lr = 1e-2;           // learning rate η
    double alpha = 0.99;        // in [0, 1): decay rate of the running average of g²
    double eps = 1e-8;          // > 0, added to the root mean square
    double weight_decay = 0.0;  // L2 penalty λ added to the gradient
    double momentum = 0.0;      // momentum factor μ; 0 applies the scaled gradient directly
    bool centered = false;      // divide by an estimate of the variance (E[g²] − E[g]²) instead of E[g²]
};

class RMSprop : public Optimizer {
public:
    explicit RMSprop(ParamGroups params, RMSpropOptions options = {});
    const RMSpropOptions& options() const { return options_; }

protected:
    std::vector<std::string> state_names() const override;
    std::vector<HyperParameter> hyper_parameters() override;
    void validate_options() const override;
    void update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) override;

private:
    RMSpropOptions options_;
};

}  // namespace tapegrad::optim
