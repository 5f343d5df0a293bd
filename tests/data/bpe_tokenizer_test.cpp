// Byte-pair encoding: learned merges on a hand-checked corpus, tie-breaks, encoding, round trips.
#include <catch2/catch.hpp>

#include "data/bpe_tokenizer.h"
#include "data/tasks/en_pl.h"

using namespace tapegrad::data;
using Merge = BpeTokenizer::Merge;

namespace {

// Applies the merges the slow, obvious way: each merge in order, over the whole word.
std::vector<std::string> replay_merges(const std::vector<Merge>& merges, std::string_view word) {
    std::vector<std::string> symbols = bpe_initial_symbols(word);
    for (const auto& [left, right] : merges) {
        std::vector<std::string> merged;
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
                merged.push_back(left + right);
                ++i;
            } else {
                merged.push_back(symbols[i]);
            }
        }
        symbols = merged;
    }
    return symbols;
}

}  // namespace

TEST_CASE("bpe: learns the most frequent pairs first, ties by string order", "[data][bpe]") {
    // Pair counts: (l, o) 5; (w, e) 4; (o, w</w>) 3 ... worked out by hand in the comments below.
    BpeTokenizer bpe;
    bpe.train({"low low low lower lowest", "newer newest wider"}, 100);
    const std::vector<Merge> expected = {
        {"l", "o"},       // 5: low x3, lower, lowest
        {"w", "e"},       // 4: lower, lowest, newer, newest
        {"lo", "w</w>"},  // 3: low x3
        {"e", "we"},      // 2, tied with (lo, we), (n, e), (s, t</w>), (we, r</w>), (we, s): "e" sorts first
        {"lo", "we"},     // 2: lower, lowest
        {"n", "ewe"},     // 2: newer, newest
        {"s", "t</w>"},   // 2: lowest, newest; then no pair occurs twice, so training stops
    };
    CHECK(bpe.merges() == expected);
    CHECK(bpe.tokenize("lowest newer") == std::vector<std::string>{"lowe", "st</w>", "newe", "r</w>"});
}

TEST_CASE("bpe: num_merges and min_frequency bound training", "[data][bpe]") {
    BpeTokenizer bpe;
    bpe.train({"ab ab cd cd"}, 1);
    REQUIRE(bpe.merges().size() == 1);
    CHECK(bpe.merges()[0] == Merge{"a", "b</w>"});  // tied with (c, d</w>); "a" < "c"

    bpe.train({"ab cd"}, 10);  // every pair occurs once
    CHECK(bpe.merges().empty());
    bpe.train({"ab cd"}, 10, /*min_frequency=*/1);
    CHECK(bpe.merges().size() == 2);

    REQUIRE_THROWS_WITH(bpe.train({"a"}, -1), Catch::Contains("num_merges") && Catch::Contains("-1"));
    REQUIRE_THROWS_WITH(bpe.train({"ok", "bad \xC3"}, 5),
                        Catch::Contains("BpeTokenizer::train") && Catch::Contains("line 2"));
}

TEST_CASE("bpe: encoding equals replaying the merges in learned order", "[data][bpe]") {
    const auto pairs = generate_en_pl(300, 3);
    std::vector<std::string> lines;
    for (const auto& pair : pairs) lines.push_back(pair.target);
    BpeTokenizer bpe;
    bpe.train(lines, 200);
    REQUIRE(bpe.merges().size() == 200);
    for (const std::string word : {"Wczoraj", "widziałem", "kotów.", "niedźwiedzia", "żółć", "aaaa", "x"})
        CHECK(bpe.encode_word(word) == replay_merges(bpe.merges(), word));
    for (const auto& pair : generate_en_pl(50, 4))
        for (const auto& word : bpe_split_words(pair.target))
            CHECK(bpe.encode_word(word) == replay_merges(bpe.merges(), word));
}

TEST_CASE("bpe: detokenize restores single-spaced text, unseen characters included", "[data][bpe]") {
    std::vector<std::string> lines;
    for (const auto& pair : generate_en_pl(200, 5)) lines.push_back(pair.target);
    BpeTokenizer bpe;
    bpe.train(lines, 150);
    for (const auto& pair : generate_en_pl(100, 6)) {
        const auto tokens = bpe.tokenize(pair.target);
        CHECK(bpe.detokenize(tokens) == pair.target);
        CHECK(tokens.size() < pair.target.size());  // merges shorten the sequence
    }
    CHECK(bpe.detokenize(bpe.tokenize("Zażółć gęślą jaźń 😀")) == "Zażółć gęślą jaźń 😀");
    // Whitespace is normalized to single spaces.
    CHECK(bpe.detokenize(bpe.tokenize("  two   spaces ")) == "two spaces");
}

TEST_CASE("bpe: untrained tokenizer gives characters with end-of-word markers", "[data][bpe]") {
    const BpeTokenizer bpe;
    CHECK(bpe.tokenize("ał b") == std::vector<std::string>{"a", "ł</w>", "b</w>"});
    CHECK(bpe.detokenize({"a", "ł</w>", "b</w>"}) == "ał b");
}

TEST_CASE("bpe: merges survive a JSON round trip", "[data][bpe]") {
    BpeTokenizer bpe;
    bpe.train({"żółw żółwia żółwie", "żółw"}, 20);
    REQUIRE_FALSE(bpe.merges().empty());
    const BpeTokenizer loaded = BpeTokenizer::from_json(bpe.to_json());
    CHECK(loaded.merges() == bpe.merges());
    CHECK(loaded.tokenize("żółwie żółw") == bpe.tokenize("żółwie żółw"));
    REQUIRE_THROWS_WITH(BpeTokenizer::from_json(R"({"kind": "bpe", "version": 1, "end_of_word": "</w>",
                                                   "merges": [["a"]]})"),
                        Catch::Contains("merge 0"));
    REQUIRE_THROWS_WITH(BpeTokenizer::from_json(R"({"kind": "bpe", "version": 1, "end_of_word": "@@", "merges": []})"),
                        Catch::Contains("@@"));
}
