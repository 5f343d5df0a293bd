// RMSprop: divide the gradient by a running root mean square of recent gradients (Hinton, Srivastava
// & Swersky, "Neural Networks for Machine Learning", Lecture 6e, 2012); the centred form subtracts
// the squared running mean, as in Graves, "Generating Sequences With Recurrent Neural Networks"
// (2013), §4. As torch.optim.RMSprop computes it:
//
//   g_t = ∇θ + λ θ_{t-1}                            weight decay (L2 penalty)
//   s_t = α s_{t-1} + (1 − α) g_t²                  running mean square ("square_avg")
//   ḡ_t = α ḡ_{t-1} + (1 − α) g_t                   running mean ("grad_avg", centred only)
//   r_t = √(s_t − ḡ_t²) + ε  (centred)  or  √s_t + ε
//   b_t = μ b_{t-1} + g_t / r_t,  θ_t = θ_{t-1} − η b_t     with momentum
//   θ_t = θ_{t-1} − η g_t / r_t                              without
#include "optim/rmsprop.h"

#include <cmath>

#include "autograd/dtype.h"

namespace tapegrad::optim {

namespace {

struct RMSpropStep {
    double lr, alpha, eps, weight_decay, momentum;
};

// `grad_avg` is null unless centred; `momentum_buffer` is null unless momentum > 0.
template <typename T>
void rmsprop_update(T* param, const T* grad, T* square_avg, T* grad_avg, T* momentum_buffer, int64_t n,
                    const RMSpropStep& s) {
    const T lr = T(s.lr), alpha = T(s.alpha), one_minus_alpha = T(1 - s.alpha);
    const T eps = T(s.eps), weight_decay = T(s.weight_decay), momentum = T(s.momentum);
    for (int64_t i = 0; i < n; ++i) {
        T g = grad[i];
        if (s.weight_decay != 0) g = g + weight_decay * param[i];  // L2 penalty
        square_avg[i] = square_avg[i] * alpha + one_minus_alpha * g * g;  // running mean of g²
        T mean_square = square_avg[i];
        if (grad_avg) {
            grad_avg[i] = grad_avg[i] * alpha + one_minus_alpha * g;  // running mean of g
            mean_square = mean_square - grad_avg[i] * grad_avg[i];    // variance estimate
        }
        const T rms = std::sqrt(mean_square) + eps;
        if (momentum_buffer) {
            momentum_buffer[i] = momentum_buffer[i] * momentum + g / rms;
            param[i] = param[i] - lr * momentum_buffer[i];
        } else {
            param[i] = param[i] - lr * g / rms;
        }
    }
}

}  // namespace

RMSprop::RMSprop(ParamGroups params, RMSpropOptions options)
    : Optimizer("RMSprop", std::move(params), options.lr, options.weight_decay), options_(options) {
    validate_options();
}

void RMSprop::validate_options() const {
    check_non_negative(type_name(), "lr", options_.lr);
    check_unit_interval(type_name(), "alpha", options_.alpha);
    check_positive(type_name(), "eps", options_.eps);
    check_non_negative(type_name(), "weight_decay", options_.weight_decay);
    check_non_negative(type_name(), "momentum", options_.momentum);
}

std::vector<std::string> RMSprop::state_names() const {
    std::vector<std::string> names = {"square_avg"};
    if (options_.momentum > 0) names.push_back("momentum_buffer");
    if (options_.centered) names.push_back("grad_avg");
    return names;
}

std::vector<Optimizer::HyperParameter> RMSprop::hyper_parameters() {
    return {{"lr", &options_.lr},
            {"alpha", &options_.alpha},
            {"eps", &options_.eps},
            {"weight_decay", &options_.weight_decay},
            {"momentum", &options_.momentum},
            {"centered", &options_.centered}};
}

void RMSprop::update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) {
    const RMSpropStep s{.lr = lr,
                        .alpha = options_.alpha,
                        .eps = options_.eps,
                        .weight_decay = weight_decay,
                        .momentum = options_.momentum};
    visit_floating(param.dtype(), [&]<typename T>() {
        T* grad_avg = options_.centered ? state.buffer("grad_avg").data<T>() : nullptr;
        T* momentum_buffer = options_.momentum > 0 ? state.buffer("momentum_buffer").data<T>() : nullptr;
        rmsprop_update<T>(param.data<T>(), grad.data<T>(), state.buffer("square_avg").data<T>(), grad_avg,
                          momentum_buffer, param.numel(), s);
    });
}

}  // namespace tapegrad::optim
