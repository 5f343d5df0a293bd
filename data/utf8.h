// UTF-8: decoding to code points, splitting into characters, validation and encoding.
//
// A "character" throughout data/ is one Unicode code point, so the Polish letters ą ę ł ż ź ć ń ó ś are
// one character each even though each takes two bytes. (Combining sequences such as "e" + U+0328 stay two
// characters; the corpora here use precomposed letters, so grapheme clusters are not needed.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::data {

// Byte offset of the first invalid sequence in `text`, or nullopt when it is valid UTF-8. Invalid means:
// a stray continuation byte, a truncated sequence, an overlong encoding, a surrogate (U+D800..U+DFFF),
// or a value above U+10FFFF.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

bool is_valid_utf8(std::string_view text);

// Throws std::invalid_argument naming `caller`, the byte offset and the offending byte when `text` is not
// valid UTF-8.
void validate_utf8(std::string_view text, std::string_view caller = "validate_utf8");

// The code points of `text`; throws std::invalid_argument (with the byte offset) on invalid UTF-8.
std::u32string decode_utf8(std::string_view text);

// `text` cut into characters, each one code point kept as its UTF-8 bytes: "żółć" -> {"ż", "ó", "ł", "ć"}.
// Throws std::invalid_argument (with the byte offset) on invalid UTF-8.
std::vector<std::string> split_utf8(std::string_view text);

// Number of characters (code points); throws like decode_utf8.
std::size_t utf8_length(std::string_view text);

// Appends the UTF-8 bytes of one code point; throws std::invalid_argument for a surrogate or a value
// above U+10FFFF, which have no UTF-8 encoding.
void append_utf8(std::string& out, char32_t code_point);

// The UTF-8 bytes of a sequence of code points (the inverse of decode_utf8).
std::string encode_utf8(std::u32string_view code_points);

// Unicode White_Space (ASCII space, tab, newlines, no-break space, the U+2000 spaces, ...): what the word
// and BPE tokenizers split on.
bool is_whitespace(char32_t code_point);

}  // namespace tapegrad::data
