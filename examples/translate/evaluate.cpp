// Evaluation: greedy decoding of a split, scored with exact match, token accuracy and BLEU; the reports of
// a score; a file of one's own prepared for scoring.
#include "examples/translate/evaluate.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/vocab.h"
#include "examples/translate/decode.h"

namespace tapegrad::translate {

EvalResult evaluate(nn::Seq2SeqModel& model, const Experiment& experiment,
                    const std::vector<data::SentencePair>& pairs, int64_t limit, int64_t batch_size) {
    const int64_t count = limit > 0 ? std::min<int64_t>(limit, static_cast<int64_t>(pairs.size()))
                                    : static_cast<int64_t>(pairs.size());
    std::vector<std::vector<int64_t>> sources;
    for (int64_t i = 0; i < count; ++i) sources.push_back(experiment.source.encode(pairs[i].source));
    // Decode in batches of similar source length, so little work goes to padding.
    std::vector<int64_t> order(static_cast<std::size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return sources[a].size() < sources[b].size(); });

    std::vector<std::vector<int64_t>> outputs(static_cast<std::size_t>(count));
    for (int64_t start = 0; start < count; start += batch_size) {
        const int64_t rows = std::min(batch_size, count - start);
        int64_t width = 1;
        for (int64_t r = 0; r < rows; ++r) width = std::max<int64_t>(width, sources[order[start + r]].size());
        std::vector<int64_t> padded(static_cast<std::size_t>(rows * width), data::Vocab::pad_id());
        for (int64_t r = 0; r < rows; ++r)
            std::copy(sources[order[start + r]].begin(), sources[order[start + r]].end(), padded.begin() + r * width);
        // An untrained model may never say EOS: cap the output at twice the source length (plus slack).
        const int64_t max_output = std::min(experiment.config.max_len - 1, 2 * width + 10);
        const auto decoded = greedy_decode(model, from_vector(padded, {rows, width}), max_output);
        for (int64_t r = 0; r < rows; ++r) outputs[order[start + r]] = decoded[r];
    }

    EvalResult result;
    result.sentences = count;
    std::vector<TokenSequence> hypotheses, references;
    for (int64_t i = 0; i < count; ++i) {
        hypotheses.push_back(experiment.target.tokens(outputs[i]));
        references.push_back(experiment.target.tokens(experiment.target.encode(pairs[i].target)));
        result.hypotheses.push_back(experiment.target.decode(outputs[i]));
    }
    if (count == 0) return result;
    result.exact_match = exact_match(hypotheses, references);
    result.token_accuracy = token_accuracy(hypotheses, references);
    result.bleu = corpus_bleu(hypotheses, references);
    return result;
}

std::string describe(const Scored& scored, const EvalResult& result) {
    if (result.sentences == 0)
        return scored.is_split ? fmt::format("{} split is empty: no metrics", scored.name)
                               : fmt::format("{}: no pairs to score: no metrics", scored.name);
    return fmt::format("{}: exact match {:.2f}%, token accuracy {:.2f}%, {} ({} sentences)", scored.name,
                       100 * result.exact_match, 100 * result.token_accuracy, format_bleu(result.bleu),
                       result.sentences);
}

std::string summary_json(const Scored& scored, const EvalResult& result, int64_t steps, double seconds,
                         double final_loss) {
    const bool scored_any = result.sentences > 0;
    auto metric = [&](double value) { return scored_any ? nlohmann::json(value) : nlohmann::json(nullptr); };
    nlohmann::json summary{{"exact_match", metric(result.exact_match)},
                           {"token_accuracy", metric(result.token_accuracy)},
                           {"bleu", metric(result.bleu.score)},
                           {"steps", steps},
                           {"seconds", seconds},
                           {"final_loss", final_loss},
                           {"sentences", result.sentences},
                           {"split", scored.name}};
    if (scored.is_split && scored.name == "test") summary["test_sentences"] = result.sentences;
    return summary.dump();
}

EvalFile read_eval_file(const std::filesystem::path& path, const Experiment& experiment) {
    EvalFile file;
    for (data::NumberedPair& numbered : data::read_numbered_tsv(path)) {
        ++file.pairs_read;
        if (!experiment.fits_max_len(numbered.pair)) {
            file.too_long_lines.push_back(numbered.line);
            continue;
        }
        auto has_unknown = [](const std::vector<int64_t>& ids) {
            return std::find(ids.begin(), ids.end(), data::Vocab::unk_id()) != ids.end();
        };
        if (has_unknown(experiment.source.encode(numbered.pair.source)) ||
            has_unknown(experiment.target.encode(numbered.pair.target)))
            ++file.pairs_with_unknown_tokens;
        file.pairs.push_back(std::move(numbered.pair));
    }
    return file;
}

}  // namespace tapegrad::translate
