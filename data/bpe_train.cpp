// BpeTokenizer::train: learning merges from a corpus.
//
// The corpus is reduced to distinct words with counts. Pair counts are kept up to date incrementally: a merge
// only touches the words that contain the merged pair, so each step re-counts those words instead of the
// whole corpus. A set ordered by (count descending, pair ascending) gives the next merge.
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "data/bpe_tokenizer.h"
#include "data/utf8.h"

namespace tapegrad::data {

namespace {

using Merge = BpeTokenizer::Merge;

struct Word {
    std::vector<std::string> symbols;
    int64_t count = 0;
};

// Pair counts over all words, with the index of words that (may) contain each pair.
class PairCounts {
public:
    void add_word(const Word& word, std::size_t word_index, int64_t sign) {
        for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i)
            add({word.symbols[i], word.symbols[i + 1]}, sign * word.count, word_index);
    }

    // The most frequent pair (ties: smallest pair), or nullptr when none reaches min_frequency.
    const Merge* best(int64_t min_frequency) const {
        if (ranked_.empty() || -ranked_.begin()->first < min_frequency) return nullptr;
        return &ranked_.begin()->second;
    }

    // Word indices that contained `pair` at some point (a superset: merging re-checks each word).
    std::set<std::size_t> words_with(const Merge& pair) const {
        auto it = words_.find(pair);
        return it == words_.end() ? std::set<std::size_t>{} : it->second;
    }

private:
    void add(const Merge& pair, int64_t delta, std::size_t word_index) {
        int64_t& count = counts_[pair];
        if (count > 0) ranked_.erase({-count, pair});
        count += delta;
        if (count > 0) {
            ranked_.insert({-count, pair});
            words_[pair].insert(word_index);
        } else {
            counts_.erase(pair);
        }
    }

    std::map<Merge, int64_t> counts_;
    std::set<std::pair<int64_t, Merge>> ranked_;  // (-count, pair): begin() is the next merge
    std::map<Merge, std::set<std::size_t>> words_;
};

// Replaces every occurrence of `pair` in `symbols`, left to right.
bool merge_in_word(std::vector<std::string>& symbols, const Merge& pair) {
    bool changed = false;
    std::vector<std::string> merged;
    merged.reserve(symbols.size());
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == pair.first && symbols[i + 1] == pair.second) {
            merged.push_back(symbols[i] + symbols[i + 1]);
            ++i;
            changed = true;
        } else {
            merged.push_back(std::move(symbols[i]));
        }
    }
    symbols = std::move(merged);
    return changed;
}

}  // namespace

void BpeTokenizer::train(const std::vector<std::string>& corpus_lines, int64_t num_merges, int64_t min_frequency) {
    if (num_merges < 0)
        throw std::invalid_argument(fmt::format("BpeTokenizer::train: num_merges must be >= 0, got {}", num_merges));
    if (min_frequency < 1)
        throw std::invalid_argument(
            fmt::format("BpeTokenizer::train: min_frequency must be >= 1, got {}", min_frequency));

    std::map<std::string, int64_t> word_counts;  // ordered, so word indices do not depend on hashing
    for (std::size_t line = 0; line < corpus_lines.size(); ++line) {
        if (auto offset = find_invalid_utf8(corpus_lines[line]))
            throw std::invalid_argument(fmt::format(
                "BpeTokenizer::train: corpus line {} is not valid UTF-8 (byte offset {})", line + 1, *offset));
        for (auto& word : bpe_split_words(corpus_lines[line])) ++word_counts[word];
    }
    std::vector<Word> words;
    words.reserve(word_counts.size());
    for (const auto& [text, count] : word_counts) words.push_back({bpe_initial_symbols(text), count});

    PairCounts pairs;
    for (std::size_t i = 0; i < words.size(); ++i) pairs.add_word(words[i], i, +1);

    std::vector<Merge> merges;
    while (static_cast<int64_t>(merges.size()) < num_merges) {
        const Merge* best_pair = pairs.best(min_frequency);
        if (best_pair == nullptr) break;
        const Merge best = *best_pair;  // copy: the updates below erase it from the ranking
        for (std::size_t index : pairs.words_with(best)) {
            Word& word = words[index];
            std::vector<std::string> symbols = word.symbols;
            if (!merge_in_word(symbols, best)) continue;
            pairs.add_word(word, index, -1);
            word.symbols = std::move(symbols);
            pairs.add_word(word, index, +1);
        }
        merges.push_back(best);
    }
    *this = BpeTokenizer(std::move(merges));
}

}  // namespace tapegrad::data
