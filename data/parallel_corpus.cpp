// Parallel corpora: TSV reading/writing and deterministic, leak-free splits.
#include "data/parallel_corpus.h"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "base/generator.h"
#include "data/utf8.h"

namespace tapegrad::data {

namespace {

std::string_view trim_spaces(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

[[noreturn]] void throw_line_error(const std::filesystem::path& path, int64_t line_number, const std::string& what) {
    throw std::runtime_error(fmt::format("{}:{}: {}", path.string(), line_number, what));
}

}  // namespace

std::vector<NumberedPair> read_numbered_tsv(const std::filesystem::path& path) {
    // A directory opens as a stream that reads nothing: without this check it would be an empty corpus.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
        throw std::runtime_error(fmt::format("read_tsv: '{}' is a directory, not a TSV file", path.string()));
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("read_tsv: cannot open '{}'", path.string()));

    std::vector<NumberedPair> pairs;
    std::string line;
    for (int64_t line_number = 1; std::getline(file, line); ++line_number) {
        if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte-order mark
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim_spaces(line).empty()) continue;
        if (auto offset = find_invalid_utf8(line))
            throw_line_error(path, line_number, fmt::format("invalid UTF-8 at byte offset {} of the line", *offset));

        const auto tab = line.find('\t');
        if (tab == std::string::npos)
            throw_line_error(path, line_number, "expected 'source<TAB>target', found no tab");
        const std::string_view rest = std::string_view(line).substr(tab + 1);
        const std::string_view source = trim_spaces(std::string_view(line).substr(0, tab));
        const std::string_view target = trim_spaces(rest.substr(0, rest.find('\t')));  // later columns ignored
        if (source.empty()) throw_line_error(path, line_number, "empty source side");
        if (target.empty()) throw_line_error(path, line_number, "empty target side");
        pairs.push_back({.pair = {std::string(source), std::string(target)}, .line = line_number});
    }
    return pairs;
}

std::vector<SentencePair> read_tsv(const std::filesystem::path& path) {
    std::vector<SentencePair> pairs;
    for (NumberedPair& numbered : read_numbered_tsv(path)) pairs.push_back(std::move(numbered.pair));
    return pairs;
}

void write_tsv(const std::filesystem::path& path, const std::vector<SentencePair>& pairs) {
    for (std::size_t i = 0; i < pairs.size(); ++i)
        for (const std::string* side : {&pairs[i].source, &pairs[i].target})
            if (side->find_first_of("\t\r\n") != std::string::npos)
                throw std::invalid_argument(fmt::format(
                    "write_tsv: pair {} contains a tab or line break, which TSV cannot hold: '{}'", i, *side));
    std::ofstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("write_tsv: cannot open '{}' for writing", path.string()));
    for (const auto& pair : pairs) file << pair.source << '\t' << pair.target << '\n';
    if (!file) throw std::runtime_error(fmt::format("write_tsv: failed writing '{}'", path.string()));
}

CorpusSplits split_corpus(const std::vector<SentencePair>& pairs, double valid_fraction, double test_fraction,
                          uint64_t seed) {
    const bool valid_ok = valid_fraction >= 0 && valid_fraction < 1;
    const bool test_ok = test_fraction >= 0 && test_fraction < 1;
    if (!valid_ok || !test_ok || valid_fraction + test_fraction >= 1)
        throw std::invalid_argument(fmt::format(
            "split_corpus: fractions must be in [0, 1) with a sum below 1, got valid_fraction {} and "
            "test_fraction {}", valid_fraction, test_fraction));

    // Distinct pairs grouped by source, groups in order of first appearance (so the result depends only on
    // the corpus and the seed).
    std::set<SentencePair> seen;
    std::map<std::string, std::size_t> group_of_source;
    std::vector<std::vector<SentencePair>> groups;
    for (const auto& pair : pairs) {
        if (!seen.insert(pair).second) continue;
        auto [it, inserted] = group_of_source.emplace(pair.source, groups.size());
        if (inserted) groups.emplace_back();
        groups[it->second].push_back(pair);
    }
    const auto num_distinct = static_cast<double>(seen.size());
    const auto test_size = static_cast<std::size_t>(std::llround(test_fraction * num_distinct));
    const auto valid_size = static_cast<std::size_t>(std::llround(valid_fraction * num_distinct));

    Generator generator(seed);
    CorpusSplits splits;
    for (int64_t index : randperm(static_cast<int64_t>(groups.size()), generator)) {
        auto& group = groups[static_cast<std::size_t>(index)];
        auto& split = splits.test.size() < test_size   ? splits.test
                      : splits.valid.size() < valid_size ? splits.valid
                                                         : splits.train;
        split.insert(split.end(), group.begin(), group.end());
    }
    return splits;
}

}  // namespace tapegrad::data
