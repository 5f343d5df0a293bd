// Fuzzes Vocab::from_json (source_vocab / target_vocab of a checkpoint): refusals are
// std::invalid_argument; an accepted vocabulary starts with the special tokens, maps every token to its
// id and back, and round-trips through to_json.
#include <stdexcept>
#include <string>

#include "data/vocab.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::data;
namespace fuzz = tapegrad::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    Vocab vocab;
    try {
        vocab = Vocab::from_json(std::string(fuzz::as_text(data, size)));
    } catch (const std::invalid_argument& error) {
        fuzz::require(std::string_view(error.what()).find("Vocab") != std::string_view::npos,
                      "the error does not name Vocab");
        return 0;
    }
    fuzz::require(vocab.size() >= Vocab::kNumSpecial && vocab.size() <= Vocab::kMaxSize, "vocab size out of range");
    fuzz::require(vocab.token(Vocab::kPadId) == Vocab::kPadToken && vocab.token(Vocab::kUnkId) == Vocab::kUnkToken,
                  "the special tokens are not first");
    for (int64_t id = 0; id < vocab.size(); ++id)
        fuzz::require(vocab.id(vocab.token(id)) == id, "id(token(i)) != i");
    const std::string json = vocab.to_json();
    fuzz::require(Vocab::from_json(json) == vocab && Vocab::from_json(json).to_json() == json,
                  "to_json -> from_json is not the identity");
    return 0;
}
