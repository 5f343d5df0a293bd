// base/json_fields: every reader names the file and the field, checks ranges before converting, and never
// lets a JSON library's message through.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "base/json_fields.h"

using namespace tapegrad;

namespace {
const JsonSource kSource{"run/config.json", ""};
nlohmann::json parsed(const std::string& text) { return parse_json(text, kSource); }
}  // namespace

TEST_CASE("json_fields: integers are range-checked before conversion", "[json_fields]") {
    const auto json = parsed(R"({"a": 7, "huge": 1e20, "neg": -1, "big": 18446744073709551615, "half": 2.5,
                                  "text": "7", "flag": true})");
    CHECK(read_int(json, "a", kSource, 1, 10) == 7);
    CHECK(read_int(json, "absent", kSource, 1, 10, 3) == 3);
    for (const auto& [key, shown] : {std::pair{"huge", "1e+20"}, std::pair{"neg", "-1"},
                                     std::pair{"big", "18446744073709551615"}, std::pair{"half", "2.5"},
                                     std::pair{"text", "\"7\""}, std::pair{"flag", "true"}})
        CHECK_THROWS_WITH(read_int(json, key, kSource, 0, 4096),
                          std::string("run/config.json: ") + key + ": " + shown + " is not an integer in [0, 4096]");
    CHECK_THROWS_WITH(read_int(json, "absent", kSource, 1, 10), "run/config.json: absent: missing");
}

TEST_CASE("json_fields: doubles must be finite, strings bounded, seeds full 64-bit", "[json_fields]") {
    const auto json = parsed(R"({"x": 0.5, "null": null, "big": 1e308, "s": "abcdef", "seed": "18446744073709551615",
                                  "seed_num": 12, "bad_seed": "-1"})");
    CHECK(read_double(json, "x", kSource, 0, 1) == 0.5);
    CHECK_THROWS_WITH(read_double(json, "null", kSource, 0, 1), Catch::Contains("null: null is not a number"));
    CHECK_THROWS_WITH(read_double(json, "big", kSource, 0, 1e9), Catch::Contains("big: 1e+308 is not a finite number in"));
    CHECK(read_string(json, "s", kSource) == "abcdef");
    CHECK_THROWS_WITH(read_string(json, "s", kSource, 3), Catch::Contains("s: a string of 6 bytes, more than the limit of 3"));
    CHECK(read_uint64(json, "seed", kSource) == 18446744073709551615ull);
    CHECK(read_uint64(json, "seed_num", kSource) == 12);
    CHECK_THROWS_WITH(read_uint64(json, "bad_seed", kSource), Catch::Contains("bad_seed: \"-1\" is not an unsigned"));
}

TEST_CASE("json_fields: broken JSON names the file and the byte, not the library", "[json_fields]") {
    CHECK_THROWS_WITH(parsed("{\"a\": "), Catch::StartsWith("run/config.json: not valid JSON (at byte") &&
                                              !Catch::Contains("json.exception"));
    CHECK_THROWS_WITH(parse_json(std::string(100, ' '), kSource, 10), Catch::Contains("100 bytes of JSON, more than"));
    CHECK_THROWS_WITH(read_int(parsed("[1]"), "a", kSource, 0, 1), "run/config.json: expected a JSON object, got array");
    const JsonSource nested = JsonSource{"ckpt.safetensors", "trainer_state"}.field("generators");
    CHECK_THROWS_WITH(read_int(parsed("{}"), "n", nested, 0, 1), "ckpt.safetensors: trainer_state.generators: n: missing");
}
