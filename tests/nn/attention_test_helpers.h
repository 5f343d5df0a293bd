// Helpers shared by the attention and transformer tests: random float64 inputs, differences, and a
// finite-difference check of a module's parameter gradients (gradcheck checks inputs; parameters
// live inside the module, so they are perturbed in place here with gradcheck's method and tolerances).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "nn/nn.h"

namespace attention_test {

using namespace tapegrad;

// N(0, 1) float64 leaf, requiring grad when asked.
inline Tensor randn(const Shape& shape, uint64_t seed, bool requires_grad = false) {
    Generator generator(seed);
    Tensor x = normal(shape, 0, 1, generator, {.dtype = DType::Float64});
    if (requires_grad) x.requires_grad_(true);
    return x;
}

inline double max_abs_difference(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
    return worst;
}

inline bool all_finite_values(const Tensor& x) {
    for (double v : x.to_vector<double>())
        if (!std::isfinite(v)) return false;
    return true;
}

// Builds a float64 module with dropout off: the state gradchecks need.
template <typename M, typename Options>
std::shared_ptr<M> make_float64(const Options& options, uint64_t seed = 1) {
    Generator generator(seed);
    auto module = std::make_shared<M>(options, generator);
    module->to(DType::Float64);
    module->eval();
    return module;
}

// Runs tapegrad::gradcheck and fails with its message.
inline void require_gradcheck(const GradcheckFunction& function, const std::vector<Tensor>& inputs) {
    const GradcheckReport report = gradcheck(function, inputs);
    INFO(report.message);
    REQUIRE(report.passed);
}

// d(Σ forward() ⊙ w)/d(parameter) by backward against central differences, for every element of every
// parameter of `module` (float64), with gradcheck's tolerances (eps 1e-6, atol 1e-5, rtol 1e-3).
// `skip(name, element)` exempts elements whose analytic gradient is zero by design (an embedding's
// padding row: changing it changes the output, but padding_idx withholds its gradient, as in torch).
using SkipElement = std::function<bool(const std::string& name, int64_t element)>;
inline void require_parameter_gradcheck(nn::Module& module, const std::function<Tensor()>& forward,
                                        const SkipElement& skip = nullptr) {
    constexpr double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
    module.zero_grad();
    Tensor out = forward();
    REQUIRE(out.dtype() == DType::Float64);
    const Tensor w = randn(out.shape(), 4242);
    (out * w).sum().backward();
    auto loss = [&] {
        NoGradGuard no_grad;
        return (forward() * w).sum().item();
    };
    int64_t checked = 0;
    for (const auto& [name, parameter] : module.named_parameters()) {
        REQUIRE(parameter.is_contiguous());
        const Tensor grad = parameter.grad();
        const std::vector<double> analytic =
            grad.defined() ? grad.to_vector<double>() : std::vector<double>(parameter.numel(), 0.0);
        double* value = parameter.data<double>();
        for (int64_t i = 0; i < parameter.numel(); ++i) {
            if (skip && skip(name, i)) continue;
            const double original = value[i];
            value[i] = original + eps;
            const double plus = loss();
            value[i] = original - eps;
            const double minus = loss();
            value[i] = original;
            const double numeric = (plus - minus) / (2 * eps);
            if (std::abs(analytic[i] - numeric) > atol + rtol * std::abs(numeric)) {
                FAIL("parameter " << name << " element " << i << ": analytic " << analytic[i] << ", numeric "
                                  << numeric);
            }
            ++checked;
        }
    }
    REQUIRE(checked > 0);
    module.zero_grad();
}

}  // namespace attention_test
