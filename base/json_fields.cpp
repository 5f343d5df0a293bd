// JSON field readers with range checks and errors that name the file and the field.
#include "base/json_fields.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tapegrad {
namespace {

using Json = nlohmann::json;

// A short rendering of a value for messages (a hostile file may hold a megabyte-long string).
std::string shown(const Json& value) {
    if (value.is_number_float() && !std::isfinite(value.get<double>())) return fmt::format("{}", value.get<double>());
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

const Json* find_field(const Json& object, std::string_view key, const JsonSource& source) {
    require_object(object, source);
    const auto it = object.find(std::string(key));
    return it == object.end() ? nullptr : &*it;
}

[[noreturn]] void missing(const JsonSource& source, std::string_view key) {
    throw_file_error(source, key, "missing");
}

}  // namespace

std::string JsonSource::where() const { return part.empty() ? file : fmt::format("{}: {}", file, part); }

JsonSource JsonSource::field(std::string_view key) const {
    return {file, part.empty() ? std::string(key) : fmt::format("{}.{}", part, key)};
}

void throw_file_error(const JsonSource& source, std::string_view field, std::string_view problem) {
    if (field.empty()) throw std::runtime_error(fmt::format("{}: {}", source.where(), problem));
    throw std::runtime_error(fmt::format("{}: {}: {}", source.where(), field, problem));
}

Json parse_json(std::string_view text, const JsonSource& source, std::size_t max_bytes) {
    if (text.size() > max_bytes)
        throw_file_error(source, "", fmt::format("{} bytes of JSON, more than the limit of {}", text.size(), max_bytes));
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& error) {
        throw_file_error(source, "", fmt::format("not valid JSON (at byte {})", error.byte));
    } catch (const Json::exception&) {  // e.g. nesting too deep
        throw_file_error(source, "", "not valid JSON");
    }
}

void require_object(const Json& object, const JsonSource& source) {
    if (!object.is_object()) throw_file_error(source, "", fmt::format("expected a JSON object, got {}", object.type_name()));
}

int64_t read_int(const Json& object, std::string_view key, const JsonSource& source, int64_t min, int64_t max,
                 std::optional<int64_t> fallback) {
    const Json* value = find_field(object, key, source);
    if (!value) {
        if (fallback) return *fallback;
        missing(source, key);
    }
    const auto refuse = [&] {
        throw_file_error(source, key, fmt::format("{} is not an integer in [{}, {}]", shown(*value), min, max));
    };
    if (value->is_number_unsigned()) {
        const uint64_t number = value->get<uint64_t>();
        if (number > static_cast<uint64_t>(max)) refuse();
        if (static_cast<int64_t>(number) < min) refuse();
        return static_cast<int64_t>(number);
    }
    if (!value->is_number_integer()) refuse();  // floats (1e20, 2.5), strings, booleans, null
    const int64_t number = value->get<int64_t>();
    if (number < min || number > max) refuse();
    return number;
}

std::optional<uint64_t> parse_uint64(std::string_view text) {
    uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

uint64_t read_uint64(const Json& object, std::string_view key, const JsonSource& source,
                     std::optional<uint64_t> fallback) {
    const Json* value = find_field(object, key, source);
    if (!value) {
        if (fallback) return *fallback;
        missing(source, key);
    }
    if (value->is_number_unsigned()) return value->get<uint64_t>();
    if (value->is_string())
        if (auto number = parse_uint64(value->get_ref<const std::string&>())) return *number;
    throw_file_error(source, key, fmt::format("{} is not an unsigned 64-bit integer", shown(*value)));
}

double read_double(const Json& object, std::string_view key, const JsonSource& source, double min, double max,
                   std::optional<double> fallback) {
    const Json* value = find_field(object, key, source);
    if (!value) {
        if (fallback) return *fallback;
        missing(source, key);
    }
    if (!value->is_number())
        throw_file_error(source, key, fmt::format("{} is not a number in [{}, {}]", shown(*value), min, max));
    const double number = value->get<double>();
    if (!std::isfinite(number) || number < min || number > max)
        throw_file_error(source, key, fmt::format("{} is not a finite number in [{}, {}]", shown(*value), min, max));
    return number;
}

bool read_bool(const Json& object, std::string_view key, const JsonSource& source, std::optional<bool> fallback) {
    const Json* value = find_field(object, key, source);
    if (!value) {
        if (fallback) return *fallback;
        missing(source, key);
    }
    if (!value->is_boolean()) throw_file_error(source, key, fmt::format("{} is not true or false", shown(*value)));
    return value->get<bool>();
}

std::string read_string(const Json& object, std::string_view key, const JsonSource& source, std::size_t max_bytes,
                        std::optional<std::string> fallback) {
    const Json* value = find_field(object, key, source);
    if (!value) {
        if (fallback) return *fallback;
        missing(source, key);
    }
    if (!value->is_string()) throw_file_error(source, key, fmt::format("{} is not a string", shown(*value)));
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > max_bytes)
        throw_file_error(source, key, fmt::format("a string of {} bytes, more than the limit of {}", text.size(), max_bytes));
    return text;
}

std::string json_string_or_empty(const nlohmann::json& object, std::string_view key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t json_integer_or_zero(const nlohmann::json& object, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end()) return 0;
    if (it->is_number_integer() && !it->is_number_unsigned()) return it->get<int64_t>();
    if (it->is_number_unsigned() && it->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) return it->get<int64_t>();
    return 0;
}

}  // namespace tapegrad
