// The fused ops against their composed references (TAPEGRAD_KERNELS=fast | reference | check): forward
// and gradients agree in float32 and float64, check mode keeps the fast result and its generator draws,
// and check_against_reference catches a planted difference, naming the op and the element.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "autograd/autograd.h"
#include "autograd/ops/check_mode.h"
#include "kernels/kernel_mode.h"

using namespace tapegrad;
using Catch::Contains;
using kernels::KernelMode;
using kernels::KernelModeGuard;

namespace {

// One fused op on fixed inputs; `generator` feeds the ops that drop out.
struct FusedCase {
    std::string name;
    std::vector<Shape> shapes;  // the differentiable inputs
    std::function<Tensor(const std::vector<Tensor>&, Generator&)> function;
};

Tensor blocked(const Shape& shape, const std::vector<int64_t>& pattern) {
    return from_vector(pattern, shape, {.dtype = DType::Bool});
}

std::vector<FusedCase> fused_cases() {
    // (3, 5), with row 1 fully blocked: its weights, output and gradient are 0 on both paths.
    const Tensor mask = blocked({3, 5}, {0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0});
    const Tensor targets = from_vector<int64_t>({0, 4, -100, 2, 1, 3}, {6});
    return {
        {"linear", {{2, 3, 5}, {4, 5}, {4}}, [](const auto& in, Generator&) { return linear(in[0], in[1], in[2]); }},
        {"linear/no_bias", {{7, 5}, {4, 5}}, [](const auto& in, Generator&) { return linear(in[0], in[1]); }},
        {"layer_norm", {{3, 4, 6}, {6}, {6}}, [](const auto& in, Generator&) { return layer_norm(in[0], {6}, in[1], in[2]); }},
        {"layer_norm/no_affine_2d", {{3, 4, 6}}, [](const auto& in, Generator&) { return layer_norm(in[0], {4, 6}, {}, {}); }},
        {"cross_entropy/ignore_index", {{6, 5}}, [targets](const auto& in, Generator&) { return cross_entropy(in[0], targets); }},
        {"cross_entropy/label_smoothing_sum", {{6, 5}}, [targets](const auto& in, Generator&) {
             return cross_entropy(in[0], targets, {.label_smoothing = 0.1, .reduction = Reduction::Sum});
         }},
        {"cross_entropy/none_3d", {{2, 5, 3}}, [](const auto& in, Generator&) {
             return cross_entropy(in[0], from_vector<int64_t>({0, 4, 2, 1, -100, 3}, {2, 3}), {.reduction = Reduction::None});
         }},
        {"masked_softmax", {{2, 3, 5}}, [mask](const auto& in, Generator&) { return masked_softmax(in[0], mask, 0.7); }},
        {"masked_softmax/no_mask", {{2, 3, 5}}, [](const auto& in, Generator&) { return masked_softmax(in[0], {}, 1.0); }},
        {"dropout_add", {{4, 6}, {4, 6}}, [](const auto& in, Generator& g) { return dropout_add(in[0], in[1], 0.3, true, g); }},
        {"relu_dropout", {{4, 6}}, [](const auto& in, Generator& g) { return relu_dropout(in[0], 0.3, true, g); }},
        {"attention", {{2, 2, 3, 4}, {2, 2, 5, 4}, {2, 2, 5, 3}}, [mask](const auto& in, Generator&) {
             return attention(in[0], in[1], in[2], mask, {.scale = 0.5, .weights_need_grad = false}).output;
         }},
        {"attention/dropout_broadcast_kv", {{2, 2, 3, 4}, {1, 1, 5, 4}, {1, 1, 5, 3}}, [mask](const auto& in, Generator& g) {
             return attention(in[0], in[1], in[2], mask,
                              {.scale = 0.5, .dropout_p = 0.25, .generator = &g, .weights_need_grad = false})
                 .output;
         }},
    };
}

struct Run {
    std::vector<double> output;
    std::vector<std::vector<double>> grads;  // one per input
    uint64_t draws = 0;                      // generator counters used
};

// The case in `mode`, its inputs drawn from a fixed seed in `dtype`, backward from a fixed upstream gradient.
Run run(const FusedCase& c, KernelMode mode, DType dtype) {
    KernelModeGuard guard(mode);
    Generator data(11);
    std::vector<Tensor> inputs;
    for (const Shape& shape : c.shapes) inputs.push_back(normal(shape, 0, 1, data, {.dtype = dtype}).requires_grad_());
    Generator dropout_generator(5);
    const Tensor out = c.function(inputs, dropout_generator);
    (out * normal(out.shape(), 0, 1, data, {.dtype = dtype})).sum().backward();
    Run result{out.to_vector<double>(), {}, dropout_generator.counter()};
    for (const Tensor& input : inputs) result.grads.push_back(input.grad().to_vector<double>());
    return result;
}

// The largest |a − b| relative to max(1, |b|).
double worst_difference(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
    return worst;
}

}  // namespace

TEST_CASE("every fused op agrees with its composed reference, forward and gradients, float32 and float64", "[fused]") {
    for (const FusedCase& c : fused_cases())
        for (const auto& [dtype, tolerance] : {std::pair{DType::Float64, 1e-12}, std::pair{DType::Float32, 2e-5}}) {
            CAPTURE(c.name, dtype_name(dtype));
            const Run fast = run(c, KernelMode::Fast, dtype), reference = run(c, KernelMode::Reference, dtype);
            CHECK(fast.draws == reference.draws);  // the same dropout masks
            const double forward = worst_difference(fast.output, reference.output);
            INFO("forward differs by " << forward);
            CHECK(forward <= tolerance);
            for (std::size_t i = 0; i < fast.grads.size(); ++i) {
                const double backward = worst_difference(fast.grads[i], reference.grads[i]);
                INFO("gradient of input " << i << " differs by " << backward);
                CHECK(backward <= tolerance);
            }
        }
}

TEST_CASE("check mode passes on real inputs and keeps the fast result, its gradients and its draws", "[fused]") {
    for (const FusedCase& c : fused_cases())
        for (const DType dtype : {DType::Float64, DType::Float32}) {
            CAPTURE(c.name, dtype_name(dtype));
            const Run fast = run(c, KernelMode::Fast, dtype);
            Run checked;
            REQUIRE_NOTHROW(checked = run(c, KernelMode::Check, dtype));
            CHECK(checked.output == fast.output);
            CHECK(checked.grads == fast.grads);
            CHECK(checked.draws == fast.draws);
        }
}

TEST_CASE("check_against_reference catches a planted difference and names the op and the element", "[fused]") {
    const Tensor reference = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});  // float32
    const RoundingBound bound{.ulps = 4, .magnitude = abs(reference), .formula = "4·ε·|y|"};
    SECTION("within the bound: a rounding error passes") {
        const Tensor nudged = reference.clone();
        nudged.data<float>()[4] = std::nextafter(5.0f, 6.0f);  // one ulp
        CHECK_NOTHROW(check_against_reference("layer_norm", nudged, reference, bound));
    }
    SECTION("beyond it: a wrong element is named, with both values") {
        const Tensor planted = reference.clone();
        planted.data<float>()[5] = 6.001f;
        CHECK_THROWS_AS(check_against_reference("layer_norm", planted, reference, bound), std::runtime_error);
        CHECK_THROWS_WITH(check_against_reference("layer_norm", planted, reference, bound),
                          Contains("layer_norm check") && Contains("[1, 2]") && Contains("6.001") && Contains("4·ε·|y|"));
    }
    SECTION("a NaN on one side only, and a shape mismatch, are differences") {
        const Tensor nan = reference.clone();
        nan.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
        CHECK_THROWS_WITH(check_against_reference("attention", nan, reference, bound), Contains("[0, 0]"));
        CHECK_NOTHROW(check_against_reference("attention", nan, nan, bound));
        CHECK_THROWS_WITH(check_against_reference("linear", reference.reshape({3, 2}), reference, bound),
                          Contains("linear check") && Contains("[3, 2]") && Contains("[2, 3]"));
    }
    SECTION("ulps = 0 asks for the same bits") {
        const Tensor nudged = reference.clone();
        nudged.data<float>()[1] = std::nextafter(2.0f, 3.0f);
        CHECK_THROWS_WITH(check_against_reference("relu_dropout", nudged, reference, {}), Contains("[0, 1]"));
    }
}

TEST_CASE("attention: one check of the inputs, whose errors name the caller", "[fused][errors]") {
    const Tensor query = zeros({2, 3, 4}), key = zeros({2, 5, 4}), value = zeros({2, 5, 6});
    CHECK(check_attention_inputs(query, key, value, Tensor(), "test") == Shape{2, 3, 5});
    CHECK_THROWS_WITH(attention(query, key, zeros({2, 4, 6}), {}, {.caller = "MultiHeadAttention"}),
                      Contains("MultiHeadAttention") && Contains("same length") && Contains("[2, 5, 4]") &&
                          Contains("[2, 4, 6]"));
    CHECK_THROWS_WITH(attention(query, zeros({2, 5, 3}), value), Contains("attention") && Contains("[2, 5, 3]"));
    CHECK_THROWS_WITH(attention(query, key, value, zeros({3, 4}, {.dtype = DType::Bool})),
                      Contains("attention") && Contains("[3, 4]") && Contains("[2, 3, 5]"));
    CHECK_THROWS_WITH(attention(query, key, value, {}, {.dropout_p = 0.5}), Contains("Generator"));
    CHECK_THROWS_WITH(attention(query, key, value, {}, {.dropout_p = 1.5, .training = false}), Contains("1.5"));
}
