// Adagrad (Duchi, Hazan & Singer 2011), computed exactly as torch.optim.Adagrad.
#pragma once

#include "optim/optimizer.h"

namespace tapegrad::optim {

struct AdagradOptions {
    double lr = 1e-2;                       // learning rate η
    double lr_decay = 0.0;                  // η_t = η / (1 + (t − 1) · lr_decay)
    double weight_decay = 0.0;              // L2 penalty λ added to the gradient
    double initial_accumulator_value = 0.0;  // what the sum of squared gradients starts at
    double eps = 1e-10;                     // > 0, added to √sum
};

class Adagrad : public Optimizer {
public:
    explicit Adagrad(ParamGroups params, AdagradOptions options = {});
    const AdagradOptions& options() const { return options_; }

protected:
    std::vector<std::string> state_names() const override { return {"sum"}; }
    double initial_state_value(const std::string& name) const override;
    std::vector<HyperParameter> hyper_parameters() override;
    void validate_options() const override;
    void update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) override;

private:
    AdagradOptions options_;
};

}  // namespace tapegrad::optim
