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

#include "base/vectorize.h"

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

// One element's update; the flags are compile-time so the loop below has no branch and vectorises.
template <typename T, bool kDecoupled, bool kL2, bool kAmsgrad>
struct AdamElement {
    T step_size, bias_correction2_sqrt, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, decay_factor;

    void operator()(T& param, T g, T& exp_avg, T& exp_avg_sq, T* max_exp_avg_sq) const {
        if constexpr (kDecoupled) param = param * decay_factor;  // decoupled weight decay
        if constexpr (kL2) g = g + weight_decay * param;         // L2 penalty in the gradient
        exp_avg = exp_avg * beta1 + one_minus_beta1 * g;         // first moment
        exp_avg_sq = exp_avg_sq * beta2 + one_minus_beta2 * g * g;  // second moment
        T second_moment = exp_avg_sq;
        if constexpr (kAmsgrad) second_moment = *max_exp_avg_sq = std::max(*max_exp_avg_sq, exp_avg_sq);
        const T denom = std::sqrt(second_moment) / bias_correction2_sqrt + eps;
        param = param - step_size * exp_avg / denom;
    }
};

template <typename T, bool kDecoupled, bool kL2, bool kAmsgrad>
TAPEGRAD_VECTORIZE void adam_loop(const AdamElement<T, kDecoupled, kL2, kAmsgrad>& element, T* param, const T* grad, T* exp_avg,
               T* exp_avg_sq, T* max_exp_avg_sq, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 16384)
    for (int64_t i = 0; i < n; ++i)
        element(param[i], grad[i], exp_avg[i], exp_avg_sq[i], kAmsgrad ? max_exp_avg_sq + i : nullptr);
}

// `max_exp_avg_sq` is null unless amsgrad.
template <typename T>
void adam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq, int64_t n, const AdamStep& s) {
    const double bias_correction1 = 1 - std::pow(s.beta1, double(s.step));
    const double bias_correction2 = 1 - std::pow(s.beta2, double(s.step));
    const T constants[] = {T(s.lr / bias_correction1), T(std::sqrt(bias_correction2)), T(s.beta1), T(1 - s.beta1),
                           T(s.beta2), T(1 - s.beta2), T(s.eps), T(s.weight_decay), T(1 - s.lr * s.weight_decay)};
    auto run = [&]<bool kDecoupled, bool kL2, bool kAmsgrad>() {
        const AdamElement<T, kDecoupled, kL2, kAmsgrad> element{constants[0], constants[1], constants[2],
                                                                constants[3], constants[4], constants[5],
                                                                constants[6], constants[7], constants[8]};
        adam_loop(element, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n);
    };
    const bool l2 = !s.decoupled_weight_decay && s.weight_decay != 0;
    const bool amsgrad = max_exp_avg_sq != nullptr;
    if (s.decoupled_weight_decay) {
        amsgrad ? run.template operator()<true, false, true>() : run.template operator()<true, false, false>();
    } else if (l2) {
        amsgrad ? run.template operator()<false, true, true>() : run.template operator()<false, true, false>();
    } else {
        amsgrad ? run.template operator()<false, false, true>() : run.template operator()<false, false, false>();
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
