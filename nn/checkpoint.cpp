// Checkpoints: a module's state dict through save_safetensors / load_safetensors.
#include "nn/checkpoint.h"

#include <stdexcept>

namespace tapegrad::nn {

void save_state_dict(const Module& module, const std::filesystem::path& path, const SafetensorsMetadata& metadata) {
    save_safetensors(path, module.state_dict(), metadata);
}

SafetensorsMetadata load_state_dict(Module& module, const std::filesystem::path& path, bool strict) {
    SafetensorsContents contents = load_safetensors(path);
    try {
        module.load_state_dict(contents.tensors, strict);
    } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(fmt::format("{}: {}", path.string(), error.what()));
    }
    return std::move(contents.metadata);
}

}  // namespace tapegrad::nn
