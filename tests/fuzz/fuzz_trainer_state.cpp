// Fuzzes TrainerState::from_json (the trainer_state metadata a resume reads): refusals are
// std::runtime_error naming the source; what it accepts round-trips through to_json.
#include <stdexcept>
#include <string>

#include "examples/translate/checkpoint.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::translate;
namespace fuzz = tapegrad::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::string source = "fuzz: trainer_state";
    TrainerState state;
    try {
        state = TrainerState::from_json(std::string(fuzz::as_text(data, size)), source);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, source);
        return 0;
    }
    fuzz::require(state.world_size >= 1 && state.world_size <= kMaxWorldSize, "world_size out of range");
    fuzz::require(state.other_ranks_generators.empty() ||
                      state.other_ranks_generators.size() == static_cast<std::size_t>(state.world_size - 1),
                  "other ranks' generators do not match world_size");
    const std::string json = state.to_json();
    fuzz::require(TrainerState::from_json(json, "written").to_json() == json, "to_json -> from_json is not the identity");
    return 0;
}
