// Vocab: special ids, building with min_freq / max_size and deterministic ties, lookups, JSON round trip.
#include <catch2/catch.hpp>

#include "data/vocab.h"

using namespace tapegrad::data;

TEST_CASE("vocab: the special tokens have fixed ids", "[data][vocab]") {
    const Vocab vocab;
    CHECK(vocab.size() == 4);
    CHECK(Vocab::pad_id() == 0);
    CHECK(Vocab::bos_id() == 1);
    CHECK(Vocab::eos_id() == 2);
    CHECK(Vocab::unk_id() == 3);
    CHECK(vocab.token(0) == "<pad>");
    CHECK(vocab.token(1) == "<bos>");
    CHECK(vocab.token(2) == "<eos>");
    CHECK(vocab.token(3) == "<unk>");
    CHECK(vocab.id("<eos>") == 2);
}

TEST_CASE("vocab: build orders by frequency, then by token string", "[data][vocab]") {
    // counts: kot 3, pies 2, ala 2, ma 1, żaba 1
    const std::vector<std::vector<std::string>> corpus = {
        {"kot", "pies", "ma"}, {"kot", "ala", "żaba"}, {"ala", "kot", "pies"}};
    const Vocab vocab = Vocab::build(corpus);
    CHECK(vocab.tokens() ==
          std::vector<std::string>{"<pad>", "<bos>", "<eos>", "<unk>", "kot", "ala", "pies", "ma", "żaba"});

    // The same counts in another order give the same ids.
    const std::vector<std::vector<std::string>> shuffled = {
        {"żaba", "pies", "kot"}, {"ma", "kot", "ala"}, {"pies", "ala", "kot"}};
    CHECK(Vocab::build(shuffled) == vocab);
}

TEST_CASE("vocab: min_freq and max_size cut rare tokens", "[data][vocab]") {
    // counts: a 3, b 3, c 1, d 1
    const std::vector<std::vector<std::string>> corpus = {{"a", "a", "a", "b", "b", "c"}, {"d", "b"}};
    const Vocab frequent = Vocab::build(corpus, {.min_freq = 2});
    CHECK(frequent.tokens() == std::vector<std::string>{"<pad>", "<bos>", "<eos>", "<unk>", "a", "b"});  // 3 each
    CHECK(frequent.id("c") == Vocab::unk_id());

    const Vocab small = Vocab::build(corpus, {.max_size = 5});
    CHECK(small.size() == 5);
    CHECK(small.token(4) == "a");  // a and b both occur 3 times; "a" < "b"
    CHECK(small.id("b") == Vocab::unk_id());

    REQUIRE_THROWS_WITH(Vocab::build(corpus, {.max_size = 3}),
                        Catch::Contains("Vocab::build") && Catch::Contains("max_size") && Catch::Contains("3"));
    REQUIRE_THROWS_WITH(Vocab::build(corpus, {.min_freq = 0}), Catch::Contains("min_freq"));
}

TEST_CASE("vocab: tokens spelled like special tokens map to them", "[data][vocab]") {
    const Vocab vocab = Vocab::build({{"<unk>", "<pad>", "x"}});
    CHECK(vocab.size() == 5);
    CHECK(vocab.id("<pad>") == Vocab::pad_id());
    CHECK(vocab.id("x") == 4);
}

TEST_CASE("vocab: encode and decode, with and without special tokens", "[data][vocab]") {
    const Vocab vocab = Vocab::build({{"ala", "ma", "kota"}});
    const std::vector<int64_t> ids = vocab.encode({"ala", "ma", "psa"});
    CHECK(ids == std::vector<int64_t>{vocab.id("ala"), vocab.id("ma"), Vocab::unk_id()});

    const std::vector<int64_t> wrapped = {Vocab::bos_id(), vocab.id("ala"), Vocab::unk_id(), Vocab::eos_id(),
                                          Vocab::pad_id()};
    CHECK(vocab.decode(wrapped) == std::vector<std::string>{"ala", "<unk>"});
    CHECK(vocab.decode(wrapped, /*strip_special=*/false) ==
          std::vector<std::string>{"<bos>", "ala", "<unk>", "<eos>", "<pad>"});
}

TEST_CASE("vocab: ids out of range throw naming the id and the size", "[data][vocab]") {
    const Vocab vocab = Vocab::build({{"a"}});
    REQUIRE_THROWS_AS(vocab.token(5), std::out_of_range);
    REQUIRE_THROWS_WITH(vocab.token(5), Catch::Contains("Vocab::token") && Catch::Contains("5") &&
                                            Catch::Contains("[0, 5)"));
    REQUIRE_THROWS_WITH(vocab.decode({1, -1}), Catch::Contains("Vocab::decode") && Catch::Contains("-1"));
}

TEST_CASE("vocab: JSON round trip is exact", "[data][vocab]") {
    const Vocab vocab = Vocab::build({{"żółć", "\"quoted\"", "tab\there", "ünïcödé", "a", "a"}});
    const std::string json = vocab.to_json();
    const Vocab loaded = Vocab::from_json(json);
    CHECK(loaded == vocab);
    CHECK(loaded.id("żółć") == vocab.id("żółć"));
    CHECK(loaded.to_json() == json);
}

TEST_CASE("vocab: from_json rejects malformed input", "[data][vocab]") {
    REQUIRE_THROWS_WITH(Vocab::from_json("{not json"), Catch::Contains("Vocab::from_json"));
    REQUIRE_THROWS_WITH(Vocab::from_json(R"({"format": "other", "version": 1, "tokens": []})"),
                        Catch::Contains("tapegrad.vocab"));
    REQUIRE_THROWS_WITH(Vocab::from_json(R"({"format": "tapegrad.vocab", "version": 1, "tokens": ["a"]})"),
                        Catch::Contains("<pad>"));
    REQUIRE_THROWS_WITH(
        Vocab::from_json(
            R"({"format": "tapegrad.vocab", "version": 1, "tokens": ["<pad>", "<bos>", "<eos>", "<unk>", "x", "x"]})"),
        Catch::Contains("'x' appears twice"));
    REQUIRE_THROWS_WITH(Vocab::from_json(R"({"format": "tapegrad.vocab", "version": 2, "tokens": []})"),
                        Catch::Contains("version 2"));
}
