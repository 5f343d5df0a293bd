// Adam and AdamW, the update as in Algorithm 1 of Kingma & Ba, "Adam: A Method for Stochastic
// Optimization" (ICLR 2015), with decoupled weight decay from Loshchilov & Hutter, "Decoupled Weight
// Decay Regularization" (ICLR 2019), and AMSGrad from Reddi et al., "On the Convergence of Adam and
// Beyond" (ICLR 2018). The arithmetic follows PyTorch 1.13's single-tensor implementation, so the
// two agree to rounding:
//
//   g_t = ∇θ + λ θ_{t-1}                       L2 weight decay (Adam only)
//   θ_{t-1} ← θ_{t-1} (1 − α λ)                decoupled weight decay (AdamW only)
//   m_t = β1 m_{t-1} + (1 − β1) g_t            first moment (mean of the gradient)
//   v_t = β2 v_{t-1} + (1 − β2) g_t²           second moment (uncentred variance)
//   v̂max_t = max(v̂max_{t-1}, v_t)              AMSGrad only: v_t below is replaced by it
//   θ_t = θ_{t-1} − α/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)
//                   ^ bias corrections: m and v start at 0 and underestimate early on
//
// Note that ε is added after dividing √v_t by its bias correction (as PyTorch does), i.e. to √v̂_t.
#include "optim/adam.h"

#include <algorithm>
#include <cmath>

#include "autograd/dtype.h"

namespace tapegrad::optim {

namespace {

struct AdamStep {
    double lr, beta1, beta2, eps, weight_decay;
    bool decoupled_weight_decay;
    int64_t step;  // t, counting from 1
};

// `max_exp_avg_sq` is null unless amsgrad.
template <typename T>
void adam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq, int64_t n, const AdamStep& s) {
    const double bias_correction1 = 1 - std::pow(s.beta1, double(s.step));
    const double bias_correction2 = 1 - std::pow(s.beta2, double(s.step));
    const T step_size = T(s.lr / bias_correction1);
    const T bias_correction2_sqrt = T(std::sqrt(bias_correction2));
    const T beta1 = T(s.beta1), one_minus_beta1 = T(1 - s.beta1);
    const T beta2 = T(s.beta2), one_minus_beta2 = T(1 - s.beta2);
    const T eps = T(s.eps), weight_decay = T(s.weight_decay);
    const T decay_factor = T(1 - s.lr * s.weight_decay);
    for (int64_t i = 0; i < n; ++i) {
        T g = grad[i];
        if (s.decoupled_weight_decay)
            param[i] = param[i] * decay_factor;  // decoupled weight decay
        else if (s.weight_decay != 0)
            g = g + weight_decay * param[i];  // L2 penalty in the gradient
        exp_avg[i] = exp_avg[i] * beta1 + one_minus_beta1 * g;         // first moment
        exp_avg_sq[i] = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;  // second moment
        T second_moment = exp_avg_sq[i];
        if (max_exp_avg_sq) second_moment = max_exp_avg_sq[i] = std::max(max_exp_avg_sq[i], exp_avg_sq[i]);
        const T denom = std::sqrt(second_moment) / bias_correction2_sqrt + eps;
        param[i] = param[i] - step_size * exp_avg[i] / denom;
    }
}

}  // namespace

Adam::Adam(ParamGroups params, AdamOptions options) : Adam("Adam", std::move(params), options, false) {}

Adam::Adam(std::string type, ParamGroups params, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(std::move(type), std::move(params), options.lr, options.weight_decay),
      options_(options),
      decoupled_weight_decay_(decoupled_weight_decay) {
    validate_options();
}

AdamW::AdamW(ParamGroups params, AdamWOptions options)
    : Adam("AdamW", std::move(params),
           AdamOptions{.lr = options.lr,
                       .betas = options.betas,
                       .eps = options.eps,
                       .weight_decay = options.weight_decay,
                       .amsgrad = options.amsgrad},
           true) {}

void Adam::validate_options() const {
    check_non_negative(type_name(), "lr", options_.lr);
    check_unit_interval(type_name(), "betas[0]", options_.betas[0]);
    check_unit_interval(type_name(), "betas[1]", options_.betas[1]);
    check_positive(type_name(), "eps", options_.eps);
    check_non_negative(type_name(), "weight_decay", options_.weight_decay);
}

std::vector<std::string> Adam::state_names() const {
    if (options_.amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    return {"exp_avg", "exp_avg_sq"};
}

std::vector<Optimizer::HyperParameter> Adam::hyper_parameters() {
    return {{"lr", &options_.lr},
            {"betas", &options_.betas},
            {"eps", &options_.eps},
            {"weight_decay", &options_.weight_decay},
            {"amsgrad", &options_.amsgrad}};
}

void Adam::update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) {
    const AdamStep s{.lr = lr,
                     .beta1 = options_.betas[0],
                     .beta2 = options_.betas[1],
                     .eps = options_.eps,
                     .weight_decay = weight_decay,
                     .decoupled_weight_decay = decoupled_weight_decay_,
                     .step = state.step};
    visit_floating(param.dtype(), [&]<typename T>() {
        T* max_exp_avg_sq = options_.amsgrad ? state.buffer("max_exp_avg_sq").data<T>() : nullptr;
        adam_update<T>(param.data<T>(), grad.data<T>(), state.buffer("exp_avg").data<T>(),
                       state.buffer("exp_avg_sq").data<T>(), max_exp_avg_sq, param.numel(), s);
    });
}

}  // namespace tapegrad::optim
