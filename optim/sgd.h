// SGD: stochastic gradient descent with optional momentum (heavy ball or Nesterov), dampening and
// L2 weight decay, computed exactly as torch.optim.SGD.
#pragma once

#include "optim/optimizer.h"

namespace tapegrad::optim {

struct SGDOptions {
    double lr = 1e-3;            // learning rate (PyTorch >= 2.2's default)
    double momentum = 0.0;       // momentum factor μ; 0 is plain SGD
    double dampening = 0.0;      // in [0, 1]: the new gradient enters the momentum buffer scaled by 1 − dampening
    double weight_decay = 0.0;   // L2 penalty λ, added to the gradient as λ·θ
    bool nesterov = false;       // Nesterov momentum (needs momentum > 0 and dampening = 0)
};

class SGD : public Optimizer {
public:
    explicit SGD(ParamGroups params, SGDOptions options = {});
    const SGDOptions& options() const { return options_; }

protected:
    std::vector<std::string> state_names() const override;
    std::vector<HyperParameter> hyper_parameters() override;
    void validate_options() const override;
    void update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) override;

private:
    SGDOptions options_;
};

}  // namespace tapegrad::optim
