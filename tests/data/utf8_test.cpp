// UTF-8 decoding, splitting, validation and encoding.
#include <catch2/catch.hpp>

#include "data/utf8.h"

using namespace tapegrad::data;

TEST_CASE("utf8: Polish letters are one character each", "[data][utf8]") {
    const std::string text = "żółć";
    CHECK(text.size() == 8);  // two bytes per letter
    CHECK(utf8_length(text) == 4);
    CHECK(split_utf8(text) == std::vector<std::string>{"ż", "ó", "ł", "ć"});
    CHECK(utf8_length("ąęłżźćńóś ĄĘŁŻŹĆŃÓŚ") == 19);
    CHECK(split_utf8("").empty());
}

TEST_CASE("utf8: decode and encode round trip for 1- to 4-byte characters", "[data][utf8]") {
    const std::string text = "a€ł😀z";
    const std::u32string code_points = decode_utf8(text);
    CHECK(code_points == std::u32string{U'a', U'€', U'ł', U'😀', U'z'});
    CHECK(code_points[1] == 0x20AC);
    CHECK(code_points[3] == 0x1F600);
    CHECK(encode_utf8(code_points) == text);
    CHECK(split_utf8(text) == std::vector<std::string>{"a", "€", "ł", "😀", "z"});
}

TEST_CASE("utf8: invalid sequences are found at the right byte offset", "[data][utf8]") {
    CHECK_FALSE(find_invalid_utf8("zażółć").has_value());
    CHECK(find_invalid_utf8("ab\xC3") == std::optional<std::size_t>(2));           // truncated
    CHECK(find_invalid_utf8("\x80" "abc") == std::optional<std::size_t>(0));       // stray continuation
    CHECK(find_invalid_utf8("ok\xC0\x80") == std::optional<std::size_t>(2));       // overlong NUL
    CHECK(find_invalid_utf8("x\xED\xA0\x80") == std::optional<std::size_t>(1));    // surrogate U+D800
    CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == std::optional<std::size_t>(0)); // above U+10FFFF
    CHECK(find_invalid_utf8("ż\xC5" "a") == std::optional<std::size_t>(2));        // lead byte without continuation
    CHECK(find_invalid_utf8("\xFF") == std::optional<std::size_t>(0));
    CHECK(is_valid_utf8("Zażółć gęślą jaźń"));
    CHECK_FALSE(is_valid_utf8("\xFE"));
}

TEST_CASE("utf8: invalid input throws naming the function and the byte offset", "[data][utf8]") {
    REQUIRE_THROWS_AS(decode_utf8("ab\xC3"), std::invalid_argument);
    REQUIRE_THROWS_WITH(decode_utf8("ab\xC3"),
                        Catch::Contains("decode_utf8") && Catch::Contains("byte offset 2") && Catch::Contains("0xC3"));
    REQUIRE_THROWS_WITH(split_utf8("żó\x80"), Catch::Contains("split_utf8") && Catch::Contains("byte offset 4"));
    REQUIRE_THROWS_WITH(validate_utf8("abc\xFF", "MyReader"),
                        Catch::Contains("MyReader") && Catch::Contains("byte offset 3"));
    REQUIRE_THROWS_WITH(utf8_length("\xC0\x80"), Catch::Contains("overlong"));
}

TEST_CASE("utf8: encoding rejects values that are not scalar values", "[data][utf8]") {
    std::string out;
    REQUIRE_THROWS_WITH(append_utf8(out, 0xD800), Catch::Contains("append_utf8") && Catch::Contains("U+D800"));
    REQUIRE_THROWS_AS(append_utf8(out, 0x110000), std::invalid_argument);
    append_utf8(out, 0x10FFFF);
    CHECK(out == "\xF4\x8F\xBF\xBF");
}

TEST_CASE("utf8: whitespace includes Unicode spaces but not letters", "[data][utf8]") {
    for (char32_t space : {U' ', U'\t', U'\n', U'\r', char32_t(0xA0), char32_t(0x2003), char32_t(0x3000)})
        CHECK(is_whitespace(space));
    for (char32_t other : {U'a', U'ż', U'.', U'_', char32_t(0x200B)}) CHECK_FALSE(is_whitespace(other));
}
