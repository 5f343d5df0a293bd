// Fuzzes read_checkpoint (`translate eval/translate --checkpoint DIR`, `train --resume`): the input is
// DIR/checkpoint.safetensors. Every refusal is a std::runtime_error naming the file; an accepted
// checkpoint's config and trainer state round-trip, and rebuilding its tokenizers, vocabularies and model
// either works or is refused the same way.
#include <stdexcept>
#include <string>

#include "examples/translate/checkpoint.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad;
using namespace tapegrad::translate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::filesystem::path directory = fuzz::scratch_directory() / "checkpoint";
    static const bool created = std::filesystem::create_directories(directory);
    (void)created;
    const std::string file = checkpoint_file(directory).string();
    fuzz::write_bytes(file, fuzz::as_text(data, size));

    Checkpoint checkpoint;
    try {
        checkpoint = read_checkpoint(directory);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, file);
        return 0;
    }
    const std::string config_json = checkpoint.config.to_json();
    fuzz::require(TrainConfig::from_json(config_json).to_json() == config_json, "the config does not round-trip");
    const std::string state_json = checkpoint.state.to_json();
    fuzz::require(TrainerState::from_json(state_json).to_json() == state_json, "the trainer state does not round-trip");
    try {
        const Experiment experiment = checkpoint.experiment(RestoreSplits::skip);
        checkpoint.load_model(experiment);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, file, /*one_line=*/false);  // shape mismatches are listed one per line
    }
    return 0;
}
