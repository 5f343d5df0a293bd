// tapegrad_logits: what a translate checkpoint's model computes for some sentences, as one JSON line, so
// that tests/interop/test_pytorch_interop.py can compare PyTorch's numbers with tapegrad's.
//
//   tapegrad_logits CHECKPOINT_DIR SENTENCE...
//   {"sentences": [{"source": [ids], "output": [greedy ids],
//                   "step_logits": [[V values] per position], "forward_logits": [[V values] per position]}, ...],
//    "batch_logits": [[[V values] per position] per sentence]}
//
// For each sentence (B = 1): the greedy output of translate's greedy_decode (at most max_len − 1 tokens, as
// `translate translate`); the logits of decode_step, the key/value-cached path greedy decoding runs, fed
// BOS + output one token at a time; and forward()'s teacher-forced logits on the same BOS + output. Then one
// forward of all sentences padded with PAD into one batch (source and target), which exercises the padding
// masks. Values print with 9 significant digits: every float32 exactly.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "data/vocab.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/decode.h"

using namespace tapegrad;

namespace {

// logits (1, T, V) or a batch row -> "[[...], ...]"
std::string rows_json(const Tensor& logits) {
    const int64_t rows = logits.size(-2), columns = logits.size(-1);
    const std::vector<float> values = logits.contiguous().to_vector<float>();
    std::string text = "[";
    for (int64_t t = 0; t < rows; ++t) {
        text += t ? ",[" : "[";
        for (int64_t v = 0; v < columns; ++v) text += fmt::format("{}{:.9g}", v ? "," : "", values[t * columns + v]);
        text += "]";
    }
    return text + "]";
}

std::string ids_json(const std::vector<int64_t>& ids) {
    std::string text = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) text += fmt::format("{}{}", i ? "," : "", ids[i]);
    return text + "]";
}

int run(const std::string& directory, const std::vector<std::string>& sentences) {
    const translate::Checkpoint checkpoint = translate::read_checkpoint(directory);
    const translate::Experiment experiment = checkpoint.experiment(translate::RestoreSplits::skip);
    auto model = checkpoint.load_model(experiment);
    model->eval();
    NoGradGuard no_grad;
    std::vector<std::vector<int64_t>> sources, target_inputs;
    std::string json = "{\"sentences\":[";
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        const std::vector<int64_t> source = experiment.source.encode(sentences[i]);
        if (source.empty()) throw std::invalid_argument(fmt::format("sentence {} has no tokens", i + 1));
        const auto S = static_cast<int64_t>(source.size());
        const Tensor source_tensor = from_vector(source, {1, S});
        const std::vector<int64_t> output =
            translate::greedy_decode(*model, source_tensor, checkpoint.config.max_len - 1)[0];
        std::vector<int64_t> target_input{data::Vocab::bos_id()};
        target_input.insert(target_input.end(), output.begin(), output.end());
        const auto T = static_cast<int64_t>(target_input.size());

        const auto state = model->start_decoding(source_tensor);
        std::vector<Tensor> steps;
        for (int64_t token : target_input) steps.push_back(model->decode_step(from_vector(std::vector{token}, {1, 1}), *state));
        std::string step_rows = "[";
        for (std::size_t t = 0; t < steps.size(); ++t) {
            const std::string row = rows_json(steps[t]);  // "[[...]]"
            if (t) step_rows += ',';
            step_rows.append(row, 1, row.size() - 2);
        }
        step_rows += "]";
        const Tensor forward = model->forward(source_tensor, from_vector(target_input, {1, T}));  // (1, T, V)
        json += fmt::format("{}{{\"source\":{},\"output\":{},\"step_logits\":{},\"forward_logits\":{}}}", i ? "," : "",
                            ids_json(source), ids_json(output), step_rows, rows_json(forward));
        sources.push_back(source);
        target_inputs.push_back(target_input);
    }
    json += "],\"batch_logits\":[";
    if (!sentences.empty()) {
        // Every row padded with PAD to the longest source and target of the batch.
        auto padded = [](const std::vector<std::vector<int64_t>>& rows) {
            std::size_t width = 0;
            for (const auto& row : rows) width = std::max(width, row.size());
            std::vector<int64_t> flat;
            for (const auto& row : rows) {
                flat.insert(flat.end(), row.begin(), row.end());
                flat.insert(flat.end(), width - row.size(), data::Vocab::pad_id());
            }
            return from_vector(flat, {static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)});
        };
        const Tensor logits = model->forward(padded(sources), padded(target_inputs));  // (B, T, V)
        for (int64_t b = 0; b < logits.size(0); ++b) {
            if (b) json += ',';
            json += rows_json(select(logits, 0, b));
        }
    }
    json += "]}";
    std::puts(json.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: tapegrad_logits CHECKPOINT_DIR SENTENCE...\n", stderr);
        return 2;
    }
    try {
        return run(argv[1], std::vector<std::string>(argv + 2, argv + argc));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "tapegrad_logits: %s\n", error.what());
        return 1;
    }
}
