// Adagrad: per-coordinate step sizes that shrink with the sum of that coordinate's squared
// gradients, so rarely updated coordinates keep large steps. Duchi, Hazan & Singer, "Adaptive
// Subgradient Methods for Online Learning and Stochastic Optimization" (JMLR 2011), diagonal form,
// as torch.optim.Adagrad computes it:
//
//   g_t = ∇θ + λ θ_{t-1}                  weight decay (L2 penalty)
//   η_t = η / (1 + (t − 1) · lr_decay)    decayed learning rate
//   G_t = G_{t-1} + g_t²                  sum of squared gradients ("sum", starts at the initial value)
//   θ_t = θ_{t-1} − η_t g_t / (√G_t + ε)
#include "optim/adagrad.h"

#include <cmath>

#include "autograd/dtype.h"

namespace tapegrad::optim {

namespace {

struct AdagradStep {
    double clr, eps, weight_decay;  // clr: this step's decayed learning rate
};

template <typename T>
void adagrad_update(T* param, const T* grad, T* sum, int64_t n, const AdagradStep& s) {
    const T clr = T(s.clr), eps = T(s.eps), weight_decay = T(s.weight_decay);
    for (int64_t i = 0; i < n; ++i) {
        T g = grad[i];
        if (s.weight_decay != 0) g = g + weight_decay * param[i];  // L2 penalty
        sum[i] = sum[i] + g * g;                                     // sum of squared gradients
        const T denom = std::sqrt(sum[i]) + eps;
        param[i] = param[i] - clr * g / denom;
    }
}

}  // namespace

Adagrad::Adagrad(ParamGroups params, AdagradOptions options)
    : Optimizer("Adagrad", std::move(params), options.lr, options.weight_decay), options_(options) {
    validate_options();
}

void Adagrad::validate_options() const {
    check_non_negative(type_name(), "lr", options_.lr);
    check_non_negative(type_name(), "lr_decay", options_.lr_decay);
    check_non_negative(type_name(), "weight_decay", options_.weight_decay);
    check_non_negative(type_name(), "initial_accumulator_value", options_.initial_accumulator_value);
    check_positive(type_name(), "eps", options_.eps);
}

double Adagrad::initial_state_value(const std::string& /*name*/) const { return options_.initial_accumulator_value; }

std::vector<Optimizer::HyperParameter> Adagrad::hyper_parameters() {
    return {{"lr", &options_.lr},
            {"lr_decay", &options_.lr_decay},
            {"weight_decay", &options_.weight_decay},
            {"initial_accumulator_value", &options_.initial_accumulator_value},
            {"eps", &options_.eps}};
}

void Adagrad::update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) {
    const AdagradStep s{.clr = lr / (1 + double(state.step - 1) * options_.lr_decay),
                        .eps = options_.eps,
                        .weight_decay = weight_decay};
    visit_floating(param.dtype(), [&]<typename T>() {
        adagrad_update<T>(param.data<T>(), grad.data<T>(), state.buffer("sum").data<T>(), param.numel(), s);
    });
}

}  // namespace tapegrad::optim
