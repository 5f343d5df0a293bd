// WordTokenizer: whitespace and punctuation splitting, and the spacing rule that rejoins tokens.
#include "data/word_tokenizer.h"

#include "data/utf8.h"

namespace tapegrad::data {

namespace {

constexpr std::u32string_view kClosing = U".,!?;:)]}…”»";
constexpr std::u32string_view kOpening = U"([{„“«¿¡";
constexpr std::u32string_view kNeutral = U"\"–—";

bool is_punctuation(char32_t cp) {
    return kClosing.find(cp) != kClosing.npos || kOpening.find(cp) != kOpening.npos ||
           kNeutral.find(cp) != kNeutral.npos;
}

bool is_ascii_digit(char32_t cp) { return cp >= U'0' && cp <= U'9'; }

// A token made of exactly one code point from `marks`.
bool is_single_mark(const std::string& token, std::u32string_view marks) {
    if (token.empty() || !is_valid_utf8(token)) return false;
    const std::u32string code_points = decode_utf8(token);
    return code_points.size() == 1 && marks.find(code_points[0]) != marks.npos;
}

}  // namespace

std::vector<std::string> WordTokenizer::tokenize(std::string_view text) const {
    validate_utf8(text, "WordTokenizer::tokenize");
    const std::u32string code_points = decode_utf8(text);
    std::vector<std::string> tokens;
    std::string word;
    auto end_word = [&] {
        if (!word.empty()) tokens.push_back(std::move(word));
        word.clear();
    };
    for (std::size_t i = 0; i < code_points.size(); ++i) {
        const char32_t cp = code_points[i];
        const bool between_digits = i > 0 && i + 1 < code_points.size() && is_ascii_digit(code_points[i - 1]) &&
                                    is_ascii_digit(code_points[i + 1]);
        if (is_whitespace(cp)) {
            end_word();
        } else if (is_punctuation(cp) && !(between_digits && (cp == U'.' || cp == U',' || cp == U':'))) {
            end_word();
            append_utf8(word, cp);
            end_word();
        } else {
            append_utf8(word, cp);
        }
    }
    end_word();
    return tokens;
}

std::string WordTokenizer::detokenize(const std::vector<std::string>& tokens) const {
    std::string text;
    bool previous_opens = true;  // nothing goes before the first token
    for (const auto& token : tokens) {
        if (!previous_opens && !is_single_mark(token, kClosing)) text += ' ';
        text += token;
        previous_opens = is_single_mark(token, kOpening);
    }
    return text;
}

std::string WordTokenizer::to_json() const { return stateless_tokenizer_json("word"); }

WordTokenizer WordTokenizer::from_json(const std::string& text) {
    check_stateless_tokenizer_json(text, "word", "WordTokenizer::from_json");
    return WordTokenizer();
}

}  // namespace tapegrad::data
