// Transformer layers and stacks: torch's names, float64 gradients (post-norm and pre-norm, every mask),
// causality of the decoder, and the options' validation.
#include <catch2/catch.hpp>

#include "attention_test_helpers.h"

using namespace tapegrad;
using namespace attention_test;
using Catch::Contains;

namespace {
constexpr int64_t B = 2, T = 3, S = 4, E = 4, H = 2, F = 6;  // F = ff_dim

nn::TransformerLayerOptions layer_options(bool norm_first, nn::Activation activation = nn::Activation::ReLU) {
    return {.embed_dim = E, .num_heads = H, .ff_dim = F, .dropout = 0.0, .activation = activation, .norm_first = norm_first};
}

// LayerNorm weights and attention biases away from their 1 / 0 init, so their gradients are tested.
void perturb_parameters(nn::Module& module, uint64_t seed) {
    NoGradGuard no_grad;
    for (auto& [name, parameter] : module.named_parameters())
        if (name.ends_with("bias") || name.find("norm") != std::string::npos)
            parameter.copy_(parameter + randn(parameter.shape(), seed++) * 0.3);
}

std::vector<std::string> parameter_names(const nn::Module& module) {
    std::vector<std::string> names;
    for (auto& [name, p] : module.named_parameters()) names.push_back(name);
    return names;
}

std::vector<std::string> attention_names(const std::string& prefix) {
    std::vector<std::string> names;
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"})
        for (const char* p : {"weight", "bias"}) names.push_back(prefix + "." + proj + "." + p);
    return names;
}

Tensor source_padding() { return eq(tensor({{0, 0, 0, 1}, {0, 0, 1, 1}}), 1.0); }  // (B, S)
Tensor target_padding() { return eq(tensor({{0, 0, 1}, {0, 0, 0}}), 1.0); }        // (B, T)
}  // namespace

TEST_CASE("TransformerEncoderLayer and DecoderLayer: parameter names match torch's", "[transformer]") {
    Generator generator(0);
    nn::TransformerEncoderLayer encoder(layer_options(false), generator);
    std::vector<std::string> expected = attention_names("self_attn");
    for (const char* n : {"linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias",
                          "norm2.weight", "norm2.bias"})
        expected.push_back(n);
    CHECK(parameter_names(encoder) == expected);

    nn::TransformerDecoderLayer decoder(layer_options(false), generator);
    expected = attention_names("self_attn");
    for (auto& n : attention_names("multihead_attn")) expected.push_back(n);
    for (const char* n : {"linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias",
                          "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"})
        expected.push_back(n);
    CHECK(parameter_names(decoder) == expected);

    nn::TransformerEncoder stack({.layer = layer_options(true), .num_layers = 2, .final_norm = true}, generator);
    const auto names = parameter_names(stack);
    CHECK(names.front() == "layers.0.self_attn.q_proj.weight");
    CHECK(std::find(names.begin(), names.end(), "layers.1.norm2.bias") != names.end());
    CHECK(names.back() == "norm.bias");
    CHECK(nn::attention_modules(stack).size() == 2);
    CHECK(nn::attention_modules(stack)[1].first == "layers.1.self_attn");
}

TEST_CASE("TransformerEncoderLayer: float64 gradients, post-norm and pre-norm, with source padding", "[transformer]") {
    for (const bool norm_first : {false, true}) {
        DYNAMIC_SECTION((norm_first ? "pre-norm, gelu" : "post-norm, relu")) {
            auto layer = make_float64<nn::TransformerEncoderLayer>(
                layer_options(norm_first, norm_first ? nn::Activation::GELU : nn::Activation::ReLU));
            perturb_parameters(*layer, 10);
            const Tensor x = randn({B, S, E}, 1, true);
            require_gradcheck([&](const std::vector<Tensor>& in) { return layer->forward(in[0], {}, source_padding()); }, {x});
            require_parameter_gradcheck(*layer, [&] { return layer->forward(x.detach(), {}, source_padding()); });
        }
    }
}

TEST_CASE("TransformerDecoderLayer: float64 gradients of target, memory and parameters, every mask", "[transformer]") {
    for (const bool norm_first : {false, true}) {
        DYNAMIC_SECTION((norm_first ? "pre-norm" : "post-norm")) {
            auto layer = make_float64<nn::TransformerDecoderLayer>(layer_options(norm_first));
            perturb_parameters(*layer, 20);
            const Tensor x = randn({B, T, E}, 2, true), memory = randn({B, S, E}, 3, true);
            auto run = [&](const Tensor& target, const Tensor& mem) {
                return layer->forward(target, mem, nn::causal_mask(T), {}, target_padding(), source_padding());
            };
            require_gradcheck([&](const std::vector<Tensor>& in) { return run(in[0], in[1]); }, {x, memory});
            require_parameter_gradcheck(*layer, [&] { return run(x.detach(), memory.detach()); });
        }
    }
}

TEST_CASE("TransformerDecoderLayer: an additive memory_mask (T, S) in cross-attention", "[transformer]") {
    auto layer = make_float64<nn::TransformerDecoderLayer>(layer_options(false));
    const Tensor x = randn({B, T, E}, 4, true), memory = randn({B, S, E}, 5, true);
    const Tensor memory_mask = randn({T, S}, 6);
    require_gradcheck([&](const std::vector<Tensor>& in) {
        return layer->forward(in[0], in[1], nn::causal_mask(T), memory_mask);
    }, {x, memory});
}

TEST_CASE("TransformerDecoder: causal — target positions after t change nothing at or before t", "[transformer]") {
    Generator generator(3);
    auto decoder = make_float64<nn::TransformerDecoder>(
        nn::TransformerDecoderOptions{.layer = layer_options(false), .num_layers = 2, .final_norm = true});
    const Tensor x = randn({B, T, E}, 7, true), memory = randn({B, S, E}, 8);
    const Tensor out = decoder->forward(x, memory, nn::causal_mask(T), {}, {}, source_padding());
    Tensor changed = x.detach().clone();
    narrow(changed, 1, 1, T - 1).copy_(randn({B, T - 1, E}, 9));
    const Tensor out_changed = decoder->forward(changed, memory, nn::causal_mask(T), {}, {}, source_padding());
    CHECK(max_abs_difference(narrow(out_changed, 1, 0, 1), narrow(out, 1, 0, 1)) < 1e-14);
    CHECK(max_abs_difference(narrow(out_changed, 1, 1, 1), narrow(out, 1, 1, 1)) > 1e-6);
    narrow(out, 1, 0, 2).sum().backward();
    CHECK(max(abs(narrow(x.grad(), 1, 2, 1))).item() == 0.0);
}

TEST_CASE("TransformerEncoder: bidirectional — a later position changes earlier outputs", "[transformer]") {
    auto encoder = make_float64<nn::TransformerEncoder>(nn::TransformerEncoderOptions{.layer = layer_options(false), .num_layers = 1});
    const Tensor x = randn({1, S, E}, 10);
    Tensor changed = x.clone();
    narrow(changed, 1, S - 1, 1).copy_(randn({1, 1, E}, 11));
    CHECK(max_abs_difference(narrow(encoder->forward(changed), 1, 0, 1), narrow(encoder->forward(x), 1, 0, 1)) > 1e-6);
}

TEST_CASE("Transformer options are validated and errors name the module", "[transformer]") {
    Generator generator(0);
    REQUIRE_THROWS_WITH(nn::TransformerEncoderLayer({.embed_dim = 6, .num_heads = 4}, generator),
                        Contains("TransformerEncoderLayer") && Contains("num_heads"));
    REQUIRE_THROWS_WITH(nn::TransformerDecoderLayer({.embed_dim = 4, .num_heads = 2, .ff_dim = 0}, generator),
                        Contains("TransformerDecoderLayer") && Contains("ff_dim"));
    REQUIRE_THROWS_WITH(nn::TransformerEncoder({.layer = layer_options(false), .num_layers = 0}, generator),
                        Contains("TransformerEncoder") && Contains("num_layers"));
    nn::TransformerDecoderLayer layer(layer_options(false), generator);
    REQUIRE_THROWS_WITH(layer.forward(zeros({B, T, E}), zeros({B, S, E + 1})),
                        Contains("TransformerDecoderLayer") && Contains("[2, 4, 5]"));
}
