// Tokenizer: the interface that turns text into tokens (strings) and back. Tokens become ids through a Vocab.
//
// Three kinds, one file each: CharTokenizer (data/char_tokenizer.h), WordTokenizer (data/word_tokenizer.h),
// BpeTokenizer (data/bpe_tokenizer.h). Every kind saves itself as JSON with a "kind" field, so a trained
// tokenizer travels with a checkpoint and tokenizer_from_json() restores the right kind.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::data {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Text (UTF-8) -> tokens. Throws std::invalid_argument on invalid UTF-8.
    virtual std::vector<std::string> tokenize(std::string_view text) const = 0;
    // Tokens -> text. Each kind documents when detokenize(tokenize(text)) == text.
    virtual std::string detokenize(const std::vector<std::string>& tokens) const = 0;
    // "char", "word" or "bpe": the name make_tokenizer() takes.
    virtual std::string name() const = 0;
    // Everything needed to rebuild this tokenizer, as JSON text with "kind": name().
    virtual std::string to_json() const = 0;
};

// The names make_tokenizer accepts: {"char", "word", "bpe"}.
std::vector<std::string> tokenizer_names();

// A fresh tokenizer of the named kind ("bpe" comes untrained: it splits into characters until
// BpeTokenizer::train is called). Throws std::invalid_argument listing the known names.
std::unique_ptr<Tokenizer> make_tokenizer(std::string_view name);

// Rebuilds a tokenizer saved with to_json(), dispatching on its "kind".
std::unique_ptr<Tokenizer> tokenizer_from_json(const std::string& json);

// The JSON of a kind with no state to save (char, word): {"kind": kind}. The check throws
// std::invalid_argument naming `who` (the caller's from_json) and the text unless `json` is exactly that.
std::string stateless_tokenizer_json(std::string_view kind);
void check_stateless_tokenizer_json(const std::string& json, std::string_view kind, std::string_view who);

}  // namespace tapegrad::data
