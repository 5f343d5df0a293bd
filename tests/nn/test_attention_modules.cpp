// SelfAttention and MultiHeadAttention: float64 gradients of inputs and parameters in the three uses
// (encoder self-attention, decoder masked self-attention, cross-attention) with every mask kind, the
// causal and padding properties, one head == SelfAttention, and weight introspection by module name.
#include <catch2/catch.hpp>

#include "attention_test_helpers.h"

using namespace tapegrad;
using namespace attention_test;
using Catch::Contains;

namespace {
// B = 2, T = 3, S = 4, E = 4, H = 2: tiny, since gradcheck runs two forwards per input element.
constexpr int64_t B = 2, T = 3, S = 4, E = 4, H = 2;

std::shared_ptr<nn::MultiHeadAttention> make_mha(int64_t num_heads = H, uint64_t seed = 1) {
    auto mha = make_float64<nn::MultiHeadAttention>(nn::MultiHeadAttentionOptions{.embed_dim = E, .num_heads = num_heads}, seed);
    // Away from the zero-initialised biases, so that a bias gradient that is wrong is not also zero.
    NoGradGuard no_grad;
    uint64_t s = 100;
    for (auto& [name, parameter] : mha->named_parameters())
        if (name.ends_with("bias")) parameter.copy_(randn(parameter.shape(), s++) * 0.5);
    return mha;
}

Tensor source_padding() { return eq(tensor({{0, 0, 0, 1}, {0, 0, 1, 1}}), 1.0); }  // (B, S)
Tensor target_padding() { return eq(tensor({{0, 0, 1}, {0, 0, 0}}), 1.0); }        // (B, T)
}  // namespace

TEST_CASE("SelfAttention: gradients of x and of every parameter, unmasked and causal", "[attention]") {
    auto attention = make_float64<nn::SelfAttention>(nn::SelfAttentionOptions{.embed_dim = E});
    const Tensor x = randn({B, T, E}, 1, true);
    for (const bool causal : {false, true}) {
        DYNAMIC_SECTION((causal ? "causal" : "unmasked")) {
            const Tensor mask = causal ? nn::causal_mask(T) : Tensor();
            require_gradcheck([&](const std::vector<Tensor>& in) { return attention->forward(in[0], mask); }, {x});
            require_parameter_gradcheck(*attention, [&] { return attention->forward(x.detach(), mask); });
        }
    }
    std::vector<std::string> names;
    for (auto& [name, p] : attention->named_parameters()) names.push_back(name);
    CHECK(names == std::vector<std::string>{"query_proj.weight", "query_proj.bias", "key_proj.weight", "key_proj.bias",
                                            "value_proj.weight", "value_proj.bias"});
}

TEST_CASE("SelfAttention keeps its last weights as (B, 1, T, T)", "[attention]") {
    auto attention = make_float64<nn::SelfAttention>(nn::SelfAttentionOptions{.embed_dim = E});
    attention->forward(randn({B, T, E}, 2), nn::causal_mask(T));
    const Tensor weights = attention->last_weights();
    REQUIRE(weights.shape() == Shape{B, 1, T, T});
    CHECK(weights.to_vector<double>()[1] == 0.0);  // query 0 may not see key 1
    REQUIRE_THROWS_WITH(attention->forward(randn({B, T, 3}, 2)), Contains("SelfAttention") && Contains("[2, 3, 3]"));
}

TEST_CASE("MultiHeadAttention: options are validated with a clear message", "[attention]") {
    Generator generator(0);
    REQUIRE_THROWS_WITH(nn::MultiHeadAttention({.embed_dim = 6, .num_heads = 4}, generator),
                        Contains("MultiHeadAttention") && Contains("embed_dim (6)") && Contains("num_heads (4)"));
    REQUIRE_THROWS_WITH(nn::MultiHeadAttention({.embed_dim = 0, .num_heads = 1}, generator), Contains("embed_dim"));
    REQUIRE_THROWS_WITH(nn::MultiHeadAttention({.embed_dim = 4, .num_heads = 2, .dropout = 1.5}, generator),
                        Contains("dropout") && Contains("1.5"));
}

TEST_CASE("MultiHeadAttention: parameter names and Xavier/zero init as torch", "[attention]") {
    Generator generator(0);
    nn::MultiHeadAttention mha({.embed_dim = 8, .num_heads = 2}, generator);
    std::vector<std::string> names;
    for (auto& [name, p] : mha.named_parameters()) names.push_back(name);
    CHECK(names == std::vector<std::string>{"q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight",
                                            "v_proj.bias", "out_proj.weight", "out_proj.bias"});
    const double bound = std::sqrt(6.0 / 16);
    CHECK(max(abs(mha.q_proj().weight())).item() <= bound);
    CHECK(max(abs(mha.q_proj().bias())).item() == 0.0);
}

TEST_CASE("MultiHeadAttention: split_heads gives head h the features h·D to (h+1)·D − 1 — merge_heads undoes it", "[attention]") {
    auto mha = make_mha();
    const Tensor x = arange(0, B * T * E, 1, {.dtype = DType::Float64}).reshape({B, T, E});
    const Tensor heads = mha->split_heads(x);  // (B, H, T, D)
    REQUIRE(heads.shape() == Shape{B, H, T, E / H});
    // Batch 0, head 1, position 2 holds x[0, 2, 2:4].
    CHECK(select(select(select(heads, 0, 0), 0, 1), 0, 2).to_vector<double>() == std::vector<double>{10, 11});
    CHECK(max_abs_difference(mha->merge_heads(heads), x) == 0.0);
}

TEST_CASE("MultiHeadAttention: gradients in the three uses with every mask kind", "[attention]") {
    auto mha = make_mha();
    const Tensor x = randn({B, T, E}, 3, true);       // decoder/encoder positions
    const Tensor memory = randn({B, S, E}, 4, true);  // encoder output for cross-attention
    const Tensor value = randn({B, S, E}, 5, true);   // a value distinct from the key, to tell v_proj from k_proj

    struct Case {
        const char* name;
        bool cross;
        Tensor attn_mask;
        Tensor key_padding_mask;
    };
    const Tensor additive = randn({T, T}, 6);  // an additive (T, T) bias
    const std::vector<Case> cases{
        {"encoder self-attention, no mask", false, {}, {}},
        {"encoder self-attention, key_padding_mask", false, {}, target_padding()},
        {"decoder masked self-attention, causal bool", false, nn::causal_mask(T), {}},
        {"decoder masked self-attention, causal as additive -inf", false, nn::to_additive_mask(nn::causal_mask(T), DType::Float64), {}},
        {"self-attention, additive finite mask", false, additive, {}},
        {"decoder self-attention, causal + key_padding_mask", false, nn::causal_mask(T), target_padding()},
        {"per-sequence (B, 1, T, T) bool mask", false, nn::causal_mask(T).reshape({1, 1, T, T}).expand({B, 1, T, T}), {}},
        {"cross-attention, T != S", true, {}, {}},
        {"cross-attention with source key_padding_mask", true, {}, source_padding()},
    };
    for (const Case& c : cases) {
        SECTION(c.name) {
            if (c.cross) {
                auto run = [&](const Tensor& q, const Tensor& k, const Tensor& v) {
                    return mha->forward(q, k, v, c.attn_mask, c.key_padding_mask).output;
                };
                require_gradcheck([&](const std::vector<Tensor>& in) { return run(in[0], in[1], in[2]); }, {x, memory, value});
                require_parameter_gradcheck(*mha, [&] { return run(x.detach(), memory.detach(), value.detach()); });
            } else {
                auto run = [&](const Tensor& h) { return mha->forward(h, h, h, c.attn_mask, c.key_padding_mask).output; };
                require_gradcheck([&](const std::vector<Tensor>& in) { return run(in[0]); }, {x});
                require_parameter_gradcheck(*mha, [&] { return run(x.detach()); });
            }
        }
    }
}

TEST_CASE("MultiHeadAttention: need_weights gives every head's (B, H, T, S) — rows sum to 1, blocked are 0", "[attention]") {
    auto mha = make_mha();
    const auto result = mha->forward(randn({B, T, E}, 7), randn({B, S, E}, 8), randn({B, S, E}, 9), {}, source_padding(), true);
    REQUIRE(result.weights.shape() == Shape{B, H, T, S});
    for (double s : sum(result.weights, {-1}).to_vector<double>()) CHECK(s == Approx(1).epsilon(1e-12));
    const std::vector<double> w = result.weights.to_vector<double>();
    const std::vector<int64_t> pad = source_padding().to_vector<int64_t>();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < H * T; ++i)
            for (int64_t s = 0; s < S; ++s)
                if (pad[b * S + s]) CHECK(w[(b * H * T + i) * S + s] == 0.0);
    CHECK(!mha->forward(randn({B, T, E}, 7), randn({B, S, E}, 8), randn({B, S, E}, 9)).weights.defined());
}

TEST_CASE("MultiHeadAttention: causal — later inputs change no earlier output and get no gradient from it", "[attention]") {
    auto mha = make_mha();
    const Tensor x = randn({B, T, E}, 10, true);
    const Tensor out = mha->forward(x, x, x, nn::causal_mask(T)).output;
    for (int64_t t = 0; t < T - 1; ++t) {
        // Change every position after t.
        Tensor changed = x.detach().clone();
        narrow(changed, 1, t + 1, T - t - 1).copy_(randn({B, T - t - 1, E}, 11 + t));
        const Tensor out_changed = mha->forward(changed, changed, changed, nn::causal_mask(T)).output;
        CHECK(max_abs_difference(narrow(out_changed, 1, 0, t + 1), narrow(out, 1, 0, t + 1)) == 0.0);
        // d(outputs ≤ t)/d(inputs > t) = 0.
        x.zero_grad();
        const Tensor prefix = narrow(mha->forward(x, x, x, nn::causal_mask(T)).output, 1, 0, t + 1);
        prefix.sum().backward();
        CHECK(max(abs(narrow(x.grad(), 1, t + 1, T - t - 1))).item() == 0.0);
        CHECK(max(abs(narrow(x.grad(), 1, 0, t + 1))).item() > 0.0);
    }
}

TEST_CASE("MultiHeadAttention: padded source positions influence nothing", "[attention]") {
    auto mha = make_mha();
    const Tensor query = randn({B, T, E}, 12);
    const Tensor memory = randn({B, S, E}, 13, true);
    const Tensor out = mha->forward(query, memory, memory, {}, source_padding()).output;
    out.sum().backward();
    // Whatever sits at a PAD position of the memory: no effect on the output, no gradient.
    Tensor changed = memory.detach().clone();
    narrow(select(changed, 0, 0), 0, 3, 1).copy_(randn({1, E}, 14) * 100);
    narrow(select(changed, 0, 1), 0, 2, 2).copy_(randn({2, E}, 15) * 100);
    CHECK(max_abs_difference(mha->forward(query, changed, changed, {}, source_padding()).output, out) < 1e-14);
    CHECK(max(abs(narrow(select(memory.grad(), 0, 0), 0, 3, 1))).item() == 0.0);
    CHECK(max(abs(narrow(select(memory.grad(), 0, 1), 0, 2, 2))).item() == 0.0);
}

TEST_CASE("MultiHeadAttention: a fully masked query row outputs out_proj's bias, with zero gradient and no NaN", "[attention]") {
    auto mha = make_mha();
    const Tensor x = randn({B, T, E}, 16, true);
    const Tensor blocked = eq(tensor({{1, 1, 1}, {0, 1, 1}, {0, 0, 1}}), 1.0);  // query 0 sees nothing
    const Tensor out = mha->forward(x, x, x, blocked).output;
    REQUIRE(all_finite_values(out));
    // The heads output 0 for query 0; out_proj(0) is its bias.
    CHECK(max_abs_difference(select(select(out, 0, 0), 0, 0), mha->out_proj().bias()) < 1e-15);
    select(out, 1, 0).sum().backward();
    REQUIRE(all_finite_values(x.grad()));
    CHECK(max(abs(x.grad())).item() == 0.0);
    require_gradcheck([&](const std::vector<Tensor>& in) { return mha->forward(in[0], in[0], in[0], blocked).output; }, {x});
}

TEST_CASE("MultiHeadAttention with one head equals SelfAttention with the same weights", "[attention]") {
    auto mha = make_mha(1);
    auto single = make_float64<nn::SelfAttention>(nn::SelfAttentionOptions{.embed_dim = E}, 2);
    {
        NoGradGuard no_grad;
        single->query_proj().weight().copy_(mha->q_proj().weight());
        single->query_proj().bias().copy_(mha->q_proj().bias());
        single->key_proj().weight().copy_(mha->k_proj().weight());
        single->key_proj().bias().copy_(mha->k_proj().bias());
        single->value_proj().weight().copy_(mha->v_proj().weight());
        single->value_proj().bias().copy_(mha->v_proj().bias());
        mha->out_proj().weight().copy_(eye(E, {.dtype = DType::Float64}));  // out_proj = identity
        mha->out_proj().bias().fill_(0.0);
    }
    const Tensor x = randn({B, T, E}, 17);
    const Tensor mask = nn::causal_mask(T);
    const auto multi = mha->forward(x, x, x, mask, {}, true);
    CHECK(max_abs_difference(multi.output, single->forward(x, mask)) < 1e-14);
    CHECK(max_abs_difference(multi.weights, single->last_weights()) < 1e-14);
}

TEST_CASE("MultiHeadAttention: attention dropout acts in training only", "[attention]") {
    Generator generator(3);
    nn::MultiHeadAttention mha({.embed_dim = E, .num_heads = H, .dropout = 0.5}, generator);
    const Tensor x = randn({B, T, E}, 18).to(DType::Float32);
    mha.eval();
    const Tensor a = mha.forward(x, x, x).output, b = mha.forward(x, x, x).output;
    CHECK(max(abs(a - b)).item() == 0.0);
    mha.train();
    CHECK(max(abs(mha.forward(x, x, x).output - a)).item() > 1e-4);
}

TEST_CASE("MultiHeadAttention: shape errors name the module and the shapes", "[attention]") {
    auto mha = make_mha();
    const Tensor x = randn({B, T, E}, 19), memory = randn({B, S, E}, 20);
    REQUIRE_THROWS_WITH(mha->forward(x, memory, randn({B, S + 1, E}, 1)),
                        Contains("MultiHeadAttention") && Contains("[2, 4, 4]") && Contains("[2, 5, 4]"));
    REQUIRE_THROWS_WITH(mha->forward(x, memory, memory, {}, target_padding()),
                        Contains("MultiHeadAttention") && Contains("key_padding_mask") && Contains("[2, 3]"));
    REQUIRE_THROWS_WITH(mha->forward(x, memory, memory, nn::causal_mask(T)),
                        Contains("MultiHeadAttention") && Contains("attn_mask") && Contains("[3, 3]"));
}

namespace {
// Two attention modules under names, as a model holds them.
class TwoAttentions : public nn::Module {
public:
    TwoAttentions() {
        Generator generator(7);
        encoder = register_module("encoder", std::make_shared<nn::MultiHeadAttention>(
                                                 nn::MultiHeadAttentionOptions{.embed_dim = E, .num_heads = H}, generator));
        head = register_module("head", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = E, .out_features = 2}, generator));
        single = register_module("single", std::make_shared<nn::SelfAttention>(nn::SelfAttentionOptions{.embed_dim = E}, generator));
        to(DType::Float64);
    }
    std::string type_name() const override { return "TwoAttentions"; }
    Tensor forward(const Tensor& x) {
        return head->forward(single->forward(encoder->forward(x, x, x, nn::causal_mask(x.size(1))).output));
    }
    std::shared_ptr<nn::MultiHeadAttention> encoder;
    std::shared_ptr<nn::Linear> head;
    std::shared_ptr<nn::SelfAttention> single;
};
}  // namespace

TEST_CASE("attention_modules: weights and their gradients by module name, for any layer and head", "[attention]") {
    TwoAttentions model;
    const auto found = nn::attention_modules(model);
    REQUIRE(found.size() == 2);
    CHECK(found[0].first == "encoder");
    CHECK(found[1].first == "single");

    const Tensor x = randn({B, T, E}, 21);
    model.forward(x).sum().backward();
    CHECK(!found[0].second->last_weights().defined());  // not recorded unless asked

    for (auto& [name, attention] : found) attention->record_weights_grad = true;
    const Tensor out = model.forward(x);
    out.sum().backward();
    for (auto& [name, attention] : found) {
        INFO(name);
        const Tensor weights = attention->last_weights(), grad = attention->last_weights_grad();
        const int64_t heads = name == "encoder" ? H : 1;
        REQUIRE(weights.shape() == Shape{B, heads, T, T});
        REQUIRE(grad.defined());
        REQUIRE(grad.shape() == Shape{B, heads, T, T});
        CHECK(max(abs(grad)).item() > 0);
    }
    // The encoder's weights are causal: head 1, query 0 attends only to key 0.
    CHECK(select(select(select(select(found[0].second->last_weights(), 0, 0), 0, 1), 0, 0), 0, 0).item() == Approx(1.0));
    // For SelfAttention, output = W · value, so dL/dW = dL/doutput · valueᵀ, with dL/doutput the row sums
    // of the head's weight (L = Σ head(output)) and value = value_proj(encoder output).
    {
        NoGradGuard no_grad;
        const Tensor encoded = model.encoder->forward(x, x, x, nn::causal_mask(T)).output;       // (B, T, E)
        const Tensor value = model.single->value_proj().forward(encoded);                        // (B, T, E)
        const Tensor doutput = expand(sum(model.head->weight(), {0}), {B, T, E});                // (B, T, E)
        const Tensor expected = matmul(doutput, transpose(value, 1, 2)).reshape({B, 1, T, T});   // (B, 1, T, T)
        CHECK(max_abs_difference(found[1].second->last_weights_grad(), expected) < 1e-12);
    }
    for (auto& [name, attention] : found) attention->record_weights_grad = false, attention->record_weights = false;
    CHECK(max_abs_difference(model.forward(x), out) == 0.0);
}
