// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), computed exactly as
// torch.optim.Adam / torch.optim.AdamW (PyTorch 1.13), with the AMSGrad variant (Reddi et al. 2018).
#pragma once

#include <array>

#include "optim/optimizer.h"

namespace tapegrad::optim {

struct AdamOptions {
    double lr = 1e-3;                          // learning rate (step size) α
    std::array<double, 2> betas = {0.9, 0.999};  // decay rates β1, β2 of the first and second moments, in [0, 1)
    double eps = 1e-8;                         // > 0, added to √v̂ for numerical stability
    double weight_decay = 0.0;                 // L2 penalty λ added to the gradient (λθ)
    bool amsgrad = false;                      // normalise by the running maximum of the second moment
};

// The same options with AdamW's default decoupled weight decay.
struct AdamWOptions {
    double lr = 1e-3;
    std::array<double, 2> betas = {0.9, 0.999};
    double eps = 1e-8;
    double weight_decay = 1e-2;  // decoupled: θ ← θ(1 − αλ) before the Adam step, not added to the gradient
    bool amsgrad = false;
};

class Adam : public Optimizer {
public:
    explicit Adam(ParamGroups params, AdamOptions options = {});
    const AdamOptions& options() const { return options_; }

protected:
    Adam(std::string type, ParamGroups params, AdamOptions options, bool decoupled_weight_decay);
    std::vector<std::string> state_names() const override;
    std::vector<HyperParameter> hyper_parameters() override;
    void validate_options() const override;
    void update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) override;

private:
    AdamOptions options_;
    bool decoupled_weight_decay_;
};

// Adam with decoupled weight decay: the decay shrinks the weights directly instead of passing
// through the adaptive normalisation, so every weight decays at the same rate.
class AdamW : public Adam {
public:
    explicit AdamW(ParamGroups params, AdamWOptions options = {});
};

}  // namespace tapegrad::optim
