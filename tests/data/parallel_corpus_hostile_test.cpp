// read_tsv and write_tsv on hostile input: bounded lines and files, devices refused, and write_tsv then
// read_tsv the identity for every pair write_tsv accepts.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "data/parallel_corpus.h"

using namespace tapegrad::data;

namespace {

std::filesystem::path scratch_file(const std::string& name) {
    static std::atomic<int> counter{0};
    return std::filesystem::temp_directory_path() /
           ("tapegrad-tsv-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + name);
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("read_tsv: a line longer than the limit is refused with FILE:LINE, before reading on", "[data][tsv]") {
    const auto path = scratch_file("long.tsv");
    write_bytes(path, "a\tb\n" + std::string(kMaxTsvLineBytes + 1, 'x') + "\tb\n");
    CHECK_THROWS_WITH(read_tsv(path), Catch::Contains(path.string() + ":2: line longer than 65536 bytes"));
    write_bytes(path, "a\tb\n" + std::string(kMaxTsvLineBytes - 2, 'x') + "\tb\n");  // exactly at the limit
    CHECK(read_tsv(path).size() == 2);
    std::filesystem::remove(path);
}

TEST_CASE("read_tsv: devices are refused before reading", "[data][tsv]") {
    CHECK_THROWS_WITH(read_tsv("/dev/zero"), Catch::Contains("'/dev/zero' is a device, not a TSV file"));
    CHECK_THROWS_WITH(read_tsv("/dev/urandom"), Catch::Contains("is a device"));
}

TEST_CASE("read_tsv: a carriage return inside a line is refused with its offset", "[data][tsv]") {
    const auto path = scratch_file("cr.tsv");
    write_bytes(path, "ok\tfine\r\nab\rc\tx\n");
    CHECK_THROWS_WITH(read_tsv(path), Catch::Contains(path.string() + ":2: carriage return (\\r) at byte offset 2"));
    std::filesystem::remove(path);
}

TEST_CASE("write_tsv then read_tsv is the identity for every pair write_tsv accepts", "[data][tsv]") {
    const auto path = scratch_file("round.tsv");
    int refused = 0, kept = 0;
    for (int byte = 0; byte < 128; ++byte) {
        const std::string c(1, static_cast<char>(byte));
        for (const std::string& side : {c, c + "ab", "a" + c + "b", "ab" + c}) {
            const std::vector<SentencePair> pairs = {{side, "t"}, {"s", side}, {"x" + side, side + "y"}};
            try {
                write_tsv(path, pairs);
            } catch (const std::invalid_argument& error) {
                CHECK_THAT(error.what(), Catch::Contains("write_tsv: pair") && Catch::Contains("read_tsv would not give back"));
                ++refused;
                continue;
            }
            CAPTURE(byte, side);
            CHECK(read_tsv(path) == pairs);
            ++kept;
        }
    }
    CHECK(kept > 400);   // NUL and every other control byte but tab, CR and LF round-trip
    CHECK(refused > 0);  // tab, CR, LF, and leading or trailing spaces are refused
    // A byte-order mark opening the file would be taken for one.
    CHECK_THROWS_WITH(write_tsv(path, {{"\xEF\xBB\xBFx", "y"}}), Catch::Contains("byte-order mark"));
    std::filesystem::remove(path);
}

TEST_CASE("write_tsv accepts whatever read_tsv returns", "[data][tsv]") {
    const auto path = scratch_file("messy.tsv");
    write_bytes(path, "\xEF\xBB\xBF  a b \t c\x01 \textra\r\n\n\t \nd\x7f\te\n");
    const std::vector<SentencePair> pairs = read_tsv(path);
    REQUIRE(pairs.size() == 2);
    write_tsv(path, pairs);
    CHECK(read_tsv(path) == pairs);
    std::filesystem::remove(path);
}
