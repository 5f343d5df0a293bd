// CharTokenizer: one token per character (Unicode code point), whitespace included.
#pragma once

#include "data/tokenizer.h"

namespace tapegrad::data {

// "Kot śpi." -> {"K", "o", "t", " ", "ś", "p", "i", "."}. detokenize concatenates, so the round trip is
// exact for every valid UTF-8 text. The natural choice for the reverse and dates tasks.
class CharTokenizer : public Tokenizer {
public:
    std::vector<std::string> tokenize(std::string_view text) const override;
    std::string detokenize(const std::vector<std::string>& tokens) const override;
    std::string name() const override { return "char"; }
    std::string to_json() const override;  // {"kind": "char"}
    static CharTokenizer from_json(const std::string& json);
};

}  // namespace tapegrad::data
