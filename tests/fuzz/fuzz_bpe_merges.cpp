// Fuzzes BpeTokenizer::from_json, the learned merges of a bpe tokenizer: refusals are std::invalid_argument;
// accepted merges are bounded, round-trip exactly, and encoding a word never loses a byte of it.
#include <stdexcept>
#include <string>

#include "data/bpe_tokenizer.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::data;
namespace fuzz = tapegrad::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    BpeTokenizer bpe;
    try {
        bpe = BpeTokenizer::from_json(std::string(fuzz::as_text(data, size)));
    } catch (const std::invalid_argument& error) {
        fuzz::require(std::string_view(error.what()).find("BpeTokenizer") != std::string_view::npos,
                      "the error does not name BpeTokenizer");
        return 0;
    }
    fuzz::require(bpe.merges().size() <= BpeTokenizer::kMaxMerges, "more merges than the limit");
    const std::string json = bpe.to_json();
    const BpeTokenizer again = BpeTokenizer::from_json(json);
    fuzz::require(again.merges() == bpe.merges() && again.to_json() == json, "to_json -> from_json is not the identity");
    // Each merge's own word (its two sides glued, when that is valid UTF-8 text without spaces) and a fixed
    // sentence: the symbols of a word concatenate back to the word with "</w>" at its end.
    std::vector<std::string> words = {"kota", "zażółć"};
    for (std::size_t i = 0; i < bpe.merges().size() && i < 8; ++i) words.push_back(bpe.merges()[i].first + bpe.merges()[i].second);
    for (const std::string& word : words) {
        std::vector<std::string> symbols;
        try {
            symbols = bpe.encode_word(word);
        } catch (const std::invalid_argument&) {
            continue;  // a merge's sides need not be text of a word (invalid UTF-8, "</w>" inside)
        }
        std::string glued;
        for (const std::string& symbol : symbols) glued += symbol;
        if (word.find(BpeTokenizer::kEndOfWord) == std::string::npos && word.find_first_of(" \t\n") == std::string::npos)
            fuzz::require(glued == word + std::string(BpeTokenizer::kEndOfWord), "encode_word lost or added bytes");
    }
    const std::string text = "ala ma kota";
    fuzz::require(bpe.detokenize(bpe.tokenize(text)) == text, "detokenize(tokenize(text)) != text");
    return 0;
}
