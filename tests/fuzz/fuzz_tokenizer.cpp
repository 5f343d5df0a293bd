// Fuzzes tokenizer_from_json (the source_tokenizer / target_tokenizer metadata of a checkpoint): refusals
// are std::invalid_argument; an accepted tokenizer round-trips through to_json and still tokenizes text
// of words separated by single spaces so that detokenize gives it back.
#include <memory>
#include <stdexcept>
#include <string>

#include "data/tokenizer.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::data;
namespace fuzz = tapegrad::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    std::unique_ptr<Tokenizer> tokenizer;
    try {
        tokenizer = tokenizer_from_json(std::string(fuzz::as_text(data, size)));
    } catch (const std::invalid_argument& error) {
        fuzz::require(std::string_view(error.what()).size() > 0, "an empty error message");
        return 0;
    }
    fuzz::require(tokenizer != nullptr, "tokenizer_from_json returned null");
    const std::string json = tokenizer->to_json();
    const std::unique_ptr<Tokenizer> again = tokenizer_from_json(json);
    fuzz::require(again->name() == tokenizer->name() && again->to_json() == json, "to_json -> from_json is not the identity");
    for (const std::string text : {"ala ma kota", "zażółć gęślą jaźń", "x"})
        fuzz::require(tokenizer->detokenize(tokenizer->tokenize(text)) == text, "detokenize(tokenize(text)) != text");
    return 0;
}
