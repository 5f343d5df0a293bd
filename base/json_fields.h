// Reading fields of JSON a user handed us (config.json, checkpoint metadata, tokenizers), with errors
// that name the file and the field — "runs/x/checkpoint.safetensors: config: embed_dim: 1e+20 is not an
// integer in [1, 4096]" — never a JSON library's own text, and numbers range-checked before conversion.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace tapegrad {

// Where a JSON document came from, for messages: the file, and the part of it (a metadata key, a field
// path), e.g. {"runs/x/checkpoint.safetensors", "trainer_state"}. Errors read "FILE: PART: FIELD: problem".
struct JsonSource {
    std::string file;
    std::string part;  // may be empty

    // "FILE: PART" (or "FILE").
    std::string where() const;
    // A source for a nested object: part "PART.key".
    JsonSource field(std::string_view key) const;
};

// The error every reader of a user file throws: std::runtime_error with "FILE: FIELD: problem".
[[noreturn]] void throw_file_error(const JsonSource& source, std::string_view field, std::string_view problem);

// Parses `text` as JSON; on a syntax error throws "FILE: PART: not valid JSON (at byte N)". A document
// larger than max_bytes is refused before parsing.
nlohmann::json parse_json(std::string_view text, const JsonSource& source,
                          std::size_t max_bytes = std::size_t{256} << 20);

// `object` must be a JSON object (else "FILE: PART: expected a JSON object, got array").
void require_object(const nlohmann::json& object, const JsonSource& source);

// The integer field `key` of `object`, in [min, max]. Missing: `fallback` if given, else an error.
// Refused with the field named: non-integers (1.5, 1e20, "7", true), values outside [min, max].
int64_t read_int(const nlohmann::json& object, std::string_view key, const JsonSource& source, int64_t min,
                 int64_t max, std::optional<int64_t> fallback = std::nullopt);
// The same for unsigned 64-bit values (seeds), which may be written as a number or a decimal string.
uint64_t read_uint64(const nlohmann::json& object, std::string_view key, const JsonSource& source,
                     std::optional<uint64_t> fallback = std::nullopt);
// A finite number in [min, max] (integers are accepted as numbers). NaN, infinities and JSON null are refused.
double read_double(const nlohmann::json& object, std::string_view key, const JsonSource& source, double min,
                   double max, std::optional<double> fallback = std::nullopt);
bool read_bool(const nlohmann::json& object, std::string_view key, const JsonSource& source,
               std::optional<bool> fallback = std::nullopt);
// A string of at most max_bytes bytes.
std::string read_string(const nlohmann::json& object, std::string_view key, const JsonSource& source,
                        std::size_t max_bytes = 4096, std::optional<std::string> fallback = std::nullopt);

// For a format check that must not throw a library's error on a field of the wrong type (json.value does):
// the string at `key`, or "" when it is absent or not a string; the integer at `key`, or 0 when it is absent,
// not an integer or outside int64.
std::string json_string_or_empty(const nlohmann::json& object, std::string_view key);
int64_t json_integer_or_zero(const nlohmann::json& object, std::string_view key);

// A decimal unsigned 64-bit integer ("18446744073709551615"), or nullopt: no sign, no spaces, no overflow.
std::optional<uint64_t> parse_uint64(std::string_view text);

}  // namespace tapegrad
