// UTF-8 decoding, validation and encoding (RFC 3629).
#include "data/utf8.h"

#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::data {

namespace {

// One decoded sequence: the code point and how many bytes it took, or an error description.
struct DecodeStep {
    char32_t code_point = 0;
    std::size_t length = 0;   // 0 when the sequence at this offset is invalid
    const char* error = nullptr;
};

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes the sequence starting at text[offset]. The lead byte says how many continuation bytes follow;
// the smallest value each length may encode rules out overlong forms (e.g. 0xC0 0x80 for NUL).
DecodeStep decode_one(std::string_view text, std::size_t offset) {
    const auto lead = static_cast<unsigned char>(text[offset]);
    if (lead < 0x80) return {lead, 1, nullptr};
    std::size_t length = 0;
    char32_t value = 0;
    char32_t min_value = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, value = lead & 0x1F, min_value = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, value = lead & 0x0F, min_value = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, value = lead & 0x07, min_value = 0x10000;
    } else {
        return {0, 0, is_continuation(lead) ? "unexpected continuation byte" : "invalid lead byte"};
    }
    if (offset + length > text.size()) return {0, 0, "truncated sequence"};
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[offset + i]);
        if (!is_continuation(byte)) return {0, 0, "truncated sequence"};
        value = (value << 6) | (byte & 0x3F);
    }
    if (value < min_value) return {0, 0, "overlong encoding"};
    if (value >= 0xD800 && value <= 0xDFFF) return {0, 0, "surrogate code point"};
    if (value > 0x10FFFF) return {0, 0, "code point above U+10FFFF"};
    return {value, length, nullptr};
}

[[noreturn]] void throw_invalid(std::string_view caller, std::string_view text, std::size_t offset,
                                const char* error) {
    throw std::invalid_argument(fmt::format("{}: invalid UTF-8 at byte offset {} (byte 0x{:02X}): {}", caller,
                                            offset, static_cast<unsigned char>(text[offset]), error));
}

// Calls on_char(code_point, offset, length) for every character; throws on the first invalid sequence.
template <typename OnChar> void for_each_char(std::string_view text, std::string_view caller, OnChar&& on_char) {
    for (std::size_t offset = 0; offset < text.size();) {
        const DecodeStep step = decode_one(text, offset);
        if (step.length == 0) throw_invalid(caller, text, offset, step.error);
        on_char(step.code_point, offset, step.length);
        offset += step.length;
    }
}

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
    for (std::size_t offset = 0; offset < text.size();) {
        const DecodeStep step = decode_one(text, offset);
        if (step.length == 0) return offset;
        offset += step.length;
    }
    return std::nullopt;
}

bool is_valid_utf8(std::string_view text) { return !find_invalid_utf8(text).has_value(); }

void validate_utf8(std::string_view text, std::string_view caller) {
    for_each_char(text, caller, [](char32_t, std::size_t, std::size_t) {});
}

std::u32string decode_utf8(std::string_view text) {
    std::u32string code_points;
    code_points.reserve(text.size());
    for_each_char(text, "decode_utf8",
                  [&](char32_t code_point, std::size_t, std::size_t) { code_points.push_back(code_point); });
    return code_points;
}

std::vector<std::string> split_utf8(std::string_view text) {
    std::vector<std::string> characters;
    characters.reserve(text.size());
    for_each_char(text, "split_utf8", [&](char32_t, std::size_t offset, std::size_t length) {
        characters.emplace_back(text.substr(offset, length));
    });
    return characters;
}

std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for_each_char(text, "utf8_length", [&](char32_t, std::size_t, std::size_t) { ++count; });
    return count;
}

void append_utf8(std::string& out, char32_t code_point) {
    const auto cp = static_cast<uint32_t>(code_point);
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        throw std::invalid_argument(
            fmt::format("append_utf8: U+{:04X} is not a Unicode scalar value and has no UTF-8 encoding", cp));
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encode_utf8(std::u32string_view code_points) {
    std::string out;
    out.reserve(code_points.size());
    for (char32_t cp : code_points) append_utf8(out, cp);
    return out;
}

bool is_whitespace(char32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

}  // namespace tapegrad::data
