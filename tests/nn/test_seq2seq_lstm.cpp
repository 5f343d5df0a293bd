// Seq2SeqLSTM and GlobalAttention: shapes and torch-style names, float64 parameter gradients with each
// attention score, padding invariance, one-step decoding equal to the teacher-forced forward, beam rows,
// greedy decoding through the Seq2SeqModel interface (the Transformer's too).
#include <catch2/catch.hpp>

#include "attention_test_helpers.h"
#include "nn/greedy_decode.h"
#include "nn/seq2seq.h"
#include "nn/seq2seq_lstm.h"

using namespace tapegrad;
using namespace attention_test;
using Catch::Contains;

namespace {
constexpr int64_t kPad = 0;

nn::Seq2SeqLSTMOptions small_options(std::optional<nn::AttentionScore> attention, int64_t layers = 1) {
    return {.source_vocab_size = 7, .target_vocab_size = 6, .embed_dim = 3, .hidden_size = 4,
            .num_encoder_layers = layers, .num_decoder_layers = layers, .bidirectional_encoder = true,
            .dropout = 0.0, .attention = attention, .pad_id = kPad};
}

Tensor tokens(const NestedList& values) { return tensor(values, {.dtype = DType::Int64}); }

bool is_padding_row(const std::string& name, int64_t element) {
    return name.ends_with("_embedding.weight") && element / 3 == kPad;
}

Tensor source() { return tokens({{3, 4, 5, 6}, {2, 6, kPad, kPad}}); }  // (B, S), sequence 1 padded
Tensor target() { return tokens({{1, 2, 3}, {1, 5, 4}}); }              // (B, T)

const std::vector<std::optional<nn::AttentionScore>> kAttentions = {
    std::nullopt, nn::AttentionScore::Dot, nn::AttentionScore::General, nn::AttentionScore::Additive};
std::string name_of(const std::optional<nn::AttentionScore>& attention) {
    return attention ? nn::attention_score_name(*attention) : "none";
}
}  // namespace

TEST_CASE("Seq2SeqLSTM: shapes, parameter names and the attention module", "[seq2seq_lstm]") {
    auto model = make_float64<nn::Seq2SeqLSTM>(small_options(nn::AttentionScore::General, 2));
    const Tensor logits = model->forward(source(), target());
    REQUIRE(logits.shape() == Shape{2, 3, 6});
    std::vector<std::string> names;
    for (const auto& [name, parameter] : model->named_parameters()) names.push_back(name);
    CHECK(names.front() == "source_embedding.weight");
    CHECK(std::find(names.begin(), names.end(), "encoder.weight_ih_l1_reverse") != names.end());
    CHECK(std::find(names.begin(), names.end(), "decoder.weight_hh_l1") != names.end());
    CHECK(std::find(names.begin(), names.end(), "attention.linear_in.weight") != names.end());
    CHECK(names.back() == "output_projection.bias");
    // Encoder: H/2 per direction; decoder: H.
    CHECK(model->encoder().weights(0, 1).weight_hh.shape() == Shape{8, 2});
    CHECK(model->decoder().weights(0, 0).weight_hh.shape() == Shape{16, 4});

    const auto attention = model->cross_attention();
    REQUIRE(attention.size() == 1);
    attention[0]->record_weights = true;
    model->forward(source(), target());
    const Tensor weights = attention[0]->last_weights();  // (B, 1, T, S)
    REQUIRE(weights.shape() == Shape{2, 1, 3, 4});
    CHECK(max_abs_difference(sum(weights, {3}), ones({2, 1, 3}, {.dtype = DType::Float64})) < 1e-12);
    CHECK(max(abs(narrow(select(weights, 0, 1), 2, 2, 2))).item() == 0.0);  // PAD keys get no weight

    auto plain = make_float64<nn::Seq2SeqLSTM>(small_options(std::nullopt));
    CHECK(plain->cross_attention().empty());
    CHECK(plain->attention() == nullptr);

    Generator generator(0);
    REQUIRE_THROWS_WITH(nn::Seq2SeqLSTM({.source_vocab_size = 5, .target_vocab_size = 5, .hidden_size = 3}, generator),
                        Contains("Seq2SeqLSTM") && Contains("hidden_size") && Contains("3"));
    REQUIRE_THROWS_WITH(model->forward(tensor({{1.0, 2.0}}), target()), Contains("Seq2SeqLSTM") && Contains("int64"));
    REQUIRE_THROWS_WITH(nn::parse_attention_score("bilinear"), Contains("bilinear") && Contains("additive"));
    nn::GlobalAttention global({.hidden_size = 4}, generator);
    REQUIRE_THROWS_WITH(global.forward(zeros({2, 3, 4}), zeros({2, 5, 3})),
                        Contains("GlobalAttention") && Contains("[2, 5, 3]"));
}

TEST_CASE("Seq2SeqLSTM: float64 gradients of every parameter, with each attention score", "[seq2seq_lstm]") {
    for (const auto& attention : kAttentions) {
        DYNAMIC_SECTION("attention " << name_of(attention)) {
            auto model = make_float64<nn::Seq2SeqLSTM>(small_options(attention));
            require_parameter_gradcheck(*model, [&] { return model->forward(source(), target()); }, is_padding_row);
        }
    }
}

TEST_CASE("Seq2SeqLSTM: extra source padding changes no logits", "[seq2seq_lstm]") {
    auto model = make_float64<nn::Seq2SeqLSTM>(small_options(nn::AttentionScore::Additive));
    const Tensor short_source = tokens({{2, 6}});
    const Tensor padded_source = tokens({{2, 6, kPad, kPad, kPad}});
    const Tensor target_tokens = tokens({{1, 3, 4}});
    CHECK(max_abs_difference(model->forward(short_source, target_tokens), model->forward(padded_source, target_tokens)) < 1e-12);
}

TEST_CASE("Seq2SeqLSTM: decode_step, one position at a time, gives the teacher-forced forward's logits", "[seq2seq_lstm]") {
    for (const auto& attention : kAttentions) {
        DYNAMIC_SECTION("attention " << name_of(attention)) {
            auto model = make_float64<nn::Seq2SeqLSTM>(small_options(attention, 2));
            const Tensor target_tokens = tokens({{1, 2, 3, 4, 5}, {1, 5, 2, 2, 3}});
            const Tensor full = model->forward(source(), target_tokens);  // (B, 5, V)
            const auto state = model->start_decoding(source());
            std::vector<Tensor> steps;
            for (int64_t t = 0; t < 5; ++t) steps.push_back(model->decode_step(narrow(target_tokens, 1, t, 1), *state));
            const Tensor incremental = concat(steps, 1);
            INFO("max difference " << max_abs_difference(incremental, full));
            CHECK(max_abs_difference(incremental, full) < 1e-12);
        }
    }
}

TEST_CASE("Seq2SeqModel: select_rows expands and reorders the decoder state as beam search needs", "[seq2seq_lstm]") {
    auto lstm = make_float64<nn::Seq2SeqLSTM>(small_options(nn::AttentionScore::General));
    auto transformer = make_float64<nn::Seq2SeqTransformer>(nn::Seq2SeqTransformerOptions{
        .source_vocab_size = 7, .target_vocab_size = 6, .embed_dim = 4, .num_heads = 2, .num_encoder_layers = 1,
        .num_decoder_layers = 1, .ff_dim = 6, .dropout = 0.0, .max_len = 16, .pad_id = kPad});
    for (nn::Seq2SeqModel* model : std::initializer_list<nn::Seq2SeqModel*>{lstm.get(), transformer.get()}) {
        DYNAMIC_SECTION(model->type_name()) {
            const Tensor target_tokens = tokens({{1, 2, 3}, {1, 5, 4}});
            const Tensor full = model->forward(source(), target_tokens);  // (2, 3, V)
            // Decode rows (1, 0, 1) after the first step: a reordering with a duplicate, as a beam makes.
            const auto state = model->start_decoding(source());
            model->decode_step(narrow(target_tokens, 1, 0, 1), *state);
            const Tensor rows = tokens({1, 0, 1});
            state->select_rows(rows);
            const Tensor step1 = model->decode_step(index_select(narrow(target_tokens, 1, 1, 1), 0, rows), *state);
            CHECK(max_abs_difference(step1, index_select(narrow(full, 1, 1, 1), 0, rows)) < 1e-12);
        }
    }
}

TEST_CASE("greedy_decode: each step's token is the argmax of the forward on the prefix so far", "[seq2seq_lstm]") {
    auto model = make_float64<nn::Seq2SeqLSTM>(small_options(nn::AttentionScore::Dot));
    const int64_t bos = 1, eos = 2;
    const auto outputs = nn::greedy_decode(*model, source(), 6, bos, eos);
    REQUIRE(outputs.size() == 2);
    for (int64_t row = 0; row < 2; ++row) {
        std::vector<int64_t> prefix{bos};
        const Tensor one_source = narrow(source(), 0, row, 1);
        for (std::size_t t = 0; t <= outputs[row].size() && t < 6; ++t) {
            const Tensor logits = model->forward(one_source, from_vector(prefix, {1, static_cast<int64_t>(prefix.size())}));
            const int64_t best = argmax(select(select(logits, 0, 0), 0, static_cast<int64_t>(prefix.size()) - 1), -1).item<int64_t>();
            if (t == outputs[row].size()) {
                CHECK((t == 6 || best == eos));  // it stopped because the model said EOS (or at max_len)
                break;
            }
            CHECK(best == outputs[row][t]);
            prefix.push_back(best);
        }
    }
}
