// SGD with momentum, as torch.optim.SGD computes it (Sutskever et al. 2013, "On the importance of
// initialization and momentum in deep learning", in PyTorch's formulation):
//
//   g_t = ∇θ + λ θ_{t-1}                              weight decay (L2 penalty)
//   b_1 = g_1,  b_t = μ b_{t-1} + (1 − τ) g_t          momentum buffer (τ dampening); the first is the gradient
//   d_t = g_t + μ b_t  (Nesterov)  or  d_t = b_t      direction
//   θ_t = θ_{t-1} − η d_t
#include "optim/sgd.h"

#include <stdexcept>

#include "autograd/dtype.h"

namespace tapegrad::optim {

namespace {

struct SGDStep {
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
    bool first_step;  // the momentum buffer starts as the gradient itself
};

// `momentum_buffer` is null when momentum is 0.
template <typename T>
void sgd_update(T* param, const T* grad, T* momentum_buffer, int64_t n, const SGDStep& s) {
    const T lr = T(s.lr), momentum = T(s.momentum), weight_decay = T(s.weight_decay);
    const T one_minus_dampening = T(1 - s.dampening);
    for (int64_t i = 0; i < n; ++i) {
        T g = grad[i];
        if (s.weight_decay != 0) g = g + weight_decay * param[i];  // L2 penalty
        T direction = g;
        if (momentum_buffer) {
            T& buffer = momentum_buffer[i];
            buffer = s.first_step ? g : buffer * momentum + one_minus_dampening * g;  // momentum buffer
            direction = s.nesterov ? g + momentum * buffer : buffer;           // Nesterov looks ahead
        }
        param[i] = param[i] - lr * direction;
    }
}

}  // namespace

SGD::SGD(ParamGroups params, SGDOptions options)
    : Optimizer("SGD", std::move(params), options.lr, options.weight_decay), options_(options) {
    validate_options();
}

void SGD::validate_options() const {
    check_non_negative(type_name(), "lr", options_.lr);
    check_non_negative(type_name(), "momentum", options_.momentum);
    if (!(options_.dampening >= 0.0 && options_.dampening <= 1.0))
        throw std::invalid_argument(fmt::format("SGD: dampening must be in [0, 1], got {}", options_.dampening));
    check_non_negative(type_name(), "weight_decay", options_.weight_decay);
    if (options_.nesterov && (options_.momentum <= 0.0 || options_.dampening != 0.0))
        throw std::invalid_argument(fmt::format(
            "SGD: nesterov requires momentum > 0 and dampening = 0, got momentum {} and dampening {}",
            options_.momentum, options_.dampening));
}

std::vector<std::string> SGD::state_names() const {
    if (options_.momentum == 0.0) return {};
    return {"momentum_buffer"};
}

std::vector<Optimizer::HyperParameter> SGD::hyper_parameters() {
    return {{"lr", &options_.lr},
            {"momentum", &options_.momentum},
            {"dampening", &options_.dampening},
            {"weight_decay", &options_.weight_decay},
            {"nesterov", &options_.nesterov}};
}

void SGD::update(const Tensor& param, const Tensor& grad, ParamState& state, double lr, double weight_decay) {
    const SGDStep s{.lr = lr,
                    .momentum = options_.momentum,
                    .dampening = options_.dampening,
                    .weight_decay = weight_decay,
                    .nesterov = options_.nesterov,
                    .first_step = state.step == 1};
    visit_floating(param.dtype(), [&]<typename T>() {
        T* momentum_buffer = options_.momentum != 0.0 ? state.buffer("momentum_buffer").data<T>() : nullptr;
        sgd_update<T>(param.data<T>(), grad.data<T>(), momentum_buffer, param.numel(), s);
    });
}

}  // namespace tapegrad::optim
