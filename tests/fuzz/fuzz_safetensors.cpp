// Fuzzes decode_safetensors, the reader under every checkpoint. Bad bytes must be refused with
// std::runtime_error naming the source; what it accepts must survive encode -> decode unchanged.
#include <stdexcept>
#include <string>

#include "autograd/serialize/safetensors.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad;

namespace {

void require_same_contents(const SafetensorsContents& a, const SafetensorsContents& b) {
    fuzz::require(a.metadata == b.metadata, "metadata changed through encode -> decode");
    fuzz::require(a.tensors.size() == b.tensors.size(), "tensor count changed through encode -> decode");
    for (std::size_t i = 0; i < a.tensors.size(); ++i) {
        const auto& [name_a, tensor_a] = a.tensors[i];
        const auto& [name_b, tensor_b] = b.tensors[i];
        fuzz::require(name_a == name_b, "tensor names or order changed through encode -> decode");
        fuzz::require(tensor_a.dtype() == tensor_b.dtype(), "a dtype changed through encode -> decode");
        fuzz::require(tensor_a.shape() == tensor_b.shape(), "a shape changed through encode -> decode");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::string source = "fuzz.safetensors";
    SafetensorsContents first;
    try {
        first = decode_safetensors(fuzz::as_text(data, size), source);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, source);
        return 0;
    }
    // Accepted: writing it must succeed, the file written must read back as the same tensors, and writing
    // that again must give the same bytes (the data included: the encoding is a function of the contents).
    const std::string encoded = encode_safetensors(first.tensors, first.metadata);
    const SafetensorsContents second = decode_safetensors(encoded, "re-encoded");
    require_same_contents(first, second);
    fuzz::require(encode_safetensors(second.tensors, second.metadata) == encoded,
                  "encode(decode(encode(x))) differs from encode(x)");
    return 0;
}
