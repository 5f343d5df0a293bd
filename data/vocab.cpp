// Vocab: building from token counts, lookups, and JSON save/load.
#include "data/vocab.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"

namespace tapegrad::data {

namespace {

constexpr std::string_view kJsonFormat = "tapegrad.vocab";
constexpr int kJsonVersion = 1;

std::vector<std::string> special_tokens() {
    return {std::string(Vocab::kPadToken), std::string(Vocab::kBosToken), std::string(Vocab::kEosToken),
            std::string(Vocab::kUnkToken)};
}

}  // namespace

Vocab::Vocab() : Vocab(special_tokens()) {}

Vocab::Vocab(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
    const std::vector<std::string> specials = special_tokens();
    if (tokens_.size() < specials.size() || !std::equal(specials.begin(), specials.end(), tokens_.begin()))
        throw std::invalid_argument(fmt::format("Vocab::from_tokens: the first {} tokens must be {}, {}, {}, {}",
                                                kNumSpecial, kPadToken, kBosToken, kEosToken, kUnkToken));
    ids_.reserve(tokens_.size());
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        auto [it, inserted] = ids_.emplace(tokens_[i], static_cast<int64_t>(i));
        if (!inserted)
            throw std::invalid_argument(fmt::format("Vocab::from_tokens: token '{}' appears twice, at ids {} and {}",
                                                    tokens_[i], it->second, i));
    }
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens) { return Vocab(std::move(tokens)); }

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sequences, VocabOptions options) {
    if (options.min_freq < 1)
        throw std::invalid_argument(fmt::format("Vocab::build: min_freq must be >= 1, got {}", options.min_freq));
    if (options.max_size != 0 && options.max_size < kNumSpecial)
        throw std::invalid_argument(fmt::format(
            "Vocab::build: max_size must be 0 (unlimited) or >= {} (the special tokens), got {}", kNumSpecial,
            options.max_size));

    const std::vector<std::string> specials = special_tokens();
    std::map<std::string, int64_t, std::less<>> counts;
    for (const auto& sequence : sequences)
        for (const auto& token : sequence)
            if (std::find(specials.begin(), specials.end(), token) == specials.end()) ++counts[token];

    std::vector<std::pair<std::string, int64_t>> ranked;
    for (auto& [token, count] : counts)
        if (count >= options.min_freq) ranked.emplace_back(token, count);
    // Frequency descending, then the token string ascending: a total order, hence deterministic ids.
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (options.max_size > 0 && static_cast<int64_t>(ranked.size()) > options.max_size - kNumSpecial)
        ranked.resize(static_cast<std::size_t>(options.max_size - kNumSpecial));

    std::vector<std::string> tokens = specials;
    for (auto& [token, count] : ranked) tokens.push_back(std::move(token));
    return from_tokens(std::move(tokens));
}

bool Vocab::contains(std::string_view token) const { return ids_.find(token) != ids_.end(); }

int64_t Vocab::id(std::string_view token) const {
    auto it = ids_.find(token);
    return it == ids_.end() ? kUnkId : it->second;
}

const std::string& Vocab::token(int64_t id) const {
    if (id < 0 || id >= size())
        throw std::out_of_range(fmt::format("Vocab::token: id {} is outside [0, {})", id, size()));
    return tokens_[static_cast<std::size_t>(id)];
}

std::vector<int64_t> Vocab::encode(const std::vector<std::string>& tokens) const {
    std::vector<int64_t> ids;
    ids.reserve(tokens.size());
    for (const auto& token : tokens) ids.push_back(id(token));
    return ids;
}

std::vector<std::string> Vocab::decode(const std::vector<int64_t>& ids, bool strip_special) const {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int64_t id : ids) {
        if (id < 0 || id >= size())
            throw std::out_of_range(fmt::format("Vocab::decode: id {} is outside [0, {})", id, size()));
        if (strip_special && (id == kPadId || id == kBosId || id == kEosId)) continue;
        tokens.push_back(tokens_[static_cast<std::size_t>(id)]);
    }
    return tokens;
}

std::string Vocab::to_json() const {
    nlohmann::json json = {{"format", kJsonFormat}, {"version", kJsonVersion}, {"tokens", tokens_}};
    return json.dump(1);
}

Vocab Vocab::from_json(const std::string& text) {
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        throw std::invalid_argument(fmt::format("Vocab::from_json: not valid JSON (at byte {})", error.byte));
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument("Vocab::from_json: not valid JSON");
    }
    if (!json.is_object() || json_string_or_empty(json, "format") != kJsonFormat)
        throw std::invalid_argument(
            fmt::format("Vocab::from_json: expected an object with \"format\": \"{}\"", kJsonFormat));
    if (json_integer_or_zero(json, "version") != kJsonVersion)
        throw std::invalid_argument(fmt::format("Vocab::from_json: unsupported version {}, expected {}",
                                                json_integer_or_zero(json, "version"), kJsonVersion));
    const auto it = json.find("tokens");
    if (it == json.end() || !it->is_array())
        throw std::invalid_argument("Vocab::from_json: missing \"tokens\" array");
    if (it->size() > static_cast<std::size_t>(kMaxSize))
        throw std::invalid_argument(
            fmt::format("Vocab::from_json: \"tokens\": {} tokens, more than the limit of {}", it->size(), kMaxSize));
    std::vector<std::string> tokens;
    for (const auto& token : *it) {
        if (!token.is_string())
            throw std::invalid_argument(
                fmt::format("Vocab::from_json: token {} is not a string: {}", tokens.size(), token.dump()));
        if (token.get_ref<const std::string&>().size() > kMaxTokenBytes)
            throw std::invalid_argument(fmt::format("Vocab::from_json: token {} is {} bytes, more than the limit of {}",
                                                    tokens.size(), token.get_ref<const std::string&>().size(),
                                                    kMaxTokenBytes));
        tokens.push_back(token.get<std::string>());
    }
    return from_tokens(std::move(tokens));
}

}  // namespace tapegrad::data
