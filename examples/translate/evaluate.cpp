// Evaluation: greedy decoding of a split, scored with exact match, token accuracy and BLEU.
#include "examples/translate/evaluate.h"

#include <algorithm>
#include <numeric>

#include "data/vocab.h"
#include "examples/translate/decode.h"

namespace tapegrad::translate {

EvalResult evaluate(nn::Seq2SeqTransformer& model, const Experiment& experiment,
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

}  // namespace tapegrad::translate
