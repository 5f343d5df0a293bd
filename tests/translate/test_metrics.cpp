// Exact match, token accuracy and corpus BLEU against hand-computed values (the arithmetic is in the comments).
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "examples/translate/metrics.h"

using namespace tapegrad::translate;

namespace {

TokenSequence words(const std::string& text) {
    std::istringstream stream(text);
    TokenSequence tokens;
    for (std::string word; stream >> word;) tokens.push_back(word);
    return tokens;
}

TokenSequence chars(const std::string& text) {
    TokenSequence tokens;
    for (char c : text) tokens.emplace_back(1, c);
    return tokens;
}

}  // namespace

TEST_CASE("exact_match counts identical sequences", "[translate][metrics]") {
    const std::vector<TokenSequence> references = {chars("2026-11-27"), chars("1999-01-02"), chars("2000-12-31")};
    const std::vector<TokenSequence> hypotheses = {chars("2026-11-27"), chars("1999-01-03"), chars("2000-12-3")};
    CHECK(exact_match(hypotheses, references) == Approx(1.0 / 3.0));
    CHECK(exact_match(references, references) == 1.0);
    CHECK(exact_match({}, {}) == 0.0);
    REQUIRE_THROWS_WITH(exact_match(hypotheses, {references[0]}),
                        Catch::Contains("exact_match") && Catch::Contains("3 hypotheses") && Catch::Contains("1 references"));
}

TEST_CASE("token_accuracy divides position-wise matches by the longer length, summed over the corpus",
          "[translate][metrics]") {
    // "2026-11-2" vs "2026-11-27": 9 matches / max(9, 10) = 9/10.
    CHECK(token_accuracy({chars("2026-11-2")}, {chars("2026-11-27")}) == Approx(0.9));
    // "2026-11-277" vs "2026-11-27": 10 matches / max(11, 10) = 10/11.
    CHECK(token_accuracy({chars("2026-11-277")}, {chars("2026-11-27")}) == Approx(10.0 / 11.0));
    // A shift ruins every later position: "x2026" vs "2026" → 0 matches / 5.
    CHECK(token_accuracy({chars("x2026")}, {chars("2026")}) == 0.0);
    // Corpus sums, not the mean of sentence accuracies:
    //   "ab" vs "ab" → 2/2, "abcdefgh" vs "abcdefgX" → 7/8; (2 + 7) / (2 + 8) = 0.9, while the mean is 0.9375.
    CHECK(token_accuracy({chars("ab"), chars("abcdefgh")}, {chars("ab"), chars("abcdefgX")}) == Approx(0.9));
    CHECK(token_accuracy({{}}, {{}}) == 1.0);
    CHECK(token_accuracy({}, {}) == 0.0);
    REQUIRE_THROWS_WITH(token_accuracy({chars("a")}, {}), Catch::Contains("token_accuracy"));
}

TEST_CASE("corpus_bleu: Papineni et al.'s candidate 1 against its first reference", "[translate][metrics]") {
    // Papineni et al. 2002, section 2, Example 1, lower-cased, without the final period.
    const auto hypothesis = words("it is a guide to action which ensures that the military always obeys the commands of the party");
    const auto reference = words("it is a guide to action that ensures that the military will forever heed party commands");
    REQUIRE(hypothesis.size() == 18);
    REQUIRE(reference.size() == 16);
    const BleuResult bleu = corpus_bleu({hypothesis}, {reference});
    // Unigrams, clipped: it is a guide to action (6) + ensures, that, the (3 in h, 1 in r → 1), military,
    //   commands, party (6) = 12 of 18.
    // Bigrams: it_is is_a a_guide guide_to to_action ensures_that that_the the_military = 8 of 17.
    // Trigrams: it_is_a is_a_guide a_guide_to guide_to_action ensures_that_the that_the_military = 6 of 16.
    // 4-grams: it_is_a_guide is_a_guide_to a_guide_to_action ensures_that_the_military = 4 of 15.
    CHECK(bleu.matches == std::vector<int64_t>{12, 8, 6, 4});
    CHECK(bleu.totals == std::vector<int64_t>{18, 17, 16, 15});
    // c = 18 > r = 16, so BP = 1.
    CHECK(bleu.brevity_penalty == 1.0);
    CHECK(bleu.sys_len == 18);
    CHECK(bleu.ref_len == 16);
    // BLEU = (12/18 · 8/17 · 6/16 · 4/15)^(1/4) = (2304 / 73440)^(1/4) = 0.031373^(1/4) = 0.42086 → 42.09.
    CHECK(bleu.score == Approx(100.0 * std::pow(2304.0 / 73440.0, 0.25)));
    CHECK(bleu.score == Approx(42.086).margin(0.001));
    CHECK(bleu.precisions[1] == Approx(8.0 / 17.0));
    CHECK(format_bleu(bleu) == "BLEU = 42.09 66.7/47.1/37.5/26.7 (BP = 1.000 ratio = 1.125 hyp_len = 18 ref_len = 16)");
}

TEST_CASE("corpus_bleu: perfect match scores 100, empty hypothesis scores 0", "[translate][metrics]") {
    const auto sentence = words("the cat sat on the mat");
    const BleuResult perfect = corpus_bleu({sentence, chars("2026-11-27")}, {sentence, chars("2026-11-27")});
    CHECK(perfect.score == Approx(100.0));
    CHECK(perfect.brevity_penalty == 1.0);  // c = r: exp(1 − r/c) = exp(0) = 1

    const BleuResult empty = corpus_bleu({{}}, {sentence});
    CHECK(empty.score == 0.0);
    CHECK(empty.sys_len == 0);
    CHECK(empty.ref_len == 6);
    CHECK(corpus_bleu({}, {}).score == 0.0);
}

TEST_CASE("corpus_bleu: brevity penalty for a short hypothesis", "[translate][metrics]") {
    // "the cat sat on the" vs "the cat sat on the mat": every n-gram of the hypothesis is in the reference,
    // p1..p4 = 5/5, 4/4, 3/3, 2/2 = 1, but c = 5 < r = 6, so BP = exp(1 − 6/5) = exp(−0.2) = 0.818731
    // and BLEU = 81.87.
    const BleuResult bleu = corpus_bleu({words("the cat sat on the")}, {words("the cat sat on the mat")});
    CHECK(bleu.precisions == std::vector<double>{1.0, 1.0, 1.0, 1.0});
    CHECK(bleu.brevity_penalty == Approx(std::exp(-0.2)));
    CHECK(bleu.score == Approx(81.8731).margin(1e-4));
}

TEST_CASE("corpus_bleu: clipping credits a repeated word only as often as the reference has it",
          "[translate][metrics]") {
    // "the the the the" vs "the cat": "the" occurs 4 times in h but once in r, so p1 = min(4, 1) / 4 = 1/4.
    // No bigram matches ("the the" is not in r) → BLEU-4 = 0. BLEU-1 = BP · p1 = 1 · 1/4 (c = 4 > r = 2) = 25.
    const BleuResult bleu4 = corpus_bleu({words("the the the the")}, {words("the cat")});
    CHECK(bleu4.matches[0] == 1);
    CHECK(bleu4.precisions[0] == 0.25);
    CHECK(bleu4.score == 0.0);
    CHECK(corpus_bleu({words("the the the the")}, {words("the cat")}, 1).score == Approx(25.0));
    // Papineni's own clipping example with one reference: 7 × "the" vs "the cat is on the mat" → p1 = 2/7.
    CHECK(corpus_bleu({words("the the the the the the the")}, {words("the cat is on the mat")}).precisions[0] ==
          Approx(2.0 / 7.0));
}

TEST_CASE("corpus_bleu sums statistics over the corpus, unlike a mean of sentence BLEU", "[translate][metrics]") {
    const std::vector<TokenSequence> references = {words("a b c d"), words("a b c d")};
    const std::vector<TokenSequence> hypotheses = {words("a b c d"), words("a b x y")};
    // Sentence level: the first scores 100; the second has p3 = 0/2 → 0. Mean = 50.
    CHECK(corpus_bleu({hypotheses[0]}, {references[0]}).score == Approx(100.0));
    CHECK(corpus_bleu({hypotheses[1]}, {references[1]}).score == 0.0);
    // Corpus level: p1 = (4+2)/8, p2 = (3+1)/6, p3 = (2+0)/4, p4 = (1+0)/2; c = r = 8 → BP = 1.
    // BLEU = (3/4 · 2/3 · 1/2 · 1/2)^(1/4) = 0.125^(1/4) = 0.594604 → 59.46.
    const BleuResult corpus = corpus_bleu(hypotheses, references);
    CHECK(corpus.matches == std::vector<int64_t>{6, 4, 2, 1});
    CHECK(corpus.totals == std::vector<int64_t>{8, 6, 4, 2});
    CHECK(corpus.score == Approx(59.4604).margin(1e-4));
}

TEST_CASE("corpus_bleu with add-one smoothing (Lin and Och 2004) for orders >= 2", "[translate][metrics]") {
    // "a b x y" vs "a b c d": m = 2, 1, 0, 0 of t = 4, 3, 2, 1.
    // Smoothed: p1 = 2/4 (never smoothed), p2 = (1+1)/(3+1) = 1/2, p3 = (0+1)/(2+1) = 1/3, p4 = (0+1)/(1+1) = 1/2.
    // BP = 1 (c = r = 4). BLEU = (1/2 · 1/2 · 1/3 · 1/2)^(1/4) = (1/24)^(1/4) = 0.451801 → 45.18.
    const BleuResult smoothed = corpus_bleu({words("a b x y")}, {words("a b c d")}, 4, true);
    CHECK(smoothed.precisions[2] == Approx(1.0 / 3.0));
    CHECK(smoothed.score == Approx(100.0 * std::pow(1.0 / 24.0, 0.25)));
    CHECK(smoothed.score == Approx(45.1801).margin(1e-4));
    // Unigrams are not smoothed: nothing shared → still 0.
    CHECK(corpus_bleu({words("x y")}, {words("a b")}, 4, true).score == 0.0);
}

TEST_CASE("corpus_bleu rejects mismatched corpora and bad orders", "[translate][metrics]") {
    REQUIRE_THROWS_WITH(corpus_bleu({words("a")}, {words("a"), words("b")}),
                        Catch::Contains("corpus_bleu") && Catch::Contains("1 hypotheses") && Catch::Contains("2 references"));
    REQUIRE_THROWS_WITH(corpus_bleu({words("a")}, {words("a")}, 0),
                        Catch::Contains("corpus_bleu") && Catch::Contains("max_order") && Catch::Contains("0"));
}
