// Reading and writing the safetensors format (https://github.com/huggingface/safetensors), the
// checkpoint format shared with PyTorch and the Hugging Face ecosystem.
//
// Layout of a file:
//   8 bytes        N, the header length, a little-endian u64
//   N bytes        a JSON object (padded with trailing spaces so the data starts 8-byte aligned):
//                    {"__metadata__": {"key": "value", ...},
//                     "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
//   the rest       the data buffer: each tensor's elements, row-major and little-endian, at
//                  [begin, end) relative to the start of the data buffer
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "autograd/tensor.h"

namespace tapegrad {

// Named tensors in a chosen order (a checkpoint lists parameters in module order).
using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

// Free-form string metadata stored under "__metadata__" (framework, step, config, ...).
using SafetensorsMetadata = std::map<std::string, std::string>;

// The bytes of a safetensors file holding `tensors` (written as F32, F64, I64 or BOOL, row-major,
// whatever their strides; the data buffer follows the order of `tensors`) and `metadata`.
// Throws std::invalid_argument on an undefined tensor, an empty or duplicate name, or the reserved
// name "__metadata__".
std::string encode_safetensors(const NamedTensorList& tensors, const SafetensorsMetadata& metadata = {});

// encode_safetensors written to `path` with write_file_atomically: an interrupted save never leaves
// a torn checkpoint behind.
void save_safetensors(const std::filesystem::path& path, const NamedTensorList& tensors,
                      const SafetensorsMetadata& metadata = {});

// What a safetensors file holds. The tensors are fresh contiguous leaves (requires_grad false) that
// own their data, in the order the header lists them.
struct SafetensorsContents {
    NamedTensorList tensors;
    SafetensorsMetadata metadata;
    std::string source;  // the file (or other source) they came from, for error messages

    // The tensor called `name`; throws std::out_of_range naming it, the source and a few names that exist.
    Tensor get(const std::string& name) const;
    bool contains(const std::string& name) const;
};

// What a reader accepts at most (docs/reliability.md): the JSON header (the reference implementation's
// limit), the dimensions of one tensor, and the file load_safetensors reads.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100u << 20;
inline constexpr std::size_t kMaxSafetensorsRank = 64;
inline constexpr uint64_t kMaxSafetensorsFileBytes = uint64_t{64} << 30;

// Parses and validates safetensors bytes. Dtypes F32, F64, BF16, I64 and BOOL load as themselves; the
// integer dtypes I8, U8, I16, U16 and I32, U32 load as Int64. Every malformed input (truncated file,
// bad JSON, missing or mistyped fields, unknown or unsupported dtype such as F16, negative
// shape, a shape whose non-zero extents multiply past int64 (even with another extent 0), a header past
// kMaxSafetensorsHeaderBytes, offsets that are reversed, out of the buffer, of the wrong size or overlapping) throws
// std::runtime_error naming `source_name_for_errors`, the tensor and the problem. Gaps between
// tensors in the data buffer are accepted.
SafetensorsContents decode_safetensors(std::string_view bytes, const std::string& source_name_for_errors);

// read_file(path) then decode_safetensors, with the path as the source name. Refuses, before reading, a
// path that is not a regular file (a device, a FIFO) or is larger than kMaxSafetensorsFileBytes.
SafetensorsContents load_safetensors(const std::filesystem::path& path);

}  // namespace tapegrad
