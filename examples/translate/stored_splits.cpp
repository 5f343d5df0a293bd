// valid.tsv and test.tsv in a checkpoint directory, with their pair counts and checksums in the metadata.
#include "examples/translate/stored_splits.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/json_fields.h"
#include "examples/translate/config.h"

namespace tapegrad::translate {
namespace {

// FNV-1a, 64 bits: enough to notice a replaced or edited file (not an authentication).
std::string fnv1a64(const std::string& bytes) {
    uint64_t hash = 14695981039346656037ull;
    for (unsigned char byte : bytes) hash = (hash ^ byte) * 1099511628211ull;
    return fmt::format("{:016x}", hash);
}

}  // namespace

std::string save_stored_splits(const std::filesystem::path& directory, const data::CorpusSplits& splits) {
    nlohmann::json json{{"version", 1}, {"corpus_pairs", splits.train.size() + splits.valid.size() + splits.test.size()}};
    for (const auto& [name, pairs] : {std::pair{"valid", &splits.valid}, std::pair{"test", &splits.test}}) {
        const std::string file = std::string(name) + ".tsv";
        const std::string text = data::format_tsv(*pairs);
        write_file_atomically(directory / file, text);
        json[name] = {{"file", file}, {"pairs", pairs->size()}, {"fnv1a64", fnv1a64(text)}};
    }
    return json.dump();
}

std::vector<data::SentencePair> read_stored_split(const std::filesystem::path& directory, const std::string& splits_json,
                                                  const std::string& name, const std::string& metadata_source) {
    const JsonSource source{metadata_source, "splits"};
    const nlohmann::json json = parse_json(splits_json, source, 1 << 16);
    require_object(json, source);
    if (!json.contains(name)) throw_file_error(source, name, "missing");
    const JsonSource entry_source = source.field(name);
    const nlohmann::json& entry = json.at(name);
    const std::string file = read_string(entry, "file", entry_source, 256);
    if (file != name + ".tsv") throw_file_error(entry_source, "file", fmt::format("expected '{}.tsv', got '{}'", name, file));
    const int64_t pairs = read_int(entry, "pairs", entry_source, 0, kMaxExamples);
    const std::string checksum = read_string(entry, "fnv1a64", entry_source, 16);

    const std::filesystem::path path = directory / file;
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored))
        throw std::runtime_error(fmt::format("{}: missing: the checkpoint keeps its {} split there (copy the whole "
                                             "checkpoint directory, or score a file with --data)", path.string(), name));
    std::vector<data::SentencePair> read = data::read_tsv(path);
    if (static_cast<int64_t>(read.size()) != pairs || fnv1a64(data::format_tsv(read)) != checksum)
        throw std::runtime_error(fmt::format("{}: not the {} split this checkpoint saved ({} pairs, checksum {} "
                                             "expected; found {} pairs): was it edited or replaced?",
                                             path.string(), name, pairs, checksum, read.size()));
    return read;
}

int64_t stored_corpus_pairs(const std::string& splits_json, const std::string& metadata_source) {
    const JsonSource source{metadata_source, "splits"};
    return read_int(parse_json(splits_json, source, 1 << 16), "corpus_pairs", source, 0, 3 * kMaxExamples);
}

}  // namespace tapegrad::translate
