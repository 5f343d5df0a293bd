// WordTokenizer: words and punctuation marks as tokens.
#pragma once

#include "data/tokenizer.h"

namespace tapegrad::data {

// Splitting: whitespace separates words; each punctuation mark is a token of its own:
//   closing  . , ! ? ; : ) ] } … ” »      opening  ( [ { „ “ « ¿ ¡      neutral  " – —
// Apostrophes and hyphens stay inside words ("don't", "well-known"), and so do . , : between two digits
// ("3.14", "1,000", "10:30", "27.11.2026"), as do / and other symbols ("11/27/26").
//   "Hello, world!"  -> {"Hello", ",", "world", "!"}
//
// Rejoining: tokens are joined with one space, except that no space goes before a closing mark and none
// after an opening mark: {"(", "yes", ")", "."} -> "(yes).". So detokenize(tokenize(text)) == text for
// text written with single spaces in the usual way (no space before . , ! ? ; : ) and none after ( „).
class WordTokenizer : public Tokenizer {
public:
    std::vector<std::string> tokenize(std::string_view text) const override;
    std::string detokenize(const std::vector<std::string>& tokens) const override;
    std::string name() const override { return "word"; }
    std::string to_json() const override;  // {"kind": "word"}
    static WordTokenizer from_json(const std::string& json);
};

}  // namespace tapegrad::data
