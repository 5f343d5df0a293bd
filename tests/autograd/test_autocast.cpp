// AutocastGuard (autograd/autocast.h): inside it the products read bfloat16 inputs and accumulate in float32,
// exactly as if their float32 inputs had been rounded first; the gradient reaches the float32 weights;
// float64, gradcheck and backward are left alone; guards nest.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>

#include "autograd/autograd.h"
#include "kernels/kernel_mode.h"

using namespace tapegrad;

namespace {

Tensor rounded(const Tensor& x) { return x.to(DType::BFloat16).to(DType::Float32); }

Tensor random_float32(const Shape& shape, uint64_t seed) {
    Generator generator(seed);
    return normal(shape, 0.0, 1.0, generator);
}

bool identical(const Tensor& a, const Tensor& b) { return a.to_vector<float>() == b.to_vector<float>(); }

}  // namespace

TEST_CASE("under autocast, linear and matmul multiply the bfloat16 roundings of their float32 inputs",
          "[autocast][bfloat16]") {
    const Tensor x = random_float32({5, 7}, 1), weight = random_float32({3, 7}, 2), bias = random_float32({3}, 3);
    const Tensor a = random_float32({2, 4, 6}, 4), b = random_float32({6, 5}, 5);
    Tensor linear_autocast, matmul_autocast;
    {
        AutocastGuard autocast;
        REQUIRE(is_autocast_enabled());
        REQUIRE(autocast_dtype() == DType::BFloat16);
        linear_autocast = linear(x, weight, bias);
        matmul_autocast = matmul(a, b);
    }
    REQUIRE_FALSE(is_autocast_enabled());
    CHECK(linear_autocast.dtype() == DType::Float32);  // accumulated, and returned, in float32
    CHECK(identical(linear_autocast, linear(rounded(x), rounded(weight), bias)));  // the bias is not rounded
    CHECK(identical(matmul_autocast, matmul(rounded(a), rounded(b))));
    // and it is not the float32 product: bfloat16 keeps 8 significant bits
    CHECK_FALSE(identical(matmul_autocast, matmul(a, b)));
    const double relative = max(abs(sub(matmul_autocast, matmul(a, b)))).item() / max(abs(matmul(a, b))).item();
    CHECK(relative < 2e-2);
}

TEST_CASE("under autocast, attention's two products read bfloat16 query, key and value, fused or composed",
          "[autocast][bfloat16]") {
    const Tensor query = random_float32({2, 3, 4}, 6), key = random_float32({2, 5, 4}, 7), value = random_float32({2, 5, 4}, 8);
    const Tensor causal = tensor({{0, 0, 0, 1, 1}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}}, {.dtype = DType::Bool});  // blocked
    Tensor autocast_output;
    {
        AutocastGuard autocast;
        autocast_output = attention(query, key, value, causal, {}).output;
    }
    const Tensor expected = attention(rounded(query), rounded(key), rounded(value), causal, {}).output;
    CHECK(max(abs(sub(autocast_output, expected))).item() < 1e-6);  // fused and composed agree to float32
}

TEST_CASE("autocast gradients reach the float32 weights, through the rounding", "[autocast][bfloat16]") {
    const Tensor x = random_float32({4, 6}, 9);
    const Tensor weight = random_float32({3, 6}, 10).requires_grad_(), bias = random_float32({3}, 11).requires_grad_();
    {
        AutocastGuard autocast;
        sum(mul(linear(x, weight, bias), linear(x, weight, bias))).backward();  // backward inside the scope
    }
    const Tensor autocast_weight_grad = weight.grad().clone(), autocast_bias_grad = bias.grad().clone();
    REQUIRE(autocast_weight_grad.dtype() == DType::Float32);
    weight.zero_grad();
    bias.zero_grad();
    // The same computation written out: round the inputs, multiply in float32.
    const Tensor w_rounded = rounded(weight);
    sum(mul(linear(rounded(x), w_rounded, bias), linear(rounded(x), rounded(weight), bias))).backward();
    CHECK(identical(autocast_weight_grad, weight.grad()));
    CHECK(identical(autocast_bias_grad, bias.grad()));
}

TEST_CASE("autocast leaves float64 exact, and gradcheck turns it off", "[autocast][bfloat16]") {
    const Tensor a = tensor({{0.1, 0.2}, {0.3, 0.4}}, {.dtype = DType::Float64, .requires_grad = true});
    const Tensor b = tensor({{1.0 / 3, 2.0}, {-1.0, 0.7}}, {.dtype = DType::Float64, .requires_grad = true});
    AutocastGuard autocast;
    CHECK(matmul(a, b).to_vector<double>() == [&] {
        AutocastGuard off(DType::BFloat16, false);
        return matmul(a, b).to_vector<double>();
    }());
    // A float32 gradcheck would fail if the products were rounded (bfloat16 is far coarser than its
    // tolerance); gradcheck runs them exact.
    const Tensor x32 = random_float32({3, 4}, 12).requires_grad_(), w32 = random_float32({2, 4}, 13).requires_grad_();
    const GradcheckReport report = gradcheck([](const std::vector<Tensor>& inputs) {
        return linear(inputs[0], inputs[1], Tensor());
    }, {x32.to(DType::Float64).detach().requires_grad_(), w32.to(DType::Float64).detach().requires_grad_()});
    CHECK(report.passed);
}

TEST_CASE("autocast guards nest, the innermost rules, and only bfloat16 products exist", "[autocast][bfloat16]") {
    {
        AutocastGuard outer;
        {
            AutocastGuard inner(DType::BFloat16, /*enabled=*/false);
            CHECK_FALSE(is_autocast_enabled());
        }
        CHECK(is_autocast_enabled());
    }
    CHECK_FALSE(is_autocast_enabled());
    REQUIRE_THROWS_WITH(AutocastGuard(DType::Float64), Catch::Contains("AutocastGuard") && Catch::Contains("float64"));
}

TEST_CASE("the one-pass bfloat16 rounding equals its reference, to(BFloat16).to(Float32), forward and backward",
          "[autocast][bfloat16]") {
    // Every rounding case: ties both ways, carries into the exponent, overflow to infinity, NaN, subnormals.
    std::vector<float> values = {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, std::nextafter(2.0f, 0.0f), 3.4e38f, -3.4e38f,
                                 std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                                 std::numeric_limits<float>::denorm_min(), -0.0f};
    Generator generator(14);
    const std::vector<float> random = normal({100003}, 0.0, 10.0, generator).to_vector<float>();  // > 2^16: threads
    values.insert(values.end(), random.begin(), random.end());
    const Tensor x = from_vector(values, {static_cast<int64_t>(values.size())}).requires_grad_();
    const Tensor upstream = normal({static_cast<int64_t>(values.size())}, 0.0, 1.0, generator);
    // Each path forward, then backward (a backward frees the tape, so one path at a time).
    auto rounded_with_gradient = [&](kernels::KernelMode mode) {
        kernels::KernelModeGuard kernels(mode);
        x.zero_grad();
        Tensor rounded;
        {
            AutocastGuard autocast;
            rounded = autocast_product_input(x);
        }
        sum(mul(rounded, upstream)).backward();
        return std::make_pair(rounded, x.grad().to_vector<float>());
    };
    const auto [fast, fast_grad] = rounded_with_gradient(kernels::KernelMode::Fast);
    const auto [reference, reference_grad] = rounded_with_gradient(kernels::KernelMode::Reference);
    REQUIRE(std::memcmp(fast.data<float>(), reference.data<float>(), sizeof(float) * values.size()) == 0);
    CHECK(fast_grad == reference_grad);
    CHECK_NOTHROW(rounded_with_gradient(kernels::KernelMode::Check));
    CHECK(fast_grad != upstream.to_vector<float>());  // rounded, not passed through
}
