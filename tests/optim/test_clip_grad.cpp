// Gradient clipping: the total norm (2, 1, inf), scaling only above max_norm, non-finite norms
// reported, grad_norm alone, and clipping by value.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "autograd/autograd.h"
#include "optim/clip_grad.h"

using namespace tapegrad;
using namespace tapegrad::optim;

namespace {

// Two float64 parameters with grads (3, 4) and (12): L2 norm 13, L1 norm 19, inf norm 12; and a
// third without a grad, which clipping must skip.
std::vector<Tensor> params_with_grads(DType dtype = DType::Float64) {
    Tensor a = zeros({2}, {.dtype = dtype, .requires_grad = true});
    Tensor b = zeros({1}, {.dtype = dtype, .requires_grad = true});
    Tensor c = zeros({3}, {.dtype = dtype, .requires_grad = true});
    a.set_grad(tensor({3.0, -4.0}, {.dtype = dtype}));
    b.set_grad(tensor({12.0}, {.dtype = dtype}));
    return {a, b, c};
}

}  // namespace

TEST_CASE("clip_grad_norm returns the total norm and scales only above max_norm", "[optim][clip]") {
    auto params = params_with_grads();
    CHECK(clip_grad_norm(params, 26.0) == Approx(13.0));
    CHECK(params[0].grad().to_vector<double>() == std::vector<double>{3.0, -4.0});  // below: untouched

    CHECK(clip_grad_norm(params, 6.5) == Approx(13.0));
    const double scale = 6.5 / (13.0 + 1e-6);
    CHECK(params[0].grad().to_vector<double>()[0] == Approx(3.0 * scale).epsilon(1e-15));
    CHECK(params[0].grad().to_vector<double>()[1] == Approx(-4.0 * scale).epsilon(1e-15));
    CHECK(params[1].grad().to_vector<double>()[0] == Approx(12.0 * scale).epsilon(1e-15));
    CHECK_FALSE(params[2].grad().defined());
    CHECK(clip_grad_norm(params, 100.0) == Approx(6.5).epsilon(1e-6));  // the clipped norm

    auto float_params = params_with_grads(DType::Float32);
    CHECK(clip_grad_norm(float_params, 1.0) == Approx(13.0));
    CHECK(float_params[1].grad().to_vector<float>()[0] == Approx(12.0 / 13.0).epsilon(1e-6));
}

TEST_CASE("clip_grad_norm supports the 1-norm, p-norms and the inf norm", "[optim][clip]") {
    auto params = params_with_grads();
    CHECK(clip_grad_norm(params, 100.0, 1.0) == Approx(19.0));
    CHECK(clip_grad_norm(params, 100.0, 3.0) == Approx(std::cbrt(27.0 + 64.0 + 1728.0)));
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(clip_grad_norm(params, 100.0, inf) == 12.0);
    CHECK(clip_grad_norm(params, 6.0, inf) == 12.0);
    CHECK(params[1].grad().to_vector<double>()[0] == Approx(12.0 * 6.0 / (12.0 + 1e-6)));
    CHECK(clip_grad_norm({}, 1.0) == 0.0);

    REQUIRE_THROWS_WITH(clip_grad_norm(params, -1.0), Catch::Contains("max_norm") && Catch::Contains("-1"));
    REQUIRE_THROWS_WITH(clip_grad_norm(params, 1.0, 0.0), Catch::Contains("norm_type") && Catch::Contains("0"));
}

TEST_CASE("clip_grad_norm reports a non-finite norm and leaves the grads alone", "[optim][clip]") {
    const double inf = std::numeric_limits<double>::infinity();
    auto params = params_with_grads();
    params[1].grad().fill_(inf);
    CHECK(std::isinf(clip_grad_norm(params, 1.0)));
    CHECK(params[0].grad().to_vector<double>() == std::vector<double>{3.0, -4.0});
    REQUIRE_THROWS_AS(clip_grad_norm(params, 1.0, 2.0, true), std::runtime_error);
    REQUIRE_THROWS_WITH(clip_grad_norm(params, 1.0, 2.0, true),
                        Catch::Contains("norm of order 2") && Catch::Contains("is inf"));
    REQUIRE_THROWS_WITH(clip_grad_norm(params, 1.0, inf, true), Catch::Contains("order inf") && Catch::Contains("is inf"));

    params[1].grad().fill_(std::nan(""));
    CHECK(std::isnan(clip_grad_norm(params, 1.0)));
    CHECK(std::isnan(clip_grad_norm(params, 1.0, inf)));  // max() would drop a NaN: it must not
    REQUIRE_THROWS_WITH(clip_grad_norm(params, 1.0, 2.0, true), Catch::Contains("is nan"));
}

TEST_CASE("grad_norm is clip_grad_norm's norm without touching the grads", "[optim][clip]") {
    auto params = params_with_grads();
    CHECK(grad_norm(params) == Approx(13.0));
    CHECK(grad_norm(params, 1.0) == Approx(19.0));
    CHECK(grad_norm(params, std::numeric_limits<double>::infinity()) == 12.0);
    CHECK(params[0].grad().to_vector<double>() == std::vector<double>{3.0, -4.0});
    CHECK(grad_norm({}) == 0.0);
    params[1].grad().fill_(std::nan(""));
    CHECK(std::isnan(grad_norm(params)));
    REQUIRE_THROWS_WITH(grad_norm(params, -1.0), Catch::Contains("grad_norm") && Catch::Contains("-1"));
}

TEST_CASE("clip_grad_value clamps every element", "[optim][clip]") {
    auto params = params_with_grads();
    clip_grad_value(params, 3.5);
    CHECK(params[0].grad().to_vector<double>() == std::vector<double>{3.0, -3.5});
    CHECK(params[1].grad().to_vector<double>() == std::vector<double>{3.5});
    CHECK_FALSE(params[2].grad().defined());
    REQUIRE_THROWS_WITH(clip_grad_value(params, -1), Catch::Contains("clip_value") && Catch::Contains("-1"));
}
