// The vectorisable float exp behind softmax and cross-entropy: accuracy and special values.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/exp.h"

using tapegrad::kernels::exp_and_sum;
using tapegrad::kernels::exp_vectorizable;

TEST_CASE("exp_vectorizable is within 2 ulp of e^x over float's range", "[exp]") {
    double worst = 0;
    for (float x = -85.9f; x < 88.7f; x += 0.0137f) {
        const double reference = std::exp(static_cast<double>(x));
        worst = std::max(worst, std::abs(exp_vectorizable(x) - reference) / reference);
    }
    INFO("largest relative error " << worst);
    CHECK(worst < 2 * 5.97e-8);  // 2 ulp of float (2^-24 relative)
}

TEST_CASE("exp_vectorizable: e^-inf = 0, e^inf = inf, NaN stays NaN, no overflow below 88.72", "[exp]") {
    constexpr float inf = std::numeric_limits<float>::infinity();
    CHECK(exp_vectorizable(-inf) == 0.0f);
    CHECK(exp_vectorizable(-1000.0f) == 0.0f);
    CHECK(exp_vectorizable(inf) == inf);
    CHECK(std::isnan(exp_vectorizable(std::nanf(""))));
    CHECK(exp_vectorizable(0.0f) == 1.0f);
    CHECK(std::isfinite(exp_vectorizable(88.7f)));
    CHECK(exp_vectorizable(88.7f) == Approx(std::exp(static_cast<double>(88.7f))).epsilon(1e-6));
}

TEST_CASE("exp_and_sum writes e^(scale·x − shift) and returns the sum, in place too", "[exp]") {
    std::vector<float> x{-2.0f, 0.5f, 1.0f, -std::numeric_limits<float>::infinity(), 3.0f};
    std::vector<float> out(x.size());
    const double total = exp_and_sum(x.data(), 0.5f, 1.0f, out.data(), static_cast<int64_t>(x.size()));
    double expected_total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double expected = std::exp(0.5 * x[i] - 1.0);
        CHECK(out[i] == Approx(expected).epsilon(2e-7));
        expected_total += expected;
    }
    CHECK(out[3] == 0.0f);
    CHECK(total == Approx(expected_total).epsilon(1e-6));
    exp_and_sum(x.data(), 0.5f, 1.0f, x.data(), static_cast<int64_t>(x.size()));
    CHECK(x == out);
}
