// TSV reading (Tatoeba layout, CRLF, errors with path:line) and leak-free, deterministic splits.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "data/parallel_corpus.h"
#include "data/tasks/reverse.h"

using namespace tapegrad::data;
namespace fs = std::filesystem;

namespace {

// A scratch file under the system temp directory, removed at the end of the test.
class TempFile {
public:
    explicit TempFile(const std::string& name, const std::string& contents) {
        const fs::path dir = fs::temp_directory_path() / "tapegrad_data_tests";
        fs::create_directories(dir);
        path_ = dir / name;
        std::ofstream(path_, std::ios::binary) << contents;
    }
    ~TempFile() { fs::remove(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

}  // namespace

TEST_CASE("parallel_corpus: read_tsv reads Tatoeba exports, ignoring extra columns", "[data][corpus]") {
    const TempFile file("tatoeba.tsv",
                        "\xEF\xBB\xBFGo.\tIdź.\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM)\r\n"
                        "\r\n"
                        "I see the cat.\tWidzę kota.\r\n"
                        "   \n"
                        "  Spaces around \t  trimmed  \n");
    const auto pairs = read_tsv(file.path());
    REQUIRE(pairs.size() == 3);
    CHECK(pairs[0] == SentencePair{"Go.", "Idź."});
    CHECK(pairs[1] == SentencePair{"I see the cat.", "Widzę kota."});
    CHECK(pairs[2] == SentencePair{"Spaces around", "trimmed"});
}

TEST_CASE("parallel_corpus: read_tsv errors name the path and the line", "[data][corpus]") {
    const TempFile no_tab("no_tab.tsv", "a\tb\n\nno tab here\n");
    const std::string where = no_tab.path().string() + ":3:";
    REQUIRE_THROWS_AS(read_tsv(no_tab.path()), std::runtime_error);
    REQUIRE_THROWS_WITH(read_tsv(no_tab.path()), Catch::Contains(where) && Catch::Contains("no tab"));

    const TempFile empty_target("empty_target.tsv", "a\tb\r\nc\t  \r\n");
    REQUIRE_THROWS_WITH(read_tsv(empty_target.path()),
                        Catch::Contains(empty_target.path().string() + ":2:") && Catch::Contains("empty target"));

    const TempFile empty_source("empty_source.tsv", "\tb\n");
    REQUIRE_THROWS_WITH(read_tsv(empty_source.path()),
                        Catch::Contains(empty_source.path().string() + ":1:") && Catch::Contains("empty source"));

    const TempFile bad_utf8("bad_utf8.tsv", "ok\tdobrze\nźle\t\xC5\n");
    REQUIRE_THROWS_WITH(read_tsv(bad_utf8.path()), Catch::Contains(bad_utf8.path().string() + ":2:") &&
                                                       Catch::Contains("invalid UTF-8") &&
                                                       Catch::Contains("byte offset 5"));

    REQUIRE_THROWS_WITH(read_tsv("/nonexistent/corpus.tsv"),
                        Catch::Contains("read_tsv") && Catch::Contains("/nonexistent/corpus.tsv"));
}

TEST_CASE("parallel_corpus: read_tsv of a directory says so instead of reading no pairs", "[data][corpus]") {
    const fs::path dir = fs::temp_directory_path() / "tapegrad_data_tests" / "a_directory.tsv";
    fs::create_directories(dir);
    REQUIRE_THROWS_WITH(read_tsv(dir), Catch::Contains(dir.string()) && Catch::Contains("is a directory"));
    fs::remove(dir);
}

TEST_CASE("parallel_corpus: read_numbered_tsv keeps each pair's line, counting skipped blank lines", "[data][corpus]") {
    const TempFile file("numbered.tsv", "a\tb\n\n  \nc\td\r\ne\tf\n");
    const auto pairs = read_numbered_tsv(file.path());
    REQUIRE(pairs.size() == 3);
    CHECK(pairs[0].line == 1);
    CHECK(pairs[1].line == 4);
    CHECK(pairs[1].pair == SentencePair{"c", "d"});
    CHECK(pairs[2].line == 5);
}

TEST_CASE("parallel_corpus: write_tsv and read_tsv round trip", "[data][corpus]") {
    const std::vector<SentencePair> pairs = {{"I see the cat.", "Widzę kota."}, {"żółć", "bile"}};
    const TempFile file("round_trip.tsv", "");
    write_tsv(file.path(), pairs);
    CHECK(read_tsv(file.path()) == pairs);
    REQUIRE_THROWS_WITH(write_tsv(file.path(), {{"a\tb", "c"}}), Catch::Contains("write_tsv") && Catch::Contains("pair 0"));
}

TEST_CASE("parallel_corpus: splits share no pair and no source", "[data][corpus]") {
    auto pairs = generate_reverse(2000, 1, {.min_length = 3, .max_length = 4});  // many repeats
    pairs.push_back({"abc", "one translation"});  // a source with two targets
    pairs.push_back({"abc", "another translation"});
    const auto splits = split_corpus(pairs, 0.1, 0.2, 7);

    const std::set<SentencePair> distinct(pairs.begin(), pairs.end());
    const std::size_t total = splits.train.size() + splits.valid.size() + splits.test.size();
    CHECK(total == distinct.size());  // duplicates removed, nothing lost

    std::set<SentencePair> seen;
    std::map<std::string, int> split_of_source;
    int split_id = 0;
    for (const auto* split : {&splits.train, &splits.valid, &splits.test}) {
        for (const auto& pair : *split) {
            CHECK(seen.insert(pair).second);  // no pair twice, within or across splits
            auto [it, inserted] = split_of_source.emplace(pair.source, split_id);
            CHECK(it->second == split_id);  // a source lives in one split only
        }
        ++split_id;
    }
    const double n = static_cast<double>(distinct.size());
    CHECK(static_cast<double>(splits.test.size()) == Approx(0.2 * n).margin(3));
    CHECK(static_cast<double>(splits.valid.size()) == Approx(0.1 * n).margin(3));
}

TEST_CASE("parallel_corpus: splits are deterministic from the seed", "[data][corpus]") {
    const auto pairs = generate_reverse(500, 2);
    const auto a = split_corpus(pairs, 0.1, 0.1, 42);
    const auto b = split_corpus(pairs, 0.1, 0.1, 42);
    const auto c = split_corpus(pairs, 0.1, 0.1, 43);
    CHECK(a.train == b.train);
    CHECK(a.valid == b.valid);
    CHECK(a.test == b.test);
    CHECK(a.test != c.test);

    const auto no_holdout = split_corpus(pairs, 0, 0, 1);
    CHECK(no_holdout.train.size() == std::set<SentencePair>(pairs.begin(), pairs.end()).size());
    CHECK(no_holdout.valid.empty());

    REQUIRE_THROWS_WITH(split_corpus(pairs, 0.6, 0.5, 1),
                        Catch::Contains("split_corpus") && Catch::Contains("0.6") && Catch::Contains("0.5"));
    REQUIRE_THROWS_AS(split_corpus(pairs, -0.1, 0, 1), std::invalid_argument);
}
