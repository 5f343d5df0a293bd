// CharTokenizer: text <-> one token per code point.
#include "data/char_tokenizer.h"

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

std::string CharTokenizer::to_json() const { return stateless_tokenizer_json("char"); }

CharTokenizer CharTokenizer::from_json(const std::string& text) {
    check_stateless_tokenizer_json(text, "char", "CharTokenizer::from_json");
    return CharTokenizer();
}

}  // namespace tapegrad::data
