// Character and word tokenizers, the factory, and JSON round trips of every kind.
#include <catch2/catch.hpp>

#include "data/bpe_tokenizer.h"
#include "data/char_tokenizer.h"
#include "data/tokenizer.h"
#include "data/vocab.h"
#include "data/word_tokenizer.h"

using namespace tapegrad::data;

TEST_CASE("tokenizer: char splits into code points and rejoins exactly", "[data][tokenizer]") {
    const CharTokenizer tokenizer;
    CHECK(tokenizer.tokenize("żółć") == std::vector<std::string>{"ż", "ó", "ł", "ć"});
    CHECK(tokenizer.tokenize("a b") == std::vector<std::string>{"a", " ", "b"});
    for (const std::string text : {"Zażółć gęślą jaźń.", "  two  spaces\tand tab ", "", "€😀"})
        CHECK(tokenizer.detokenize(tokenizer.tokenize(text)) == text);
    REQUIRE_THROWS_WITH(tokenizer.tokenize("ok\xC3"),
                        Catch::Contains("CharTokenizer::tokenize") && Catch::Contains("byte offset 2"));
}

TEST_CASE("tokenizer: char + vocab round trip on Polish text", "[data][tokenizer]") {
    const CharTokenizer tokenizer;
    const std::string text = "Wczoraj nie widziałem dwóch kotów.";
    const Vocab vocab = Vocab::build({tokenizer.tokenize(text)});
    const std::vector<int64_t> ids = vocab.encode(tokenizer.tokenize(text));
    CHECK(ids.size() == 34);
    CHECK(tokenizer.detokenize(vocab.decode(ids)) == text);
}

TEST_CASE("tokenizer: word separates punctuation into tokens", "[data][tokenizer]") {
    const WordTokenizer tokenizer;
    CHECK(tokenizer.tokenize("Hello, world!") == std::vector<std::string>{"Hello", ",", "world", "!"});
    CHECK(tokenizer.tokenize("  Nie widzę   kota.\n") == std::vector<std::string>{"Nie", "widzę", "kota", "."});
    CHECK(tokenizer.tokenize("(yes) „Tak”") == std::vector<std::string>{"(", "yes", ")", "„", "Tak", "”"});
    CHECK(tokenizer.tokenize("Wait...") == std::vector<std::string>{"Wait", ".", ".", "."});
}

TEST_CASE("tokenizer: word keeps apostrophes, hyphens and numbers together", "[data][tokenizer]") {
    const WordTokenizer tokenizer;
    CHECK(tokenizer.tokenize("don't well-known") == std::vector<std::string>{"don't", "well-known"});
    CHECK(tokenizer.tokenize("27.11.2026 at 10:30, 3.14 or 1,000.") ==
          std::vector<std::string>{"27.11.2026", "at", "10:30", ",", "3.14", "or", "1,000", "."});
    CHECK(tokenizer.tokenize("11/27/26") == std::vector<std::string>{"11/27/26"});
}

TEST_CASE("tokenizer: word detokenize follows the spacing rule", "[data][tokenizer]") {
    const WordTokenizer tokenizer;
    for (const std::string text : {"Hello, world!", "Nie widzę kota.", "He said (quietly): no; yes?",
                                   "„Tak” – powiedział.", "Friday, November 27, 2026", "I don't know..."})
        CHECK(tokenizer.detokenize(tokenizer.tokenize(text)) == text);
    // Text spaced differently is normalized, not preserved.
    CHECK(tokenizer.detokenize(tokenizer.tokenize("a , b  ( c )")) == "a, b (c)");
    CHECK(tokenizer.detokenize({}).empty());
}

TEST_CASE("tokenizer: make_tokenizer knows char, word and bpe", "[data][tokenizer]") {
    CHECK(tokenizer_names() == std::vector<std::string>{"char", "word", "bpe"});
    for (const auto& name : tokenizer_names()) CHECK(make_tokenizer(name)->name() == name);
    CHECK(make_tokenizer("char")->tokenize("ab").size() == 2);
    CHECK(make_tokenizer("word")->tokenize("a b.").size() == 3);
    CHECK(make_tokenizer("bpe")->tokenize("ab") == std::vector<std::string>{"a", "b</w>"});
    REQUIRE_THROWS_WITH(make_tokenizer("sentencepiece"),
                        Catch::Contains("make_tokenizer") && Catch::Contains("sentencepiece") &&
                            Catch::Contains("char, word, bpe"));
}

TEST_CASE("tokenizer: every kind survives a JSON round trip", "[data][tokenizer]") {
    BpeTokenizer bpe;
    bpe.train({"kot kota kotem", "kot kotu"}, 5);
    std::vector<std::unique_ptr<Tokenizer>> tokenizers;
    tokenizers.push_back(std::make_unique<CharTokenizer>());
    tokenizers.push_back(std::make_unique<WordTokenizer>());
    tokenizers.push_back(std::make_unique<BpeTokenizer>(bpe));
    const std::string text = "Kot kota, kotem!";
    for (const auto& tokenizer : tokenizers) {
        const auto loaded = tokenizer_from_json(tokenizer->to_json());
        CHECK(loaded->name() == tokenizer->name());
        CHECK(loaded->tokenize(text) == tokenizer->tokenize(text));
        CHECK(loaded->to_json() == tokenizer->to_json());
    }
    REQUIRE_THROWS_WITH(tokenizer_from_json(R"({"kind": "morfessor"})"), Catch::Contains("morfessor"));
    REQUIRE_THROWS_WITH(tokenizer_from_json("[]"), Catch::Contains("tokenizer_from_json"));
    REQUIRE_THROWS_WITH(WordTokenizer::from_json(R"({"kind": "char"})"), Catch::Contains("WordTokenizer::from_json"));
}
