// Per-head statistics on hand-made weight matrices whose answers are known: uniform, identity, shifted,
// diagonal and reversed cross-attention, padding, EOS, several sentences, a (B, H, T, S) tensor, the words
// and the CSV.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "nn/head_statistics.h"

using namespace tapegrad;
using namespace tapegrad::nn;
using Catch::Contains;

namespace {

// A (T, S) matrix from a rule w(t, s).
HeadWeights matrix(int64_t T, int64_t S, const std::function<double(int64_t, int64_t)>& w, bool causal = false) {
    HeadWeights out{.queries = T, .keys = S, .causal = causal};
    for (int64_t t = 0; t < T; ++t)
        for (int64_t s = 0; s < S; ++s) out.weights.push_back(w(t, s));
    return out;
}

HeadWeights identity(int64_t T) { return matrix(T, T, [](int64_t t, int64_t s) { return t == s ? 1.0 : 0.0; }); }

}  // namespace

TEST_CASE("head statistics: uniform self-attention has entropy 1 and spreads 1/S everywhere", "[nn][head_statistics]") {
    const HeadStatistics s =
        head_statistics(AttentionKind::encoder_self, 1, 2, {matrix(4, 4, [](int64_t, int64_t) { return 0.25; })});
    CHECK(s.layer == 1);
    CHECK(s.head == 2);
    CHECK(s.rows == 4);
    CHECK(s.entropy == Approx(1.0).margin(1e-12));
    CHECK(s.weight_on_same == Approx(0.25));
    CHECK(s.weight_on_previous == Approx(0.25));
    CHECK(s.weight_on_next == Approx(0.25));
    CHECK(s.weight_on_first == Approx(0.25));
    // Mean |t − s| per row: 1.5, 1, 1, 1.5.
    CHECK(s.mean_distance == Approx(1.25));
    CHECK(std::isnan(s.weight_on_eos));  // no EOS key given
    CHECK(std::isnan(s.monotonicity));   // self-attention
    CHECK(describe_head(s) == "diffuse: spreads its weight over most keys (entropy 1.00)");
}

TEST_CASE("head statistics: the identity has entropy 0, distance 0 and all its weight on the same position",
          "[nn][head_statistics]") {
    const HeadStatistics s = head_statistics(AttentionKind::encoder_self, 0, 0, {identity(5)});
    CHECK(s.entropy == Approx(0.0).margin(1e-12));
    CHECK(s.mean_distance == Approx(0.0).margin(1e-12));
    CHECK(s.weight_on_same == Approx(1.0));
    CHECK(s.weight_on_previous == Approx(0.0).margin(1e-12));
    CHECK(s.weight_on_next == Approx(0.0).margin(1e-12));
    CHECK(s.weight_on_first == Approx(0.2));  // row 0 only, of 5
    CHECK(describe_head(s) == "looks at its own position (100% of its weight)");
}

TEST_CASE("head statistics: a causal shifted identity looks at the previous token, and the forced row 0 is left out",
          "[nn][head_statistics]") {
    // Row 0 may see only key 0: no choice, so it is not counted; rows 1..4 put everything on t − 1.
    const HeadWeights shifted =
        matrix(5, 5, [](int64_t t, int64_t s) { return (t == 0 && s == 0) || s == t - 1 ? 1.0 : 0.0; }, true);
    const HeadStatistics s = head_statistics(AttentionKind::decoder_self, 0, 0, {shifted});
    CHECK(s.rows == 4);
    CHECK(s.weight_on_previous == Approx(1.0));
    CHECK(s.weight_on_same == Approx(0.0).margin(1e-12));
    CHECK(s.entropy == Approx(0.0).margin(1e-12));
    CHECK(s.mean_distance == Approx(1.0));
    CHECK(std::isnan(s.weight_on_next));  // a causal head never sees the next position
    CHECK(describe_head(s) == "looks at the previous token (100% of its weight)");
}

TEST_CASE("head statistics: causal uniform rows are normalised by the keys each row may see", "[nn][head_statistics]") {
    // Row t spreads 1/(t+1) over keys 0..t and leaves the blocked future at 0: entropy 1 for every counted row.
    const HeadWeights causal_uniform =
        matrix(6, 6, [](int64_t t, int64_t s) { return s <= t ? 1.0 / static_cast<double>(t + 1) : 0.0; }, true);
    const HeadStatistics s = head_statistics(AttentionKind::decoder_self, 0, 0, {causal_uniform});
    CHECK(s.rows == 5);
    CHECK(s.entropy == Approx(1.0).margin(1e-12));
    // Weight on BOS: mean of 1/2, 1/3, ..., 1/6.
    CHECK(s.weight_on_first == Approx((1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5 + 1.0 / 6) / 5));
    CHECK(describe_head(s) == "diffuse: spreads its weight over most keys (entropy 1.00)");
}

TEST_CASE("head statistics: diagonal cross-attention is monotone (+1), reversed is −1, uniform has no order",
          "[nn][head_statistics]") {
    const HeadStatistics diagonal = head_statistics(
        AttentionKind::cross, 0, 0, {matrix(5, 7, [](int64_t t, int64_t s) { return s == t + 1 ? 1.0 : 0.0; })});
    CHECK(diagonal.monotonicity == Approx(1.0));
    CHECK(diagonal.entropy == Approx(0.0).margin(1e-12));
    CHECK(std::isnan(diagonal.mean_distance));  // positions of two sequences: no distance
    CHECK(std::isnan(diagonal.weight_on_same));
    CHECK(describe_head(diagonal) == "aligns to the source left to right (monotonicity +1.00)");

    const HeadStatistics reversed = head_statistics(
        AttentionKind::cross, 0, 0, {matrix(5, 5, [](int64_t t, int64_t s) { return s == 4 - t ? 1.0 : 0.0; })});
    CHECK(reversed.monotonicity == Approx(-1.0));
    CHECK(describe_head(reversed) == "aligns to the source right to left (monotonicity -1.00)");

    const HeadStatistics uniform =
        head_statistics(AttentionKind::cross, 0, 0, {matrix(4, 6, [](int64_t, int64_t) { return 1.0 / 6; })});
    CHECK(std::isnan(uniform.monotonicity));  // every expected position equal: nothing to rank
    CHECK(uniform.entropy == Approx(1.0));
    CHECK(describe_head(uniform) == "diffuse: spreads its weight over most keys (entropy 1.00)");
}

TEST_CASE("head statistics: out-of-order sharp cross-attention has low monotonicity", "[nn][head_statistics]") {
    // A date: the year (source end) first, then the month (start), then the day (middle).
    const std::vector<int64_t> read = {8, 9, 0, 1, 4, 5};
    const HeadStatistics s = head_statistics(
        AttentionKind::cross, 0, 0, {matrix(6, 10, [&](int64_t t, int64_t s) { return s == read[t] ? 1.0 : 0.0; })});
    CHECK(std::abs(s.monotonicity) < kAlignedMinMonotonicity);
    CHECK_THAT(describe_head(s), Contains("sharp: reads one or two source tokens, out of order"));
}

TEST_CASE("head statistics: a staircase alignment (ties) is still close to monotone", "[nn][head_statistics]") {
    // Two target tokens per source token: expected positions 0 0 1 1 2 2, tied ranks averaged.
    const HeadStatistics s = head_statistics(
        AttentionKind::cross, 0, 0, {matrix(6, 3, [](int64_t t, int64_t s) { return s == t / 2 ? 1.0 : 0.0; })});
    // Ranks of t: 1..6; of e: 1.5 1.5 3.5 3.5 5.5 5.5; their Pearson correlation is 16/√(17.5·16) = 0.9562.
    CHECK(s.monotonicity == Approx(0.956183).margin(1e-5));
}

TEST_CASE("head statistics: PAD queries are ignored and PAD keys never count as visible", "[nn][head_statistics]") {
    // 3 real tokens of 4; rows 0..2 uniform over the 3 real keys, junk on the PAD key and in the PAD row.
    HeadWeights padded = matrix(4, 4, [](int64_t t, int64_t s) { return t == 3 ? (s == 3 ? 1.0 : 0.0) : (s == 3 ? 0.0 : 1.0 / 3); });
    padded.valid_queries = 3;
    padded.valid_keys = 3;
    const HeadStatistics s = head_statistics(AttentionKind::encoder_self, 0, 0, {padded});
    CHECK(s.rows == 3);
    CHECK(s.entropy == Approx(1.0).margin(1e-12));  // normalised by log 3, not log 4
    CHECK(s.weight_on_same == Approx(1.0 / 3));
    CHECK(s.weight_on_next == Approx(1.0 / 3));  // rows 0 and 1; row 2's next is PAD

    // A row with weight on a PAD key is renormalised over the real ones: [0.25 0.25 0 | 0.5] -> [0.5 0.5 0].
    HeadWeights leaky = matrix(1, 4, [](int64_t, int64_t s) { return s == 3 ? 0.5 : (s < 2 ? 0.25 : 0.0); });
    leaky.valid_keys = 3;
    CHECK(head_statistics(AttentionKind::cross, 0, 0, {leaky}).weight_on_first == Approx(0.5));

    // A fully masked row (all zeros) is skipped rather than dividing by zero.
    const HeadStatistics empty = head_statistics(AttentionKind::cross, 0, 0, {matrix(2, 3, [](int64_t, int64_t) { return 0.0; })});
    CHECK(empty.rows == 0);
    CHECK(std::isnan(empty.entropy));
    CHECK(describe_head(empty) == "no query has a choice to make");
}

TEST_CASE("head statistics: weight on EOS sums the EOS keys a row may see", "[nn][head_statistics]") {
    HeadWeights sentence = matrix(3, 4, [](int64_t, int64_t s) { return s == 3 ? 0.8 : 0.2 / 3; });
    sentence.eos_keys = {3};
    const HeadStatistics s = head_statistics(AttentionKind::cross, 0, 0, {sentence});
    CHECK(s.weight_on_eos == Approx(0.8));
    CHECK(describe_head(s) == "looks at EOS (80% of its weight)");
}

TEST_CASE("head statistics: several sentences pool their rows, and monotonicity weighs sentences by rows",
          "[nn][head_statistics]") {
    // Sentence 0: 2 rows on the same position; sentence 1: 4 rows uniform over 4 keys (same = 1/4).
    const HeadStatistics s =
        head_statistics(AttentionKind::encoder_self, 0, 0, {identity(2), matrix(4, 4, [](int64_t, int64_t) { return 0.25; })});
    CHECK(s.rows == 6);
    CHECK(s.weight_on_same == Approx((2 * 1.0 + 4 * 0.25) / 6));

    // Cross: a diagonal sentence of 3 rows (+1) and a reversed one of 5 rows (−1): (3 − 5) / 8.
    const HeadStatistics c = head_statistics(
        AttentionKind::cross, 0, 0,
        {matrix(3, 3, [](int64_t t, int64_t s) { return s == t ? 1.0 : 0.0; }),
         matrix(5, 5, [](int64_t t, int64_t s) { return s == 4 - t ? 1.0 : 0.0; })});
    CHECK(c.monotonicity == Approx(-0.25));
}

TEST_CASE("head statistics: bad input names the sentence and the values", "[nn][head_statistics]") {
    HeadWeights short_weights{.weights = {0.5, 0.5, 1.0}, .queries = 2, .keys = 2};
    CHECK_THROWS_WITH(head_statistics(AttentionKind::cross, 0, 0, {identity(2), short_weights}),
                      Contains("sentence 1") && Contains("T·S = 2·2 = 4") && Contains("got 3"));
    HeadWeights negative = identity(2);
    negative.weights[1] = -0.5;
    CHECK_THROWS_WITH(head_statistics(AttentionKind::cross, 0, 0, {negative}), Contains("weights[0][1] = -0.5"));
    HeadWeights bad_eos = identity(2);
    bad_eos.eos_keys = {2};
    CHECK_THROWS_WITH(head_statistics(AttentionKind::cross, 0, 0, {bad_eos}), Contains("EOS key position 2"));
    HeadWeights bad_valid = identity(2);
    bad_valid.valid_keys = 3;
    CHECK_THROWS_WITH(head_statistics(AttentionKind::cross, 0, 0, {bad_valid}), Contains("valid_keys") && Contains("got 3"));
}

TEST_CASE("head statistics: every head of a (B, H, T, S) tensor, with per-sequence lengths", "[nn][head_statistics]") {
    // B = 2, H = 2, T = S = 3. Head 0: identity; head 1: uniform over the valid keys. Sequence 1 has 2 tokens.
    std::vector<double> values;
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t h = 0; h < 2; ++h)
            for (int64_t t = 0; t < 3; ++t)
                for (int64_t s = 0; s < 3; ++s) {
                    const int64_t length = b == 0 ? 3 : 2;
                    values.push_back(h == 0 ? (t == s ? 1.0 : 0.0) : (s < length ? 1.0 / static_cast<double>(length) : 0.0));
                }
    const Tensor weights = from_vector(values, {2, 2, 3, 3});
    const std::vector<HeadStatistics> heads =
        module_head_statistics(AttentionKind::encoder_self, 1, weights, {3, 2}, {3, 2});
    REQUIRE(heads.size() == 2);
    CHECK(heads[0].head == 0);
    CHECK(heads[0].layer == 1);
    CHECK(heads[0].rows == 5);
    CHECK(heads[0].weight_on_same == Approx(1.0));
    CHECK(heads[1].entropy == Approx(1.0).margin(1e-12));

    CHECK_THROWS_WITH(module_head_statistics(AttentionKind::cross, 0, weights, {3}),
                      Contains("valid_queries") && Contains("B = 2") && Contains("got 1"));
    CHECK_THROWS_WITH(module_head_statistics(AttentionKind::cross, 0, from_vector(values, {4, 3, 3})),
                      Contains("(B, H, T, S)") && Contains("[4, 3, 3]"));
}

TEST_CASE("head statistics: the plain words for neighbours, sharp content heads and mixtures", "[nn][head_statistics]") {
    HeadStatistics local{.kind = AttentionKind::encoder_self, .rows = 4, .entropy = 0.5, .mean_distance = 1.2,
                         .weight_on_same = 0.3, .weight_on_previous = 0.3, .weight_on_next = 0.3, .weight_on_first = 0.1};
    CHECK(describe_head(local) == "looks at its neighbours (mean distance 1.2)");
    HeadStatistics sharp = local;
    sharp.entropy = 0.2;
    sharp.mean_distance = 4.0;
    sharp.weight_on_same = sharp.weight_on_previous = sharp.weight_on_next = 0.05;
    CHECK(describe_head(sharp) == "sharp: picks one or two keys by content (entropy 0.20, mean distance 4.0)");
    HeadStatistics mixed = sharp;
    mixed.entropy = 0.6;
    CHECK(describe_head(mixed) == "mixes several keys (entropy 0.60, mean distance 4.0)");
    HeadStatistics first{.kind = AttentionKind::decoder_self, .rows = 4, .entropy = 0.3, .weight_on_first = 0.7};
    CHECK(describe_head(first) == "looks at BOS, the first token (70% of its weight)");
    // A sharp cross-attention head that is not quite aligned: mostly in order, or not.
    HeadStatistics cross{.kind = AttentionKind::cross, .rows = 5, .entropy = 0.3, .weight_on_first = 0.1, .monotonicity = 0.7};
    CHECK(describe_head(cross) == "sharp: reads one or two source tokens, mostly left to right (monotonicity +0.70)");
    cross.monotonicity = -0.65;
    CHECK(describe_head(cross) == "sharp: reads one or two source tokens, mostly right to left (monotonicity -0.65)");
    cross.monotonicity = 0.2;
    CHECK(describe_head(cross) == "sharp: reads one or two source tokens, out of order (monotonicity +0.20)");
}

TEST_CASE("head statistics: kind names round-trip, module names map to kind and layer", "[nn][head_statistics]") {
    for (AttentionKind kind : {AttentionKind::encoder_self, AttentionKind::decoder_self, AttentionKind::cross})
        CHECK(attention_kind_from_name(attention_kind_name(kind)) == kind);
    CHECK_THROWS_WITH(attention_kind_from_name("decoder"), Contains("'decoder'") && Contains("encoder_self"));

    const auto site = attention_site("decoder.layers.12.multihead_attn");
    REQUIRE(site.has_value());
    CHECK(site->kind == AttentionKind::cross);
    CHECK(site->layer == 12);
    CHECK(attention_site("encoder.layers.0.self_attn")->kind == AttentionKind::encoder_self);
    CHECK(attention_site("decoder.layers.1.self_attn")->kind == AttentionKind::decoder_self);
    CHECK_FALSE(attention_site("decoder.layers.x.self_attn").has_value());
    CHECK_FALSE(attention_site("decoder.self_attn").has_value());
}

TEST_CASE("head statistics: a CSV row has the header's columns, NaN empty, the description quoted", "[nn][head_statistics]") {
    const HeadStatistics s = head_statistics(AttentionKind::encoder_self, 0, 3, {identity(3)});
    const std::string header = head_statistics_csv_header();
    const std::string row = head_statistics_csv_row(s);
    CHECK(header.rfind("kind,layer,head,rows,entropy,", 0) == 0);
    CHECK(row == "encoder_self,0,3,3,0.0000,0.0000,1.0000,0.0000,0.0000,0.3333,,,\"looks at its own position (100% of "
                 "its weight)\"");
    // Outside the quoted description the row has as many fields as the header.
    const std::string fields = row.substr(0, row.find('"'));
    CHECK(std::count(fields.begin(), fields.end(), ',') == std::count(header.begin(), header.end(), ','));
}
