// Saving and loading a module's state dict (parameters then buffers, by dotted name) as a safetensors
// file, the format PyTorch and the Hugging Face ecosystem read.
#pragma once

#include <filesystem>

#include "autograd/serialize/safetensors.h"
#include "nn/module.h"

namespace tapegrad::nn {

// Writes module.state_dict() to `path` atomically (an interrupted save leaves the old file, never a torn
// one), with `metadata` stored under "__metadata__".
void save_state_dict(const Module& module, const std::filesystem::path& path, const SafetensorsMetadata& metadata = {});

// Copies the tensors in `path` into the module's parameters and buffers (the handles stay the same) and
// returns the file's metadata. Nothing is copied unless everything matches: with strict, every name
// must be present in both with the same shape and dtype; without, only the names present in both are
// checked and loaded. Throws std::invalid_argument naming the path and listing every mismatch by name;
// std::runtime_error when the file cannot be read or is not valid safetensors.
SafetensorsMetadata load_state_dict(Module& module, const std::filesystem::path& path, bool strict = true);

}  // namespace tapegrad::nn
