// Test helpers for modules in float64: gradcheck with its report, a random input, and the element-by-element
// check of a module's parameter gradients (the tensors a module holds, which tapegrad::gradcheck cannot perturb).
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "autograd/autograd.h"
#include "nn/module.h"

namespace tapegrad::test {

// gradcheck, with its report printed when it fails.
inline void require_gradcheck(const GradcheckFunction& function, const std::vector<Tensor>& inputs) {
    const GradcheckReport report = gradcheck(function, inputs);
    INFO(report.message);
    REQUIRE(report.passed);
}

inline Tensor random_input(const Shape& shape, uint64_t seed, bool requires_grad = true) {
    Generator generator(seed);
    return normal(shape, 0, 1, generator, {.dtype = DType::Float64, .requires_grad = requires_grad});
}

// d(Σ forward() ⊙ w)/dθ for every parameter θ of `module` (float64), from one backward, against central
// differences taken by perturbing θ in place, with gradcheck's tolerances. The input gradients are
// gradcheck's job; this covers the tensors the module holds, which gradcheck cannot perturb.
inline void check_parameter_gradients(nn::Module& module, const std::function<Tensor()>& forward) {
    const GradcheckOptions tolerances;
    Tape::current().clear();
    module.zero_grad();
    Generator generator(7);
    const Tensor output = forward();
    const Tensor weights = normal(output.shape(), 0, 1, generator, {.dtype = DType::Float64});
    sum(output * weights).backward();
    auto loss = [&] {
        NoGradGuard no_grad;
        return sum(forward() * weights).item();
    };
    REQUIRE_FALSE(module.named_parameters().empty());
    for (const auto& [name, parameter] : module.named_parameters()) {
        REQUIRE(parameter.dtype() == DType::Float64);
        REQUIRE(parameter.is_contiguous());
        const Tensor grad = parameter.grad().defined() ? parameter.grad() : zeros_like(parameter);
        const std::vector<double> analytic = grad.to_vector<double>();
        double* value = parameter.data<double>();
        double worst_excess = -1, worst_analytic = 0, worst_numeric = 0;
        int64_t worst_element = -1;
        for (int64_t e = 0; e < parameter.numel(); ++e) {
            const double original = value[e];
            value[e] = original + tolerances.eps;
            const double plus = loss();
            value[e] = original - tolerances.eps;
            const double minus = loss();
            value[e] = original;
            const double numeric = (plus - minus) / (2 * tolerances.eps);
            const double excess = std::abs(analytic[e] - numeric) - (tolerances.atol + tolerances.rtol * std::abs(numeric));
            if (excess > worst_excess || worst_element < 0)
                worst_excess = excess, worst_element = e, worst_analytic = analytic[e], worst_numeric = numeric;
        }
        INFO(module.type_name() << " parameter '" << name << "' element " << worst_element << ": analytic "
                                << worst_analytic << ", numeric " << worst_numeric);
        CHECK(worst_excess <= 0);
    }
    module.zero_grad();
}

}  // namespace tapegrad::test
