// The tokenizer factory: by name, and back from saved JSON; the JSON of the kinds with no state.
#include "data/tokenizer.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "data/bpe_tokenizer.h"
#include "data/char_tokenizer.h"
#include "data/word_tokenizer.h"

namespace tapegrad::data {

std::vector<std::string> tokenizer_names() { return {"char", "word", "bpe"}; }

std::unique_ptr<Tokenizer> make_tokenizer(std::string_view name) {
    if (name == "char") return std::make_unique<CharTokenizer>();
    if (name == "word") return std::make_unique<WordTokenizer>();
    if (name == "bpe") return std::make_unique<BpeTokenizer>();
    throw std::invalid_argument(
        fmt::format("make_tokenizer: unknown tokenizer '{}'; known: {}", name, fmt::join(tokenizer_names(), ", ")));
}

std::unique_ptr<Tokenizer> tokenizer_from_json(const std::string& text) {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("kind") || !json["kind"].is_string())
        throw std::invalid_argument(fmt::format(
            "tokenizer_from_json: expected an object with a string \"kind\", got {}", text.substr(0, 80)));
    const std::string kind = json["kind"].get<std::string>();
    if (kind == "char") return std::make_unique<CharTokenizer>(CharTokenizer::from_json(text));
    if (kind == "word") return std::make_unique<WordTokenizer>(WordTokenizer::from_json(text));
    if (kind == "bpe") return std::make_unique<BpeTokenizer>(BpeTokenizer::from_json(text));
    throw std::invalid_argument(fmt::format("tokenizer_from_json: unknown kind '{}'; known: {}", kind,
                                            fmt::join(tokenizer_names(), ", ")));
}

std::string stateless_tokenizer_json(std::string_view kind) { return nlohmann::json{{"kind", kind}}.dump(); }

void check_stateless_tokenizer_json(const std::string& text, std::string_view kind, std::string_view who) {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || json.value("kind", "") != kind)
        throw std::invalid_argument(fmt::format("{}: expected {{\"kind\": \"{}\"}}, got {}", who, kind, text.substr(0, 80)));
}

}  // namespace tapegrad::data
