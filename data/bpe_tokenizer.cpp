// BpeTokenizer: applying learned merges to new text, rejoining, and JSON save/load. Learning is in bpe_train.cpp.
#include "data/bpe_tokenizer.h"

#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"

#include "data/utf8.h"

namespace tapegrad::data {

BpeTokenizer::BpeTokenizer(std::vector<Merge> merges) : merges_(std::move(merges)) {
    for (std::size_t i = 0; i < merges_.size(); ++i) {
        const auto& [left, right] = merges_[i];
        if (left.empty() || right.empty())
            throw std::invalid_argument(fmt::format("BpeTokenizer: merge {} has an empty side: ('{}', '{}')", i,
                                                    left, right));
        // A repeated merge can never fire a second time; keep the first (highest-priority) rank.
        rank_.emplace(merges_[i], static_cast<int64_t>(i));
    }
}

std::vector<std::string> bpe_initial_symbols(std::string_view word) {
    std::vector<std::string> symbols = split_utf8(word);
    if (!symbols.empty()) symbols.back() += BpeTokenizer::kEndOfWord;
    return symbols;
}

std::vector<std::string> bpe_split_words(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    for (char32_t cp : decode_utf8(line)) {
        if (is_whitespace(cp)) {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            append_utf8(word, cp);
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

// Applying merges in learned order, without walking the whole merge list per word: repeatedly merge (every
// occurrence, left to right) the adjacent pair of lowest rank. This equals replaying the list once, because
// the symbol a merge creates only takes part in merges learned after it, so no pair of lower rank reappears.
std::vector<std::string> BpeTokenizer::encode_word(std::string_view word) const {
    std::vector<std::string> symbols = bpe_initial_symbols(word);
    while (symbols.size() > 1) {
        int64_t best_rank = std::numeric_limits<int64_t>::max();
        const Merge* best = nullptr;
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
            auto it = rank_.find(Merge{symbols[i], symbols[i + 1]});
            if (it != rank_.end() && it->second < best_rank) best_rank = it->second, best = &it->first;
        }
        if (best == nullptr) break;
        std::vector<std::string> merged;
        merged.reserve(symbols.size());
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            if (i + 1 < symbols.size() && symbols[i] == best->first && symbols[i + 1] == best->second) {
                merged.push_back(symbols[i] + symbols[i + 1]);
                ++i;
            } else {
                merged.push_back(std::move(symbols[i]));
            }
        }
        symbols = std::move(merged);
    }
    return symbols;
}

std::vector<std::string> BpeTokenizer::tokenize(std::string_view text) const {
    validate_utf8(text, "BpeTokenizer::tokenize");
    std::vector<std::string> tokens;
    for (const auto& word : bpe_split_words(text))
        for (auto& symbol : encode_word(word)) tokens.push_back(std::move(symbol));
    return tokens;
}

std::string BpeTokenizer::detokenize(const std::vector<std::string>& tokens) const {
    std::string text;
    for (const auto& token : tokens) {
        if (token.size() >= kEndOfWord.size() && token.ends_with(kEndOfWord)) {
            text.append(token, 0, token.size() - kEndOfWord.size());
            text += ' ';
        } else {
            text += token;
        }
    }
    if (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

std::string BpeTokenizer::to_json() const {
    nlohmann::json merges = nlohmann::json::array();
    for (const auto& [left, right] : merges_) merges.push_back({left, right});
    nlohmann::json json = {{"kind", "bpe"}, {"version", 1}, {"end_of_word", kEndOfWord}, {"merges", merges}};
    return json.dump();
}

BpeTokenizer BpeTokenizer::from_json(const std::string& text) {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || json_string_or_empty(json, "kind") != "bpe")
        throw std::invalid_argument(fmt::format(
            "BpeTokenizer::from_json: expected an object with \"kind\": \"bpe\", got {}", text.substr(0, 80)));
    if (json_integer_or_zero(json, "version") != 1 || json_string_or_empty(json, "end_of_word") != kEndOfWord)
        throw std::invalid_argument(fmt::format(
            "BpeTokenizer::from_json: unsupported version {} or end_of_word '{}' (expected 1 and '{}')",
            json_integer_or_zero(json, "version"), json_string_or_empty(json, "end_of_word"), kEndOfWord));
    const auto it = json.find("merges");
    if (it == json.end() || !it->is_array())
        throw std::invalid_argument("BpeTokenizer::from_json: missing \"merges\" array");
    if (it->size() > kMaxMerges)
        throw std::invalid_argument(fmt::format("BpeTokenizer::from_json: \"merges\": {} merges, more than the limit of {}",
                                                it->size(), kMaxMerges));
    std::vector<Merge> merges;
    for (const auto& merge : *it) {
        if (!merge.is_array() || merge.size() != 2 || !merge[0].is_string() || !merge[1].is_string())
            throw std::invalid_argument(fmt::format(
                "BpeTokenizer::from_json: merge {} is not a pair of strings: {}", merges.size(), merge.dump()));
        if (merge[0].get_ref<const std::string&>().size() + merge[1].get_ref<const std::string&>().size() > kMaxSymbolBytes)
            throw std::invalid_argument(fmt::format("BpeTokenizer::from_json: merge {} is longer than {} bytes",
                                                    merges.size(), kMaxSymbolBytes));
        merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
    }
    return BpeTokenizer(std::move(merges));
}

}  // namespace tapegrad::data
