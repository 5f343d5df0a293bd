// Seq2SeqTransformer: shapes and names, float64 parameter gradients, padding invariance, tied
// embeddings, and incremental decoding with the KeyValueCache giving the full decoder's logits.
#include <catch2/catch.hpp>

#include "attention_test_helpers.h"

using namespace tapegrad;
using namespace attention_test;
using Catch::Contains;

namespace {
constexpr int64_t kPad = 0;

nn::Seq2SeqTransformerOptions small_options(bool norm_first = false, bool tied = false, int64_t num_decoder_layers = 2) {
    return {.source_vocab_size = 7, .target_vocab_size = 6, .embed_dim = 4, .num_heads = 2, .num_encoder_layers = 1,
            .num_decoder_layers = num_decoder_layers, .ff_dim = 6, .dropout = 0.0, .norm_first = norm_first, .max_len = 16,
            .pad_id = kPad, .tie_target_embeddings = tied};
}

Tensor tokens(const NestedList& values) { return tensor(values, {.dtype = DType::Int64}); }

// The PAD rows of the embeddings get no gradient by design (padding_idx); skip them in gradchecks.
bool is_padding_row(const std::string& name, int64_t element) {
    return name.ends_with("_embedding.weight") && element / 4 == kPad;
}

Tensor source() { return tokens({{3, 4, 5, 6}, {2, 6, kPad, kPad}}); }  // (B, S), sequence 1 padded
Tensor target() { return tokens({{1, 2, 3}, {1, 5, kPad}}); }            // (B, T)
}  // namespace

TEST_CASE("Seq2SeqTransformer: shapes, submodule names and the attention modules by name", "[transformer]") {
    auto model = make_float64<nn::Seq2SeqTransformer>(small_options());
    const Tensor logits = model->forward(source(), target());
    REQUIRE(logits.shape() == Shape{2, 3, 6});
    REQUIRE(logits.dtype() == DType::Float64);
    std::vector<std::string> names;
    for (auto& [name, attention] : nn::attention_modules(*model)) names.push_back(name);
    CHECK(names == std::vector<std::string>{"encoder.layers.0.self_attn", "decoder.layers.0.self_attn",
                                            "decoder.layers.0.multihead_attn", "decoder.layers.1.self_attn",
                                            "decoder.layers.1.multihead_attn"});
    const auto parameters = model->named_parameters();
    CHECK(parameters.front().first == "source_embedding.weight");
    CHECK(parameters.back().first == "output_projection.bias");
    // PAD rows of both embeddings start at zero; the others have std 1/√E.
    CHECK(max(abs(select(model->source_embedding().weight(), 0, kPad))).item() == 0.0);
    CHECK(max(abs(select(model->target_embedding().weight(), 0, kPad))).item() == 0.0);
    Generator generator(0);
    REQUIRE_THROWS_WITH(nn::Seq2SeqTransformer({.source_vocab_size = 5, .target_vocab_size = 3, .pad_id = 3}, generator),
                        Contains("Seq2SeqTransformer") && Contains("pad_id"));
    REQUIRE_THROWS_WITH(model->encode(tensor({{1.0, 2.0}})), Contains("Seq2SeqTransformer") && Contains("int64"));
}

TEST_CASE("Seq2SeqTransformer: float64 gradients of every parameter", "[transformer]") {
    for (const bool norm_first : {false, true}) {
        DYNAMIC_SECTION((norm_first ? "pre-norm" : "post-norm")) {
            // One decoder layer: every parameter kind is there, at half the cost of finite differences.
            auto model = make_float64<nn::Seq2SeqTransformer>(small_options(norm_first, false, 1));
            require_parameter_gradcheck(*model, [&] { return model->forward(source(), target()); }, is_padding_row);
        }
    }
}

TEST_CASE("Seq2SeqTransformer: tied target embeddings serve as the output projection", "[transformer]") {
    auto model = make_float64<nn::Seq2SeqTransformer>(small_options(false, true, 1));
    CHECK(model->output_projection() == nullptr);
    CHECK(model->named_parameters().back().first == "decoder.norm.bias");
    require_parameter_gradcheck(*model, [&] { return model->forward(source(), target()); }, is_padding_row);
}

TEST_CASE("Seq2SeqTransformer: extra source padding changes no logits, and padded tokens get no gradient", "[transformer]") {
    auto model = make_float64<nn::Seq2SeqTransformer>(small_options());
    const Tensor short_source = tokens({{3, 4, 5}, {2, 6, kPad}});
    const Tensor long_source = tokens({{3, 4, 5, kPad, kPad}, {2, 6, kPad, kPad, kPad}});
    const Tensor a = model->forward(short_source, target());
    const Tensor b = model->forward(long_source, target());
    CHECK(max_abs_difference(a, b) < 1e-12);
    // The memory at PAD positions receives no gradient: cross-attention never reads it.
    Tensor memory = model->encode(long_source).detach();
    memory.requires_grad_(true);
    model->decode(target(), memory, long_source).sum().backward();
    CHECK(max(abs(narrow(memory.grad(), 1, 3, 2))).item() == 0.0);
    CHECK(max(abs(narrow(select(memory.grad(), 0, 1), 0, 2, 3))).item() == 0.0);
    // decode accepts the source padding mask in place of the source tokens.
    CHECK(max_abs_difference(model->decode(target(), memory, long_source),
                             model->decode(target(), memory, model->source_padding_mask(long_source))) == 0.0);
}

TEST_CASE("Seq2SeqTransformer: target logits at t do not depend on target tokens after t", "[transformer]") {
    auto model = make_float64<nn::Seq2SeqTransformer>(small_options());
    const Tensor a = model->forward(source(), tokens({{1, 2, 3}, {1, 5, 4}}));
    const Tensor b = model->forward(source(), tokens({{1, 2, 5}, {1, 3, 2}}));
    CHECK(max_abs_difference(narrow(a, 1, 0, 1), narrow(b, 1, 0, 1)) < 1e-14);
    CHECK(max_abs_difference(select(narrow(a, 1, 0, 2), 0, 0), select(narrow(b, 1, 0, 2), 0, 0)) < 1e-14);
}

TEST_CASE("KeyValueCache: step-by-step decoding gives the full decoder's logits", "[transformer]") {
    for (const bool norm_first : {false, true}) {
        DYNAMIC_SECTION((norm_first ? "pre-norm" : "post-norm")) {
            auto model = make_float64<nn::Seq2SeqTransformer>(small_options(norm_first));
            // Target with a PAD in the middle of sequence 1: its key must be blocked at every later step too.
            const Tensor target_tokens = tokens({{1, 2, 3, 4, 5}, {1, 5, kPad, 2, 3}});
            const Tensor memory = model->encode(source());
            const Tensor source_mask = model->source_padding_mask(source());
            const Tensor full = model->decode(target_tokens, memory, source_mask);  // (B, 5, V)

            nn::KeyValueCache cache;
            std::vector<Tensor> steps;
            Tensor cross_key;
            for (int64_t t = 0; t < 5; ++t) {
                steps.push_back(model->decode_step(narrow(target_tokens, 1, t, 1), memory, source_mask, cache, t));
                if (t == 0) cross_key = cache.layer(0).cross_attn.key;
                CHECK(cache.layer(0).cross_attn.key.is_same(cross_key));  // the memory's keys: computed once
                CHECK(cache.layer(1).self_attn.key.size(2) == t + 1);      // one more position per step
            }
            CHECK(cache.length() == 5);
            const Tensor incremental = concat(steps, 1);
            INFO("max difference " << max_abs_difference(incremental, full));
            CHECK(max_abs_difference(incremental, full) < 1e-12);

            // A prefix of several tokens at once, then single steps, gives the same too.
            nn::KeyValueCache chunked;
            const Tensor prefix = model->decode_step(narrow(target_tokens, 1, 0, 3), memory, source_mask, chunked, 0);
            const Tensor rest = model->decode_step(narrow(target_tokens, 1, 3, 2), memory, source_mask, chunked, 3);
            CHECK(max_abs_difference(concat({prefix, rest}, 1), full) < 1e-12);

            REQUIRE_THROWS_WITH(model->decode_step(narrow(target_tokens, 1, 0, 1), memory, source_mask, cache, 2),
                                Contains("decode_step") && Contains("position 2") && Contains("5"));
        }
    }
}

TEST_CASE("KeyValueCache: gradients flow through cached decoding as through the full decoder", "[transformer]") {
    auto model = make_float64<nn::Seq2SeqTransformer>(small_options());
    const Tensor target_tokens = tokens({{1, 2, 3}, {1, 5, 4}});
    Tensor memory = model->encode(source()).detach();
    const Tensor source_mask = model->source_padding_mask(source());
    memory.requires_grad_(true);
    model->decode(target_tokens, memory, source_mask).sum().backward();
    const Tensor full_grad = memory.grad();
    memory.zero_grad();
    nn::KeyValueCache cache;
    std::vector<Tensor> steps;
    for (int64_t t = 0; t < 3; ++t)
        steps.push_back(model->decode_step(narrow(target_tokens, 1, t, 1), memory, source_mask, cache, t));
    concat(steps, 1).sum().backward();
    CHECK(max_abs_difference(memory.grad(), full_grad) < 1e-12);
}

TEST_CASE("Seq2SeqTransformer under autocast: loss and every gradient within bfloat16's tolerance of float32",
          "[transformer][autocast][bfloat16]") {
    // bfloat16 keeps 8 significant bits: each rounded input is off by at most 2^-9 relative, and a product
    // summing k such terms in float32 is off by about 2^-9·√k relative for random signs. Through two layers
    // that stays within a few percent of the whole gradient (2.3 % here). One parameter's gradient can be
    // further off: a ReLU input near 0 that the rounding flips opens or closes a whole row (decoder linear1:
    // 10 %), and the key biases' gradients are 0 in exact arithmetic (softmax ignores a constant added to
    // every score) and only rounding noise otherwise. Hence: 5 % on the whole gradient; per parameter 15 %
    // of its own norm plus 1 % of the whole's. A product left in float32 by mistake would pass bounds like
    // these, so the first check is that autocast changed the numbers at all.
    Generator generator(3);
    nn::Seq2SeqTransformer model({.source_vocab_size = 11, .target_vocab_size = 9, .embed_dim = 16, .num_heads = 2,
                                  .num_encoder_layers = 1, .num_decoder_layers = 1, .ff_dim = 32, .dropout = 0.0,
                                  .max_len = 16, .pad_id = kPad},
                                 generator);
    const Tensor source_ids = tokens({{3, 4, 5, 6, 7}, {2, 6, 9, kPad, kPad}});
    const Tensor decoder_input = tokens({{1, 2, 3, 4}, {1, 5, 6, kPad}});
    const Tensor expected_output = tokens({{2, 3, 4, 8}, {5, 6, 8, kPad}});
    auto loss_and_gradients = [&](bool autocast_on) {
        model.zero_grad();
        Tensor loss;
        {
            AutocastGuard autocast(DType::BFloat16, autocast_on);
            const Tensor logits = model.forward(source_ids, decoder_input);  // (B, T, V)
            loss = cross_entropy(logits.reshape({-1, 9}), expected_output.reshape({-1}), {.ignore_index = kPad});
        }
        loss.backward();
        std::vector<std::pair<std::string, Tensor>> gradients;
        for (const auto& [name, parameter] : model.named_parameters())
            if (parameter.grad().defined()) gradients.emplace_back(name, parameter.grad().clone());
        return std::make_pair(loss.item(), gradients);
    };
    auto l2 = [](const Tensor& x) { return std::sqrt(sum(mul(x, x)).item()); };
    const auto [loss32, gradients32] = loss_and_gradients(false);
    const auto [loss16, gradients16] = loss_and_gradients(true);
    CHECK(loss16 != loss32);
    CHECK(std::abs(loss16 - loss32) / loss32 < 1e-2);
    REQUIRE(gradients16.size() == gradients32.size());
    double whole_squared = 0, whole_difference_squared = 0;
    for (std::size_t i = 0; i < gradients32.size(); ++i) {
        whole_squared += std::pow(l2(gradients32[i].second), 2);
        whole_difference_squared += std::pow(l2(sub(gradients16[i].second, gradients32[i].second)), 2);
    }
    const double whole = std::sqrt(whole_squared);
    CHECK(std::sqrt(whole_difference_squared) <= 5e-2 * whole);
    for (std::size_t i = 0; i < gradients32.size(); ++i) {
        CAPTURE(gradients32[i].first);
        REQUIRE(gradients16[i].second.dtype() == DType::Float32);  // master weights' gradients stay float32
        const double difference = l2(sub(gradients16[i].second, gradients32[i].second));
        CHECK(difference <= 0.15 * l2(gradients32[i].second) + 0.01 * whole);
    }
}
