// scaled_dot_product_attention and the mask helpers: the formula on a hand example, gradients in
// float64 with every mask kind, the mask-semantics table of docs/attention.md row by row, and errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "attention_test_helpers.h"
#include "kernels/kernel_mode.h"

using namespace tapegrad;
using namespace attention_test;
using Catch::Contains;
using nn::scaled_dot_product_attention;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Every row of weights (..., T, S) sums to 1, or to 0 for a fully masked row.
void require_rows_are_distributions(const Tensor& weights) {
    const Tensor row_sums = sum(weights, {-1});
    for (double s : row_sums.to_vector<double>()) CHECK((std::abs(s - 1) < 1e-12 || s == 0));
    for (double w : weights.to_vector<double>()) CHECK(w >= 0);
}

// weights[..., t, s] is exactly 0 wherever blocked (broadcast to weights) is true, and > 0 elsewhere.
void require_blocked_exactly_zero(const Tensor& weights, const Tensor& blocked) {
    const std::vector<double> w = weights.to_vector<double>();
    const std::vector<bool> b = [&] {
        std::vector<bool> out;
        for (auto v : expand(blocked, weights.shape()).to_vector<int64_t>()) out.push_back(v != 0);
        return out;
    }();
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (b[i]) CHECK(w[i] == 0.0);
        else CHECK(w[i] > 0.0);
    }
}
}  // namespace

TEST_CASE("SDPA: softmax(q kᵀ / √D) v on a hand-computed example", "[attention]") {
    const Tensor query = tensor({{{1.0, 0.0}}}, {.dtype = DType::Float64});             // (1, T=1, D=2)
    const Tensor key = tensor({{{1.0, 0.0}, {0.0, 1.0}}}, {.dtype = DType::Float64});   // (1, S=2, D=2)
    const Tensor value = tensor({{{1.0, 2.0}, {3.0, 4.0}}}, {.dtype = DType::Float64}); // (1, S=2, Dv=2)
    const auto [output, weights] = scaled_dot_product_attention(query, key, value);
    // scores = [1/√2, 0]; w0 = e^{1/√2} / (e^{1/√2} + 1)
    const double w0 = std::exp(1 / std::sqrt(2.0)) / (std::exp(1 / std::sqrt(2.0)) + 1);
    REQUIRE(weights.shape() == Shape{1, 1, 2});
    CHECK(weights.to_vector<double>()[0] == Approx(w0).epsilon(1e-14));
    CHECK(weights.to_vector<double>()[1] == Approx(1 - w0).epsilon(1e-14));
    REQUIRE(output.shape() == Shape{1, 1, 2});
    CHECK(output.to_vector<double>()[0] == Approx(w0 * 1 + (1 - w0) * 3).epsilon(1e-14));
    CHECK(output.to_vector<double>()[1] == Approx(w0 * 2 + (1 - w0) * 4).epsilon(1e-14));
}

TEST_CASE("SDPA: float64 gradcheck of query, key and value with every mask kind", "[attention]") {
    // B=2, H=2 as batch axes, T=3, S=4, D=3, Dv=2.
    const Tensor query = randn({2, 2, 3, 3}, 1, true);
    const Tensor key = randn({2, 2, 4, 3}, 2, true);
    const Tensor value = randn({2, 2, 4, 2}, 3, true);
    // Per sequence, shared by the heads: (B, 1, T, S).
    const Tensor blocked = eq(tensor({{{{0, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 0, 0}}}, {{{0, 0, 0, 1}, {1, 1, 0, 0}, {0, 1, 1, 0}}}}), 1.0);
    const Tensor additive = randn({3, 4}, 4);  // finite additive bias on the scores, (T, S)
    const Tensor additive_blocking = nn::to_additive_mask(blocked, DType::Float64);

    struct Case {
        const char* name;
        Tensor mask;
    };
    const std::vector<Case> cases{{"no mask", Tensor()},
                                  {"bool (B, 1, T, S)", blocked},
                                  {"additive finite (T, S)", additive},
                                  {"additive with -inf", additive_blocking},
                                  {"causal (T, S) with S > T", nn::causal_mask(3, 4)}};
    for (const Case& c : cases) {
        SECTION(c.name) {
            require_gradcheck(
                [&](const std::vector<Tensor>& in) { return scaled_dot_product_attention(in[0], in[1], in[2], c.mask).output; },
                {query, key, value});
        }
    }
}

TEST_CASE("SDPA: weight rows are distributions and blocked pairs are exactly 0", "[attention]") {
    const Tensor query = randn({2, 3, 4}, 5), key = randn({2, 5, 4}, 6), value = randn({2, 5, 4}, 7);
    const Tensor blocked = eq(tensor({{0, 0, 1, 0, 1}, {1, 0, 0, 0, 0}}), 1.0).reshape({2, 1, 5});  // (B, 1, S)
    SECTION("bool mask") {
        const auto result = scaled_dot_product_attention(query, key, value, blocked);
        require_rows_are_distributions(result.weights);
        require_blocked_exactly_zero(result.weights, blocked);
    }
    SECTION("the same mask as an additive -inf mask gives the same weights") {
        const auto as_bool = scaled_dot_product_attention(query, key, value, blocked);
        const auto as_float = scaled_dot_product_attention(query, key, value, nn::to_additive_mask(blocked, DType::Float64));
        CHECK(max_abs_difference(as_bool.weights, as_float.weights) == 0.0);
        CHECK(max_abs_difference(as_bool.output, as_float.output) == 0.0);
    }
}

TEST_CASE("SDPA: a fully masked row gives zero weights, zero output, zero gradient and no NaN", "[attention]") {
    const Tensor query = randn({1, 3, 2}, 8, true), key = randn({1, 4, 2}, 9, true), value = randn({1, 4, 3}, 10, true);
    // Query 1 may attend to nothing.
    const Tensor blocked = eq(tensor({{0, 1, 0, 0}, {1, 1, 1, 1}, {0, 0, 0, 1}}), 1.0);  // (T, S)
    for (const bool additive : {false, true}) {
        DYNAMIC_SECTION((additive ? "additive -inf mask" : "bool mask")) {
            const Tensor mask = additive ? nn::to_additive_mask(blocked, DType::Float64) : blocked;
            const auto [output, weights] = scaled_dot_product_attention(query, key, value, mask);
            CHECK(max(abs(select(weights, 1, 1))).item() == 0.0);
            CHECK(max(abs(select(output, 1, 1))).item() == 0.0);
            output.sum().backward();
            REQUIRE(all_finite_values(query.grad()));
            REQUIRE(all_finite_values(key.grad()));
            REQUIRE(all_finite_values(value.grad()));
            CHECK(max(abs(select(query.grad(), 1, 1))).item() == 0.0);  // the masked query learns nothing
            query.zero_grad(), key.zero_grad(), value.zero_grad();
            require_gradcheck(
                [&](const std::vector<Tensor>& in) { return scaled_dot_product_attention(in[0], in[1], in[2], mask).output; },
                {query, key, value});
        }
    }
}

TEST_CASE("causal_mask, padding_mask and to_additive_mask build the documented matrices", "[attention]") {
    CHECK(nn::causal_mask(3).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1, 0, 0, 1, 0, 0, 0});
    // Two new queries after two cached keys: query 0 is position 2, query 1 is position 3.
    CHECK(nn::causal_mask(2, 4).to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 1, 0, 0, 0, 0});
    CHECK(nn::causal_mask(3).dtype() == DType::Bool);
    const Tensor tokens = tensor({{5, 6, 0}, {7, 0, 0}}, {.dtype = DType::Int64});
    const Tensor pad = nn::padding_mask(tokens, 0);
    CHECK(pad.dtype() == DType::Bool);
    CHECK(pad.to_vector<int64_t>() == std::vector<int64_t>{0, 0, 1, 0, 1, 1});
    const Tensor additive = nn::to_additive_mask(pad, DType::Float32);
    CHECK(additive.dtype() == DType::Float32);
    CHECK(additive.to_vector<double>() == std::vector<double>{0, 0, -kInf, 0, -kInf, -kInf});
    REQUIRE_THROWS_WITH(nn::causal_mask(3, 2), Contains("causal_mask") && Contains("3"));
    REQUIRE_THROWS_WITH(nn::padding_mask(tensor({1.0, 2.0}), 0), Contains("padding_mask") && Contains("float32"));
}

TEST_CASE("combine_masks: causal (T, S) + key padding (B, S) -> (B, 1, T, S)", "[attention]") {
    const Tensor causal = nn::causal_mask(3);                                          // (3, 3)
    const Tensor pad = eq(tensor({{0, 0, 1}, {0, 0, 0}}), 1.0);                        // (2, 3)
    SECTION("both bool: blocked if either blocks") {
        const Tensor both = nn::combine_masks(causal, pad);
        REQUIRE(both.shape() == Shape{2, 1, 3, 3});
        REQUIRE(both.dtype() == DType::Bool);
        CHECK(both.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1, 0, 0, 1, 0, 0, 1,   // sequence 0: key 2 is PAD
                                                                0, 1, 1, 0, 0, 1, 0, 0, 0}); // sequence 1: causal only
    }
    SECTION("one additive: the bool one becomes 0 / -inf and they add") {
        const Tensor bias = full({3, 3}, 0.5, {.dtype = DType::Float64});
        const Tensor both = nn::combine_masks(bias, pad);
        REQUIRE(both.dtype() == DType::Float64);
        REQUIRE(both.shape() == Shape{2, 1, 3, 3});
        const std::vector<double> v = both.to_vector<double>();
        CHECK(v[0] == 0.5);
        CHECK(v[2] == -kInf);  // sequence 0, key 2 is PAD
        CHECK(v[9 + 2] == 0.5);
    }
    SECTION("only one of them, or none") {
        CHECK(nn::combine_masks(causal, Tensor()).is_same(causal));
        CHECK(nn::combine_masks(Tensor(), pad).shape() == Shape{2, 1, 1, 3});
        CHECK(!nn::combine_masks(Tensor(), Tensor()).defined());
    }
    SECTION("a 3-d attn_mask is refused with a pointer to (B, 1, T, S)") {
        REQUIRE_THROWS_WITH(nn::combine_masks(zeros({2, 3, 3}, {.dtype = DType::Bool}), pad, "MultiHeadAttention"),
                            Contains("MultiHeadAttention") && Contains("[2, 3, 3]") && Contains("(B, 1, T, S)"));
    }
}

// ---- The mask-semantics table of docs/attention.md, one test per row ----

TEST_CASE("mask table: bool true blocks, bool false allows", "[attention][mask-table]") {
    const Tensor query = randn({1, 2, 3}, 11), key = randn({1, 3, 3}, 12), value = randn({1, 3, 3}, 13);
    const Tensor blocked = eq(tensor({{1, 0, 0}, {0, 1, 0}}), 1.0);
    const auto result = scaled_dot_product_attention(query, key, value, blocked);
    require_blocked_exactly_zero(result.weights, blocked);
    require_rows_are_distributions(result.weights);
}

TEST_CASE("mask table: a float mask is added to the scores (0 = unchanged, c multiplies the odds by e^c)", "[attention][mask-table]") {
    const Tensor query = randn({1, 1, 3}, 14), key = randn({1, 3, 3}, 15), value = randn({1, 3, 3}, 16);
    const Tensor none = scaled_dot_product_attention(query, key, value).weights;
    const Tensor zero = scaled_dot_product_attention(query, key, value, zeros({1, 3}, {.dtype = DType::Float64})).weights;
    CHECK(max_abs_difference(none, zero) == 0.0);
    const Tensor biased =
        scaled_dot_product_attention(query, key, value, tensor({{std::log(2.0), 0.0, 0.0}}, {.dtype = DType::Float64})).weights;
    const std::vector<double> a = none.to_vector<double>(), b = biased.to_vector<double>();
    CHECK(b[0] / b[1] == Approx(2 * a[0] / a[1]).epsilon(1e-12));  // key 0 became twice as likely relative to key 1
    CHECK(b[2] / b[1] == Approx(a[2] / a[1]).epsilon(1e-12));
}

TEST_CASE("mask table: a float -inf blocks exactly like bool true", "[attention][mask-table]") {
    const Tensor query = randn({1, 2, 3}, 17), key = randn({1, 3, 3}, 18), value = randn({1, 3, 3}, 19);
    const Tensor blocked = eq(tensor({{0, 0, 1}, {1, 0, 0}}), 1.0);
    const auto as_float = scaled_dot_product_attention(query, key, value, nn::to_additive_mask(blocked, DType::Float64));
    require_blocked_exactly_zero(as_float.weights, blocked);
}

TEST_CASE("mask table: causal_mask(T) lets query t see keys 0..t only", "[attention][mask-table]") {
    const Tensor x = randn({2, 4, 3}, 20);
    const auto result = scaled_dot_product_attention(x, x, x, nn::causal_mask(4));
    require_blocked_exactly_zero(result.weights, nn::causal_mask(4));
    // Query 0 sees only key 0: its output is value 0.
    CHECK(max_abs_difference(select(result.output, 1, 0), select(x, 1, 0)) < 1e-15);
}

TEST_CASE("mask table: key padding (B, S) blocks PAD keys for every query — PAD queries still get outputs",
          "[attention][mask-table]") {
    const Tensor x = randn({2, 3, 4}, 21);
    const Tensor pad = eq(tensor({{0, 0, 1}, {0, 1, 1}}), 1.0);                // (B, S)
    const Tensor mask = nn::combine_masks(Tensor(), pad);                       // (B, 1, 1, S)
    const auto result = scaled_dot_product_attention(x, x, x, squeeze(mask, 1)); // scores (B, T, S)
    require_blocked_exactly_zero(result.weights, squeeze(mask, 1));
    // The rows of PAD queries are ordinary distributions (the loss ignores those positions).
    require_rows_are_distributions(result.weights);
    CHECK(max(abs(select(select(result.output, 0, 1), 0, 2))).item() > 0);
}

TEST_CASE("mask table: causal + target padding (decoder self-attention) blocks the union", "[attention][mask-table]") {
    const Tensor x = randn({2, 4, 4}, 22);
    const Tensor pad = eq(tensor({{0, 0, 0, 1}, {0, 0, 1, 1}}), 1.0);
    const Tensor mask = nn::combine_masks(nn::causal_mask(4), pad);  // (B, 1, T, T)
    const auto result = scaled_dot_product_attention(unsqueeze(x, 1), unsqueeze(x, 1), unsqueeze(x, 1), mask);
    require_blocked_exactly_zero(result.weights, logical_or(nn::causal_mask(4), pad.reshape({2, 1, 1, 4})));
}

TEST_CASE("mask table: cross-attention (T != S) with source padding, no causal mask", "[attention][mask-table]") {
    const Tensor query = randn({2, 1, 3, 4}, 23);   // decoder positions, T = 3
    const Tensor memory = randn({2, 1, 5, 4}, 24);  // encoder positions, S = 5
    const Tensor pad = eq(tensor({{0, 0, 0, 0, 1}, {0, 0, 1, 1, 1}}), 1.0);
    const Tensor mask = nn::combine_masks(Tensor(), pad);  // (B, 1, 1, S)
    const auto result = scaled_dot_product_attention(query, memory, memory, mask);
    REQUIRE(result.weights.shape() == Shape{2, 1, 3, 5});
    require_blocked_exactly_zero(result.weights, mask);
}

TEST_CASE("mask table: bool attn_mask + additive key padding combine into one additive mask", "[attention][mask-table]") {
    const Tensor x = randn({1, 1, 3, 2}, 25);
    const Tensor pad_additive = tensor({{0.0, 0.0, -kInf}}, {.dtype = DType::Float64});
    const Tensor mask = nn::combine_masks(nn::causal_mask(3), pad_additive);
    REQUIRE(mask.dtype() == DType::Float64);
    const auto result = scaled_dot_product_attention(x, x, x, mask);
    require_blocked_exactly_zero(result.weights, logical_or(nn::causal_mask(3), eq(tensor({{0, 0, 1}}), 1.0)));
}

TEST_CASE("mask table: fully masked row -> weights 0, output 0, gradient 0", "[attention][mask-table]") {
    const Tensor x = randn({1, 2, 2}, 26, true);
    const Tensor blocked = eq(tensor({{1, 1}, {0, 1}}), 1.0);  // query 0 sees nothing
    const auto result = scaled_dot_product_attention(x, x, x, blocked);
    CHECK(max(abs(select(result.output, 1, 0))).item() == 0.0);
    select(result.output, 1, 0).sum().backward();
    CHECK(max(abs(x.grad())).item() == 0.0);
}

TEST_CASE("SDPA: dropout on the weights in training only — the returned weights are before dropout", "[attention]") {
    const Tensor query = randn({2, 3, 4}, 27), key = randn({2, 6, 4}, 28), value = randn({2, 6, 4}, 29);
    Generator generator(5);
    const auto eval = scaled_dot_product_attention(query, key, value, {}, 0.5, false, &generator);
    const auto train = scaled_dot_product_attention(query, key, value, {}, 0.5, true, &generator);
    CHECK(max_abs_difference(eval.weights, train.weights) == 0.0);
    CHECK(max_abs_difference(eval.output, train.output) > 1e-3);
    REQUIRE_THROWS_WITH(scaled_dot_product_attention(query, key, value, {}, 0.5, true, nullptr),
                        Contains("scaled_dot_product_attention") && Contains("Generator"));
}

TEST_CASE("SDPA: errors name the function and the offending shapes", "[attention]") {
    const Tensor query = randn({2, 3, 4}, 30), key = randn({2, 5, 4}, 31), value = randn({2, 5, 6}, 32);
    REQUIRE_THROWS_WITH(scaled_dot_product_attention(query, randn({2, 5, 3}, 1), value),
                        Contains("scaled_dot_product_attention") && Contains("[2, 3, 4]") && Contains("[2, 5, 3]"));
    REQUIRE_THROWS_WITH(scaled_dot_product_attention(query, key, randn({2, 4, 6}, 1)),
                        Contains("scaled_dot_product_attention") && Contains("[2, 5, 4]") && Contains("[2, 4, 6]"));
    REQUIRE_THROWS_WITH(scaled_dot_product_attention(query, key, value, zeros({3, 4}, {.dtype = DType::Bool})),
                        Contains("scaled_dot_product_attention") && Contains("[3, 4]") && Contains("[2, 3, 5]"));
    REQUIRE_THROWS_WITH(scaled_dot_product_attention(query, key, value, zeros({3, 5}, {.dtype = DType::Int64})),
                        Contains("bool") && Contains("int64"));
    REQUIRE_THROWS_WITH(scaled_dot_product_attention(query, randn({3, 5, 4}, 1), randn({3, 5, 6}, 1)),
                        Contains("scaled_dot_product_attention") && Contains("[2]") && Contains("[3]"));
}

TEST_CASE("SDPA: the fused path gives the composed path's output, weights and gradients, dropout included", "[attention]") {
    Generator data(21);
    const Tensor query = normal({2, 4, 6, 8}, 0, 1, data), key = normal({2, 4, 7, 8}, 0, 1, data);
    const Tensor value = normal({2, 4, 7, 5}, 0, 1, data), upstream = normal({2, 4, 6, 5}, 0, 1, data);
    const Tensor blocked = nn::combine_masks(nn::causal_mask(6, 7), eq(from_vector<int64_t>({1, 1, 1, 1, 1, 0, 0,
                                                                                             1, 1, 1, 1, 1, 1, 1}, {2, 7}), 0.0),
                                             "test");
    for (const double p : {0.0, 0.3}) {
        std::vector<std::vector<float>> results;
        for (const bool weights_need_grad : {true, false}) {  // composed, then fused
            const Tensor q = query.detach().requires_grad_(), k = key.detach().requires_grad_(), v = value.detach().requires_grad_();
            Generator generator(5);
            const auto attention = scaled_dot_product_attention(q, k, v, blocked, p, true, &generator, weights_need_grad);
            (attention.output * upstream).sum().backward();
            const bool fused = !weights_need_grad && kernels::kernel_mode() != kernels::KernelMode::Reference;
            CHECK(attention.weights.requires_grad() == !fused);
            results.push_back(attention.output.to_vector<float>());
            results.push_back(attention.weights.to_vector<float>());
            for (const Tensor& input : {q, k, v}) results.push_back(input.grad().to_vector<float>());
        }
        INFO("dropout p = " << p);
        for (std::size_t i = 0; i < 5; ++i) {
            double worst = 0;
            for (std::size_t j = 0; j < results[i].size(); ++j) worst = std::max(worst, double(std::abs(results[i][j] - results[i + 5][j])));
            CHECK(worst <= 1e-6);  // output and weights are bit-identical; gradients may round differently
        }
        CHECK(results[0] == results[5]);
        CHECK(results[1] == results[6]);
    }
}

TEST_CASE("fused attention writes heads split out of (B, T, H, D) back in that order: merging them is a view", "[attention]") {
    Generator data(4);
    const Tensor projected_query = normal({2, 6, 3, 4}, 0, 1, data).requires_grad_();  // (B, T, H, D)
    const Tensor projected_key = normal({2, 7, 3, 4}, 0, 1, data).requires_grad_();
    const Tensor projected_value = normal({2, 7, 3, 4}, 0, 1, data).requires_grad_();
    const Tensor query = projected_query.transpose(1, 2), key = projected_key.transpose(1, 2),
                 value = projected_value.transpose(1, 2);  // (B, H, T, D) views
    const auto attention = scaled_dot_product_attention(query, key, value, nn::causal_mask(6, 7), 0.0, true, nullptr,
                                                        /*weights_need_grad=*/false);
    const bool fused = kernels::kernel_mode() != kernels::KernelMode::Reference;
    // The output is (B, H, T, D) in (B, T, H, D) memory, so transposing it back is contiguous.
    CHECK(attention.output.transpose(1, 2).is_contiguous() == fused);
    const Tensor upstream = normal({2, 6, 3, 4}, 0, 1, data);
    (attention.output.transpose(1, 2) * upstream).sum().backward();
    // Against the composed path on contiguous copies of the same heads.
    const Tensor q = query.detach().contiguous().requires_grad_(), k = key.detach().contiguous().requires_grad_(),
                 v = value.detach().contiguous().requires_grad_();
    const auto composed = scaled_dot_product_attention(q, k, v, nn::causal_mask(6, 7), 0.0, true, nullptr, true);
    (composed.output * upstream.transpose(1, 2)).sum().backward();
    CHECK(attention.output.to_vector<float>() == composed.output.to_vector<float>());
    for (const auto& [split, contiguous] : {std::pair{projected_query, q}, {projected_key, k}, {projected_value, v}}) {
        const std::vector<float> fused_grad = split.grad().transpose(1, 2).to_vector<float>();
        const std::vector<float> composed_grad = contiguous.grad().to_vector<float>();
        double worst = 0;
        for (std::size_t i = 0; i < fused_grad.size(); ++i)
            worst = std::max(worst, double(std::abs(fused_grad[i] - composed_grad[i])));
        CHECK(worst <= 1e-6);
    }
}
