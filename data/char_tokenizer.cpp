// CharTokenizer: text <-> one token per code point.
#include "data/char_tokenizer.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/utf8.h"

namespace tapegrad::data {

std::vector<std::string> CharTokenizer::tokenize(std::string_view text) const {
    validate_utf8(text, "CharTokenizer::tokenize");
    return split_utf8(text);
}

std::string CharTokenizer::detokenize(const std::vector<std::string>& tokens) const {
    std::string text;
    for (const auto& token : tokens) text += token;
    return text;
}

std::string CharTokenizer::to_json() const { return nlohmann::json{{"kind", "char"}}.dump(); }

CharTokenizer CharTokenizer::from_json(const std::string& text) {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || json.value("kind", "") != "char")
        throw std::invalid_argument(fmt::format("CharTokenizer::from_json: expected {{\"kind\": \"char\"}}, got {}",
                                                text.substr(0, 80)));
    return CharTokenizer();
}

}  // namespace tapegrad::data
