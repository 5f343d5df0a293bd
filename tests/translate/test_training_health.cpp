// Training health: parameter groups by name, update ratios, non-finite gradients, the clip factor, columns.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "autograd/autograd.h"
#include "base/generator.h"
#include "examples/translate/training_health.h"
#include "nn/seq2seq.h"

using namespace tapegrad;
using namespace tapegrad::translate;

namespace {

std::shared_ptr<nn::Seq2SeqTransformer> tiny_model(bool tied) {
    Generator generator(0);
    return std::make_shared<nn::Seq2SeqTransformer>(
        nn::Seq2SeqTransformerOptions{.source_vocab_size = 11, .target_vocab_size = 13, .embed_dim = 8, .num_heads = 2,
                                      .num_encoder_layers = 1, .num_decoder_layers = 1, .ff_dim = 16,
                                      .tie_target_embeddings = tied},
        generator);
}

}  // namespace

TEST_CASE("ParameterGroups: embeddings together, then encoder, decoder and output projection",
          "[translate][training_health]") {
    CHECK(ParameterGroups(*tiny_model(false)).names() ==
          std::vector<std::string>{"embedding", "encoder", "decoder", "output_projection"});
    CHECK(ParameterGroups(*tiny_model(true)).names() == std::vector<std::string>{"embedding", "encoder", "decoder"});
    CHECK(health_columns(ParameterGroups(*tiny_model(true))) ==
          std::vector<std::string>{"grad_norm", "clip_factor", "nonfinite", "update_ratio_embedding",
                                   "update_ratio_encoder", "update_ratio_decoder"});
}

TEST_CASE("ParameterGroups::update_ratios is ‖Δw‖ / ‖w‖ per group", "[translate][training_health]") {
    auto model = tiny_model(false);
    const ParameterGroups groups(*model);
    const auto before = groups.snapshot();
    CHECK(groups.update_ratios(before) == std::vector<double>{0, 0, 0, 0});

    // Scale every decoder parameter by 1.01: Δw = 0.01 w, so the decoder's ratio is 0.01 and no other moves.
    {
        NoGradGuard no_grad;
        for (auto& [name, parameter] : model->named_parameters())
            if (name.starts_with("decoder.")) parameter.copy_(parameter * 1.01);
    }
    const std::vector<double> ratios = groups.update_ratios(before);
    CHECK(ratios[0] == 0);
    CHECK(ratios[1] == 0);
    CHECK(ratios[2] == Approx(0.01).epsilon(1e-5));
    CHECK(ratios[3] == 0);
    REQUIRE_THROWS_WITH(groups.update_ratios({}), Catch::Contains("update_ratios") && Catch::Contains("0 parameters"));
}

TEST_CASE("count_nonfinite_gradients counts NaN and ±inf, skipping parameters without a gradient",
          "[translate][training_health]") {
    Tensor a = zeros({3}, {.requires_grad = true});
    Tensor b = zeros({2}, {.requires_grad = true});
    Tensor c = zeros({2}, {.requires_grad = true});
    a.set_grad(tensor({1.0f, std::nanf(""), -std::numeric_limits<float>::infinity()}));
    b.set_grad(tensor({std::numeric_limits<float>::infinity(), 2.0f}));
    CHECK(count_nonfinite_gradients({a, b, c}) == 3);
    b.set_grad(tensor({0.0f, 2.0f}));
    a.set_grad(tensor({0.0f, 1.0f, 2.0f}));
    CHECK(count_nonfinite_gradients({a, b, c}) == 0);
}

TEST_CASE("clip_factor is what clip_grad_norm scales by: min(1, clip / norm), 1 when off or not finite",
          "[translate][training_health]") {
    CHECK(clip_factor(4.0, 1.0) == Approx(0.25).epsilon(1e-6));
    CHECK(clip_factor(0.5, 1.0) == 1.0);
    CHECK(clip_factor(4.0, 0.0) == 1.0);
    CHECK(clip_factor(std::numeric_limits<double>::quiet_NaN(), 1.0) == 1.0);
    CHECK(clip_factor(std::numeric_limits<double>::infinity(), 1.0) == 1.0);
}

TEST_CASE("health_values names each measurement by its column", "[translate][training_health]") {
    const ParameterGroups groups(*tiny_model(true));
    const auto values =
        health_values(groups, {.grad_norm = 2.0, .clip_factor = 0.5, .nonfinite = 3, .update_ratios = {1e-3, 2e-3, 3e-3}});
    CHECK(values == std::map<std::string, double>{{"grad_norm", 2.0}, {"clip_factor", 0.5}, {"nonfinite", 3.0},
                                                  {"update_ratio_embedding", 1e-3}, {"update_ratio_encoder", 2e-3},
                                                  {"update_ratio_decoder", 3e-3}});
}
