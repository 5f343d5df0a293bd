// Gradient clipping by total norm and by value (see clip_grad.h).
#include "optim/clip_grad.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "autograd/tape.h"

namespace tapegrad::optim {

namespace {

// Calls fn.template operator()<T>(T* grad, n) on each defined grad's elements, then writes the
// result back if the grad was not contiguous (set_grad accepts any layout).
template <typename Fn> void for_each_grad(const std::vector<Tensor>& params, Fn&& fn) {
    NoGradGuard no_grad;
    for (const Tensor& param : params) {
        const Tensor grad = param.grad();
        if (!grad.defined()) continue;
        const Tensor packed = grad.contiguous();
        visit_floating(grad.dtype(), [&]<typename T>() { fn.template operator()<T>(packed.data<T>(), packed.numel()); });
        if (!packed.is_same(grad)) grad.copy_(packed);
    }
}

}  // namespace

double grad_norm(const std::vector<Tensor>& params, double norm_type) {
    if (!(norm_type > 0))
        throw std::invalid_argument(fmt::format("grad_norm: norm_type must be > 0 or inf, got {}", norm_type));
    const bool inf_norm = std::isinf(norm_type);

    // Σ |g|^p (or max |g|) over every element of every grad, accumulated in double.
    double accumulated = 0.0;
    bool saw_nan = false;
    for_each_grad(params, [&]<typename T>(T* grad, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
            const double magnitude = std::abs(double(grad[i]));
            if (std::isnan(magnitude)) saw_nan = true;
            if (inf_norm)
                accumulated = std::max(accumulated, magnitude);
            else if (norm_type == 2.0)
                accumulated += magnitude * magnitude;
            else if (norm_type == 1.0)
                accumulated += magnitude;
            else
                accumulated += std::pow(magnitude, norm_type);
        }
    });
    const double total_norm = inf_norm ? accumulated : norm_type == 2.0 ? std::sqrt(accumulated)
                                                   : norm_type == 1.0 ? accumulated
                                                                      : std::pow(accumulated, 1.0 / norm_type);
    return saw_nan ? std::numeric_limits<double>::quiet_NaN() : total_norm;  // std::max drops NaN
}

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
    if (!(max_norm >= 0))
        throw std::invalid_argument(fmt::format("clip_grad_norm: max_norm must be >= 0, got {}", max_norm));
    if (!(norm_type > 0))
        throw std::invalid_argument(fmt::format("clip_grad_norm: norm_type must be > 0 or inf, got {}", norm_type));
    const double total_norm = grad_norm(params, norm_type);

    if (!std::isfinite(total_norm)) {
        if (error_if_nonfinite)
            throw std::runtime_error(fmt::format(
                "clip_grad_norm: the total norm of order {} of the gradients is {}, so they cannot be clipped "
                "(a NaN or inf in some gradient; set error_if_nonfinite = false to get the norm back instead)",
                norm_type, total_norm));
        return total_norm;
    }
    const double clip_coef = max_norm / (total_norm + 1e-6);
    if (clip_coef < 1.0) {
        for_each_grad(params, [&]<typename T>(T* grad, int64_t n) {
            const T scale = T(clip_coef);
            for (int64_t i = 0; i < n; ++i) grad[i] *= scale;
        });
    }
    return total_norm;
}

void clip_grad_value(const std::vector<Tensor>& params, double clip_value) {
    if (!(clip_value >= 0))
        throw std::invalid_argument(fmt::format("clip_grad_value: clip_value must be >= 0, got {}", clip_value));
    for_each_grad(params, [&]<typename T>(T* grad, int64_t n) {
        const T low = T(-clip_value), high = T(clip_value);
        for (int64_t i = 0; i < n; ++i) grad[i] = std::clamp(grad[i], low, high);
    });
}

}  // namespace tapegrad::optim
