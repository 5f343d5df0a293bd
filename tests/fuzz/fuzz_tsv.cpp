// Fuzzes read_numbered_tsv (`--data FILE.tsv`, a checkpoint's valid.tsv and test.tsv): refusals are
// std::runtime_error naming the file; accepted pairs have non-empty sides on increasing lines, and
// write_tsv then read_tsv gives them back exactly (a checkpoint can always store what was read).
#include <stdexcept>
#include <string>

#include "data/parallel_corpus.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::data;
namespace fuzz = tapegrad::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::filesystem::path path = fuzz::scratch_directory() / "corpus.tsv";
    fuzz::write_bytes(path, fuzz::as_text(data, size));
    std::vector<NumberedPair> numbered;
    try {
        numbered = read_numbered_tsv(path);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, path.string());
        return 0;
    }
    std::vector<SentencePair> pairs;
    int64_t previous_line = 0;
    for (const NumberedPair& entry : numbered) {
        fuzz::require(entry.line > previous_line, "line numbers do not increase");
        fuzz::require(!entry.pair.source.empty() && !entry.pair.target.empty(), "an empty side was accepted");
        previous_line = entry.line;
        pairs.push_back(entry.pair);
    }
    const std::filesystem::path written = fuzz::scratch_directory() / "written.tsv";
    try {
        write_tsv(written, pairs);
    } catch (const std::invalid_argument& error) {
        fuzz::fail(std::string("write_tsv refuses what read_tsv returned: ") + error.what());
    }
    fuzz::require(read_tsv(written) == pairs, "read_tsv(write_tsv(pairs)) != pairs");
    return 0;
}
