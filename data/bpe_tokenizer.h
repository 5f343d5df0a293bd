// BpeTokenizer: byte-pair encoding (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with
// Subword Units") over UTF-8 characters, with an end-of-word marker.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "data/tokenizer.h"

namespace tapegrad::data {

// A word starts as its characters with "</w>" glued to the last one: "kota" -> k o t a</w>. Training
// repeatedly merges the most frequent adjacent pair of symbols into one symbol; encoding applies the learned
// merges, in the order they were learned, to each word of new text.
//   after merges (k, o), (a, </w>)... : "kota psa" -> {"ko", "t", "a</w>", "p", "s", "a</w>"}
// detokenize concatenates the tokens and turns each "</w>" into a space (dropping the last one), so
// detokenize(tokenize(text)) == text for text made of words separated by single spaces. Words are split on
// whitespace only: punctuation stays part of its word and is merged like any other character.
class BpeTokenizer : public Tokenizer {
public:
    using Merge = std::pair<std::string, std::string>;  // (left symbol, right symbol)
    static constexpr std::string_view kEndOfWord = "</w>";
    // What from_json accepts at most (docs/reliability.md): merges, and bytes of one merge's two sides.
    static constexpr std::size_t kMaxMerges = 1'000'000;
    static constexpr std::size_t kMaxSymbolBytes = 64 * 1024;

    // An untrained tokenizer (no merges): tokens are characters, the last of each word marked with "</w>".
    BpeTokenizer() = default;
    // A tokenizer applying these merges, highest priority first (as train() learned them).
    explicit BpeTokenizer(std::vector<Merge> merges);

    // Learns up to num_merges merges from the words of corpus_lines, replacing any previous ones. Each step
    // merges the pair with the highest count (summed over word occurrences); ties go to the pair whose
    // (left, right) strings compare smallest, so training is deterministic. Stops early when no pair occurs
    // at least min_frequency times. Throws std::invalid_argument on invalid UTF-8 (naming the line) or a
    // negative num_merges.
    void train(const std::vector<std::string>& corpus_lines, int64_t num_merges, int64_t min_frequency = 2);

    const std::vector<Merge>& merges() const { return merges_; }

    std::vector<std::string> tokenize(std::string_view text) const override;
    std::string detokenize(const std::vector<std::string>& tokens) const override;
    std::string name() const override { return "bpe"; }
    // {"kind": "bpe", "version": 1, "end_of_word": "</w>", "merges": [["k", "o"], ...]}
    std::string to_json() const override;
    static BpeTokenizer from_json(const std::string& json);

    // The symbols of one word after all merges (exposed for tests and for inspecting a learned model).
    std::vector<std::string> encode_word(std::string_view word) const;

private:
    std::vector<Merge> merges_;
    std::map<Merge, int64_t> rank_;  // merge -> its position in merges_ (lower merges first)
};

// The initial symbols of a word: its characters, "</w>" appended to the last one.
std::vector<std::string> bpe_initial_symbols(std::string_view word);

// The whitespace-separated words of a line (the unit BPE works on).
std::vector<std::string> bpe_split_words(std::string_view line);

}  // namespace tapegrad::data
