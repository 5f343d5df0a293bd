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

namespace {

// Reads one line (without its '\n') into `line`; false at the end of the input. A line longer than
// kMaxTsvLineBytes stops the read there: `line` then holds kMaxTsvLineBytes + 1 bytes.
bool read_bounded_line(std::streambuf& input, std::string& line, uint64_t& bytes_read) {
    line.clear();
    bool any = false;
    for (int c = input.sbumpc(); c != std::char_traits<char>::eof(); c = input.sbumpc()) {
        any = true;
        ++bytes_read;
        if (c == '\n') return true;
        line.push_back(static_cast<char>(c));
        if (line.size() > kMaxTsvLineBytes) return true;
    }
    return any;
}

}  // namespace

std::vector<NumberedPair> read_numbered_tsv(const std::filesystem::path& path) {
    // A directory opens as a stream that reads nothing: without this check it would be an empty corpus.
    // A device (/dev/zero, /dev/urandom) never ends: refused before reading. Pipes are read, within the limits.
    std::error_code ignored;
    const auto status = std::filesystem::status(path, ignored);
    if (std::filesystem::is_directory(status))
        throw std::runtime_error(fmt::format("read_tsv: '{}' is a directory, not a TSV file", path.string()));
    if (std::filesystem::is_character_file(status) || std::filesystem::is_block_file(status))
        throw std::runtime_error(fmt::format("read_tsv: '{}' is a device, not a TSV file", path.string()));
    if (std::filesystem::is_regular_file(status)) {
        const auto size = std::filesystem::file_size(path, ignored);
        if (!ignored && size > kMaxTsvBytes)
            throw std::runtime_error(fmt::format("read_tsv: '{}' is {} bytes, more than the limit of {} (see "
                                                 "docs/reliability.md)", path.string(), size, kMaxTsvBytes));
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("read_tsv: cannot open '{}'", path.string()));

    std::vector<NumberedPair> pairs;
    std::string line;
    uint64_t bytes_read = 0;
    for (int64_t line_number = 1; read_bounded_line(*file.rdbuf(), line, bytes_read); ++line_number) {
        if (line.size() > kMaxTsvLineBytes)
            throw_line_error(path, line_number, fmt::format("line longer than {} bytes (the limit of a line)", kMaxTsvLineBytes));
        if (bytes_read > kMaxTsvBytes)
            throw_line_error(path, line_number, fmt::format("the file goes past {} bytes (the limit of a TSV file)", kMaxTsvBytes));
        if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte-order mark
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim_spaces(line).empty()) continue;
        if (auto offset = find_invalid_utf8(line))
            throw_line_error(path, line_number, fmt::format("invalid UTF-8 at byte offset {} of the line", *offset));
        // A lone '\r' (old Mac line ends, or a stray byte): write_tsv could not give such a side back.
        if (auto cr = line.find('\r'); cr != std::string::npos)
            throw_line_error(path, line_number, fmt::format("carriage return (\\r) at byte offset {} of the line", cr));

        const auto tab = line.find('\t');
        if (tab == std::string::npos)
            throw_line_error(path, line_number, "expected 'source<TAB>target', found no tab");
        const std::string_view rest = std::string_view(line).substr(tab + 1);
        const std::string_view source = trim_spaces(std::string_view(line).substr(0, tab));
        const std::string_view target = trim_spaces(rest.substr(0, rest.find('\t')));  // later columns ignored
        if (source.empty()) throw_line_error(path, line_number, "empty source side");
        if (target.empty()) throw_line_error(path, line_number, "empty target side");
        // The first pair is written on line 1, where a leading byte-order mark is the file's, not the text's:
        // a source that starts with one (after spaces here) could not be stored and read back.
        if (pairs.empty() && source.starts_with("\xEF\xBB\xBF"))
            throw_line_error(path, line_number, "the source side begins with a byte-order mark (U+FEFF) after "
                                                "leading spaces; remove it");
        if (static_cast<int64_t>(pairs.size()) == kMaxTsvPairs)
            throw_line_error(path, line_number, fmt::format("more than {} pairs (the limit of a TSV file)", kMaxTsvPairs));
        pairs.push_back({.pair = {std::string(source), std::string(target)}, .line = line_number});
    }
    return pairs;
}

std::vector<SentencePair> read_tsv(const std::filesystem::path& path) {
    std::vector<SentencePair> pairs;
    for (NumberedPair& numbered : read_numbered_tsv(path)) pairs.push_back(std::move(numbered.pair));
    return pairs;
}

std::string format_tsv(const std::vector<SentencePair>& pairs) {
    std::string text;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        for (const std::string* side : {&pairs[i].source, &pairs[i].target}) {
            const char* problem = nullptr;
            if (side->empty()) problem = "an empty side";
            else if (side->find_first_of("\t\r\n") != std::string::npos) problem = "a tab or line break";
            else if (trim_spaces(*side).size() != side->size()) problem = "leading or trailing spaces";
            else if (find_invalid_utf8(*side)) problem = "invalid UTF-8";
            else if (i == 0 && side == &pairs[i].source && side->starts_with("\xEF\xBB\xBF"))
                problem = "a leading byte-order mark";
            if (problem)
                throw std::invalid_argument(fmt::format(
                    "write_tsv: pair {} has {}, which read_tsv would not give back: '{}'", i, problem,
                    side->substr(0, 80)));
        }
        text.append(pairs[i].source).append(1, '\t').append(pairs[i].target).append(1, '\n');
    }
    return text;
}

void write_tsv(const std::filesystem::path& path, const std::vector<SentencePair>& pairs) {
    const std::string text = format_tsv(pairs);
    std::ofstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("write_tsv: cannot open '{}' for writing", path.string()));
    file << text;
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
