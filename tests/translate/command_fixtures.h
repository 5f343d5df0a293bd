// Tiny corpora and checkpoints for the command tests: `translate train|eval|translate` run through their C++
// entry points (commands.h) on a model small enough to train a few steps in well under a second.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/translate/commands.h"
#include "test_helpers.h"

namespace tapegrad::translate::testing {

// `n` distinct reversal pairs over the letters a..h, 3 to 8 letters long, as TSV lines ("abc\tcba").
inline std::string reversal_tsv(int64_t n) {
    std::set<std::string> seen;
    std::string tsv;
    uint64_t state = 12345;
    auto next = [&state] { return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
    while (static_cast<int64_t>(seen.size()) < n) {
        std::string word(3 + next() % 6, ' ');
        for (char& c : word) c = static_cast<char>('a' + next() % 8);
        if (!seen.insert(word).second) continue;
        tsv += word + "\t" + std::string(word.rbegin(), word.rend()) + "\n";
    }
    return tsv;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ostringstream text;
    text << std::ifstream(path, std::ios::binary).rdbuf();
    return text.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    return lines;
}

// The JSON object a command prints as its last line.
inline nlohmann::json last_json_line(const std::string& out) {
    const std::vector<std::string> lines = lines_of(out);
    REQUIRE(!lines.empty());
    return nlohmann::json::parse(lines.back());
}

// `translate train` options for a one-layer, 16-wide model, a few steps, no dropout, one thread.
inline std::vector<std::string> tiny_train_arguments(const std::filesystem::path& data,
                                                     const std::filesystem::path& checkpoint) {
    return {"--data", data.string(), "--checkpoint", checkpoint.string(), "--layers", "1", "--embed-dim", "16",
            "--heads", "2", "--ff-dim", "32", "--max-steps", "3", "--batch-size", "8", "--threads", "1",
            "--checkpoint-every", "1000", "--max-len", "24", "--dropout", "0"};
}

// Runs `translate train` with tiny_train_arguments and `extra`, returning what it printed. An error is
// thrown as train_command throws it (Catch's REQUIRE would turn it into a failure of its own).
inline CapturedOutput train_tiny(const std::filesystem::path& data, const std::filesystem::path& checkpoint,
                                 const std::vector<std::string>& extra = {}) {
    std::vector<std::string> arguments = tiny_train_arguments(data, checkpoint);
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    int status = -1;
    CapturedOutput output = capture_output([&] { status = train_command(arguments); });
    REQUIRE(status == 0);
    return output;
}

}  // namespace tapegrad::translate::testing
