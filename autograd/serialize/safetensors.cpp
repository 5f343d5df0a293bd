// The safetensors format: encoding tensors into it, and decoding with validation of every field.
#include "autograd/serialize/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"

namespace tapegrad {

// The format is little-endian; we copy element bytes straight through.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

namespace {

// ordered_json keeps the header's key order, so tensors come back in the order they were saved.
using Json = nlohmann::ordered_json;

constexpr std::size_t kLengthBytes = 8;  // the u64 header length that opens every file

// Converts `count` elements stored in the file as S into a tensor buffer of T.
template <typename S, typename T> void convert(const char* source, int64_t count, void* out) {
    if constexpr (std::is_same_v<S, T>) {
        std::memcpy(out, source, static_cast<std::size_t>(count) * sizeof(T));
    } else {
        for (int64_t i = 0; i < count; ++i) {
            S value;
            std::memcpy(&value, source + i * sizeof(S), sizeof(S));
            // For BOOL any non-zero byte is true: a bool object holding e.g. 2 would be undefined behaviour.
            static_cast<T*>(out)[i] = static_cast<T>(value);
        }
    }
}

// How a safetensors dtype name maps onto ours. `load_as` is the dtype a tensor of this name loads as;
// the integer types narrower than 64 bits widen to Int64 (token ids and indices are Int64 here).
struct DtypeEntry {
    std::string_view name;
    std::size_t size;  // bytes per element in the file
    DType load_as;
    void (*load)(const char* source, int64_t count, void* out);
};

constexpr DtypeEntry kReadable[] = {
    {"F32", 4, DType::Float32, convert<float, float>},     {"F64", 8, DType::Float64, convert<double, double>},
    {"I64", 8, DType::Int64, convert<int64_t, int64_t>},   {"BOOL", 1, DType::Bool, convert<uint8_t, bool>},
    {"I8", 1, DType::Int64, convert<int8_t, int64_t>},     {"U8", 1, DType::Int64, convert<uint8_t, int64_t>},
    {"I16", 2, DType::Int64, convert<int16_t, int64_t>},   {"U16", 2, DType::Int64, convert<uint16_t, int64_t>},
    {"I32", 4, DType::Int64, convert<int32_t, int64_t>},   {"U32", 4, DType::Int64, convert<uint32_t, int64_t>},
    {"BF16", 2, DType::BFloat16, convert<bfloat16, bfloat16>},
};
// Names the format defines that we cannot hold without loss (no IEEE half precision here; U64 overflows Int64).
constexpr std::string_view kUnsupported[] = {"F16", "U64", "F8_E4M3", "F8_E5M2"};

std::string_view safetensors_name(DType dtype) {
    switch (dtype) {
        case DType::Float32: return "F32";
        case DType::Float64: return "F64";
        case DType::Int64: return "I64";
        case DType::Bool: return "BOOL";
        case DType::BFloat16: return "BF16";
    }
    return "?";
}

// Calls fn(offset) for every element of (shape, strides) in row-major order: an odometer over the index.
template <typename Fn> void for_each_offset(const Shape& shape, const Shape& strides, Fn&& fn) {
    if (shape_numel(shape) == 0) return;
    std::vector<int64_t> index(shape.size(), 0);
    int64_t offset = 0;
    while (true) {
        fn(offset);
        int64_t axis = static_cast<int64_t>(shape.size()) - 1;
        for (; axis >= 0; --axis) {
            if (++index[axis] < shape[axis]) {
                offset += strides[axis];
                break;
            }
            offset -= strides[axis] * (shape[axis] - 1);
            index[axis] = 0;
        }
        if (axis < 0) return;
    }
}

// Appends the elements of `tensor` row-major; one memcpy when it is already contiguous.
void append_elements(std::string& out, const Tensor& tensor) {
    visit_dtype(tensor.dtype(), [&]<typename T>() {
        const T* base = tensor.data<T>();
        if (tensor.is_contiguous()) {
            out.append(reinterpret_cast<const char*>(base), tensor.numel() * sizeof(T));
            return;
        }
        for_each_offset(tensor.shape(), tensor.strides(), [&](int64_t offset) {
            out.append(reinterpret_cast<const char*>(base + offset), sizeof(T));
        });
    });
}

}  // namespace

std::string encode_safetensors(const NamedTensorList& tensors, const SafetensorsMetadata& metadata) {
    Json header = Json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> seen;
    std::string data;
    for (const auto& [name, tensor] : tensors) {
        if (name.empty() || name == "__metadata__")
            throw std::invalid_argument(fmt::format("encode_safetensors: invalid tensor name '{}'", name));
        if (!seen.insert(name).second)
            throw std::invalid_argument(fmt::format("encode_safetensors: duplicate tensor name '{}'", name));
        if (!tensor.defined())
            throw std::invalid_argument(fmt::format("encode_safetensors: tensor '{}' is undefined", name));
        const std::size_t begin = data.size();
        append_elements(data, tensor);
        header[name] = {{"dtype", safetensors_name(tensor.dtype())},
                        {"shape", tensor.shape()},
                        {"data_offsets", {begin, data.size()}}};
    }
    std::string header_text = header.dump();
    // Spaces are valid trailing JSON; padding to 8 bytes makes the data buffer 8-byte aligned in the file.
    header_text.append((kLengthBytes - header_text.size() % kLengthBytes) % kLengthBytes, ' ');

    const uint64_t header_length = header_text.size();
    std::string bytes(kLengthBytes, '\0');
    std::memcpy(bytes.data(), &header_length, kLengthBytes);
    bytes += header_text;
    bytes += data;
    return bytes;
}

void save_safetensors(const std::filesystem::path& path, const NamedTensorList& tensors,
                      const SafetensorsMetadata& metadata) {
    write_file_atomically(path, encode_safetensors(tensors, metadata));
}

bool SafetensorsContents::contains(const std::string& name) const {
    return std::any_of(tensors.begin(), tensors.end(), [&](const auto& entry) { return entry.first == name; });
}

Tensor SafetensorsContents::get(const std::string& name) const {
    for (const auto& [entry_name, tensor] : tensors)
        if (entry_name == name) return tensor;
    constexpr std::size_t kShown = 5;
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < std::min(kShown, tensors.size()); ++i) shown.push_back("'" + tensors[i].first + "'");
    throw std::out_of_range(fmt::format("SafetensorsContents::get: no tensor '{}' in '{}'; it holds {} tensor(s): {}{}",
                                        name, source, tensors.size(), fmt::join(shown, ", "),
                                        tensors.size() > kShown ? ", ..." : ""));
}

// ---- Decoding ----

namespace {

// Throws the decoding error for one source: "decode_safetensors: 'model.safetensors': <problem>".
class Problems {
public:
    explicit Problems(const std::string& source) : source_(source) {}
    template <typename... Args> [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
        throw std::runtime_error(fmt::format("decode_safetensors: '{}': {}", source_,
                                             one_line(fmt::format(format, std::forward<Args>(args)...))));
    }

private:
    // The problem quotes names and values from the file, which may hold newlines and other control bytes
    // (found by tests/fuzz/fuzz_checkpoint: a dtype string spanning half the header). Escaped, and cut at
    // 1000 bytes, the error stays one readable line.
    static std::string one_line(const std::string& problem) {
        constexpr std::size_t kMaxBytes = 1000;
        std::string line;
        for (const char c : problem) {
            if (line.size() >= kMaxBytes) return line + "...";
            if (c == '\n') line += "\\n";
            else if (c == '\r') line += "\\r";
            else if (c == '\t') line += "\\t";
            else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
                line += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
            else line += c;
        }
        return line;
    }

    const std::string& source_;
};

// A product that overflows can never match a real byte count, so it only has to stay too large.
uint64_t saturating_multiply(uint64_t a, uint64_t b) {
    uint64_t product = 0;
    return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<uint64_t>::max() : product;
}

// A non-negative JSON integer as uint64, or an error naming `what`.
uint64_t non_negative_integer(const Json& value, const Problems& problems, const std::string& what) {
    if (!value.is_number_integer()) problems.fail("{} must be an integer, got {}", what, value.dump());
    if (!value.is_number_unsigned()) problems.fail("{} must not be negative, got {}", what, value.dump());
    return value.get<uint64_t>();
}

// `key` of a tensor's entry, required to be an array.
const Json& array_field(const Json& entry, const char* key, const std::string& tensor, const Problems& problems) {
    if (!entry.contains(key)) problems.fail("tensor '{}' has no \"{}\"", tensor, key);
    const Json& value = entry.at(key);
    if (!value.is_array()) problems.fail("tensor '{}': \"{}\" must be an array, got {}", tensor, key, value.dump());
    return value;
}

const DtypeEntry& dtype_entry(const Json& entry, const std::string& tensor, const Problems& problems) {
    if (!entry.contains("dtype")) problems.fail("tensor '{}' has no \"dtype\"", tensor);
    const Json& value = entry.at("dtype");
    if (!value.is_string()) problems.fail("tensor '{}': \"dtype\" must be a string, got {}", tensor, value.dump());
    const std::string name = value.get<std::string>();
    for (const DtypeEntry& known : kReadable)
        if (known.name == name) return known;
    if (std::find(std::begin(kUnsupported), std::end(kUnsupported), name) != std::end(kUnsupported))
        problems.fail("unsupported dtype {} for tensor '{}' (readable: F32, F64, BF16, I64, BOOL, and I8, U8, I16, U16, "
                      "I32, U32 as int64)", name, tensor);
    problems.fail("unknown dtype '{}' for tensor '{}'", name, tensor);
}

struct ByteRange {
    uint64_t begin, end;
    std::string tensor;
};

}  // namespace

SafetensorsContents decode_safetensors(std::string_view bytes, const std::string& source_name_for_errors) {
    const Problems problems(source_name_for_errors);
    if (bytes.size() < kLengthBytes)
        problems.fail("file is {} bytes, shorter than the 8-byte header length", bytes.size());
    uint64_t header_length = 0;
    std::memcpy(&header_length, bytes.data(), kLengthBytes);
    if (header_length > kMaxSafetensorsHeaderBytes)
        problems.fail("header length {} is more than the limit of {} bytes", header_length, kMaxSafetensorsHeaderBytes);
    if (header_length > bytes.size() - kLengthBytes)
        problems.fail("header length {} goes past the end of the file ({} bytes)", header_length, bytes.size());
    const std::string_view header_text = bytes.substr(kLengthBytes, header_length);
    const std::string_view data = bytes.substr(kLengthBytes + header_length);

    // A JSON parser keeps the last of repeated keys; a repeated tensor name would silently lose data.
    std::set<std::string> names;
    std::string duplicate;
    const auto note_duplicates = [&](int depth, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second)
            duplicate = parsed.get<std::string>();
        return true;
    };
    Json header;
    try {
        header = Json::parse(header_text.begin(), header_text.end(), note_duplicates);
    } catch (const Json::exception& error) {
        problems.fail("header is not valid JSON: {}", error.what());
    }
    if (!header.is_object()) problems.fail("header must be a JSON object, got {}", header.type_name());
    if (!duplicate.empty()) problems.fail("header lists '{}' twice", duplicate);

    SafetensorsContents contents;
    contents.source = source_name_for_errors;
    std::vector<ByteRange> ranges;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) problems.fail("\"__metadata__\" must be an object, got {}", entry.dump());
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string())
                    problems.fail("metadata value for key '{}' must be a string, got {}", key, value.dump());
                contents.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        if (!entry.is_object()) problems.fail("entry for tensor '{}' must be an object, got {}", name, entry.dump());
        const DtypeEntry& dtype = dtype_entry(entry, name, problems);

        Shape shape;
        uint64_t numel = 1;
        // The product of the non-zero extents bounds every stride: it must fit int64 even when another
        // extent is 0 (no data, but strides computed from the others would overflow).
        uint64_t nonzero_product = 1;
        const Json& shape_json = array_field(entry, "shape", name, problems);
        if (shape_json.size() > kMaxSafetensorsRank)
            problems.fail("tensor '{}': {} dimensions, more than the limit of {}", name, shape_json.size(),
                          kMaxSafetensorsRank);
        for (const Json& size : shape_json) {
            const uint64_t extent = non_negative_integer(size, problems, fmt::format("tensor '{}': shape entry", name));
            if (extent > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                problems.fail("tensor '{}': shape entry {} is too large", name, extent);
            shape.push_back(static_cast<int64_t>(extent));
            numel = saturating_multiply(numel, extent);
            if (extent != 0) nonzero_product = saturating_multiply(nonzero_product, extent);
        }
        if (nonzero_product > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            problems.fail("tensor '{}': shape {} has more elements than int64 can count", name, shape_json.dump());
        const uint64_t expected_bytes = saturating_multiply(numel, dtype.size);

        const Json& offsets = array_field(entry, "data_offsets", name, problems);
        if (offsets.size() != 2)
            problems.fail("tensor '{}': \"data_offsets\" must be [begin, end], got {}", name, offsets.dump());
        const std::string what = fmt::format("tensor '{}': data_offsets entry", name);
        const uint64_t begin = non_negative_integer(offsets[0], problems, what);
        const uint64_t end = non_negative_integer(offsets[1], problems, what);
        if (end < begin) problems.fail("tensor '{}': data_offsets [{}, {}] end before they begin", name, begin, end);
        if (end > data.size())
            problems.fail("tensor '{}': data_offsets [{}, {}] go past the end of the data buffer ({} bytes)", name,
                          begin, end, data.size());
        if (end - begin != expected_bytes)
            problems.fail("tensor '{}': data_offsets [{}, {}] hold {} bytes, but dtype {} and shape {} need {}", name,
                          begin, end, end - begin, dtype.name, shape_string(shape), numel * dtype.size);

        Tensor tensor = empty(shape, {.dtype = dtype.load_as});
        dtype.load(data.data() + begin, tensor.numel(), tensor.raw_data());
        contents.tensors.emplace_back(name, tensor);
        if (end > begin) ranges.push_back({begin, end, name});
    }

    // Tensors must not share bytes. Gaps are allowed: some writers align each tensor, and the skipped
    // bytes harm nothing (the reference implementation is stricter and rejects them).
    std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
    const ByteRange* furthest = nullptr;  // among the ranges so far, the one reaching furthest
    for (const ByteRange& range : ranges) {
        if (furthest != nullptr && range.begin < furthest->end)
            problems.fail("tensors '{}' [{}, {}) and '{}' [{}, {}) overlap in the data buffer", furthest->tensor,
                          furthest->begin, furthest->end, range.tensor, range.begin, range.end);
        if (furthest == nullptr || range.end > furthest->end) furthest = &range;
    }
    return contents;
}

SafetensorsContents load_safetensors(const std::filesystem::path& path) {
    // Only a regular file of bounded size is read: a device (/dev/zero) or a huge file is refused first.
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw std::runtime_error(fmt::format("load_safetensors: '{}' is not a regular file", path.string()));
    if (const auto size = std::filesystem::file_size(path, error); !error && size > kMaxSafetensorsFileBytes)
        throw std::runtime_error(fmt::format("load_safetensors: '{}' is {} bytes, more than the limit of {}",
                                             path.string(), size, kMaxSafetensorsFileBytes));
    return decode_safetensors(read_file(path), path.string());
}

}  // namespace tapegrad
