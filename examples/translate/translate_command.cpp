// translate: sentences in (arguments, standard input or --input FILE), translations out (standard output or
// --output FILE), a line each; optionally the cross-attention heat-map of each.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <omp.h>
#include <stdexcept>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "base/atomic_file.h"
#include "data/utf8.h"
#include "data/vocab.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/commands.h"
#include "examples/translate/decode.h"
#include "examples/translate/heatmap_svg.h"
#include "nn/attention_module.h"

namespace tapegrad::translate {
namespace po = boost::program_options;

namespace {

struct HeatmapRequest {
    std::string path;
    int64_t layer = -1;  // decoder layer; -1 = the last
    int64_t head = -1;   // head; -1 = the mean over heads
};

// A sentence to translate and where it came from, for messages: "FILE:LINE", "stdin:LINE" or "sentence N".
struct Sentence {
    std::string text;
    std::string where;
};

// --input: every line is a sentence, an empty one included (it gives an empty output line, so output line i
// is the translation of input line i). A UTF-8 byte-order mark and Windows line ends are dropped.
std::vector<Sentence> read_input_file(const std::string& path) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
        throw std::invalid_argument(fmt::format("--input '{}' is a directory; give a text file (a sentence a line)", path));
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::invalid_argument(fmt::format("--input '{}' cannot be opened; give a text file (a sentence a line)", path));
    std::vector<Sentence> sentences;
    std::string line;
    for (int64_t number = 1; std::getline(file, line); ++number) {
        if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        sentences.push_back({line, fmt::format("{}:{}", path, number)});
    }
    return sentences;
}

// Today's standard-input rule: a sentence a line, empty lines skipped.
std::vector<Sentence> read_standard_input() {
    std::vector<Sentence> sentences;
    std::string line;
    for (int64_t number = 1; std::getline(std::cin, line); ++number)
        if (!line.empty()) sentences.push_back({line, fmt::format("stdin:{}", number)});
    return sentences;
}

// The source ids of a sentence. Characters (or words) the checkpoint's vocabulary does not know become <unk>,
// as in training; text that is not UTF-8, or longer than the model's position table, is an error naming
// where the sentence came from.
std::vector<int64_t> encode_sentence(const Experiment& experiment, const Sentence& sentence) {
    if (const auto offset = data::find_invalid_utf8(sentence.text))
        throw std::invalid_argument(fmt::format("{}: invalid UTF-8 at byte offset {} of the line", sentence.where, *offset));
    std::vector<int64_t> ids = experiment.source.encode(sentence.text);
    if (static_cast<int64_t>(ids.size()) > experiment.config.max_len)
        throw std::invalid_argument(fmt::format("{}: the sentence is {} tokens long; the model reads at most {} (its max_len)",
                                                sentence.where, ids.size(), experiment.config.max_len));
    return ids;
}

// "heatmap.svg" for the only sentence, "heatmap-2.svg" for the third of several.
std::string numbered(const std::string& path, std::size_t index, std::size_t count) {
    if (count == 1) return path;
    const std::filesystem::path p(path);
    return (p.parent_path() / fmt::format("{}-{}{}", p.stem().string(), index, p.extension().string())).string();
}

// The cross-attention module the heat-map draws; throws when the model has none or --layer is out of range.
nn::AttentionModule& heatmap_attention(nn::Seq2SeqModel& model, const Experiment& experiment, const HeatmapRequest& request) {
    const std::vector<nn::AttentionModule*> layers_attention = model.cross_attention();
    if (layers_attention.empty())
        throw std::invalid_argument(fmt::format("--attention: the {} model of this checkpoint does not attend to the "
                                                "source (architecture '{}'); train transformer or lstm-attention for a heat-map",
                                                model.type_name(), experiment.config.architecture));
    const auto layers = static_cast<int64_t>(layers_attention.size());
    const int64_t layer = request.layer < 0 ? layers - 1 : request.layer;
    if (layer >= layers)
        throw std::invalid_argument(fmt::format("--layer {} is out of range: the decoder has {} layers", layer, layers));
    return *layers_attention[static_cast<std::size_t>(layer)];
}

// Re-runs the decoder on (BOS + output) with the chosen cross-attention layer recording its weights,
// and draws row i — the attention used to produce output token i — over the source tokens.
void write_heatmap(nn::Seq2SeqModel& model, const Experiment& experiment, const std::vector<int64_t>& source_ids,
                   const std::vector<int64_t>& output_ids, const HeatmapRequest& request, const std::string& path) {
    nn::AttentionModule* attention = &heatmap_attention(model, experiment, request);
    const int64_t layer = request.layer < 0 ? static_cast<int64_t>(model.cross_attention().size()) - 1 : request.layer;

    NoGradGuard no_grad;
    model.eval();
    attention->record_weights = true;
    std::vector<int64_t> target_input{data::Vocab::bos_id()};
    target_input.insert(target_input.end(), output_ids.begin(), output_ids.end());
    const Tensor source = from_vector(source_ids, {1, static_cast<int64_t>(source_ids.size())});
    model.forward(source, from_vector(target_input, {1, static_cast<int64_t>(target_input.size())}));
    Tensor weights = select(attention->last_weights(), 0, 0);  // (H, T, S)
    attention->record_weights = false;
    attention->clear_recorded_weights();
    const int64_t heads = weights.size(0);
    if (request.head >= heads)
        throw std::invalid_argument(fmt::format("--head {} is out of range: the model has {} heads", request.head, heads));
    weights = request.head < 0 ? mean(weights, {0}) : select(weights, 0, request.head);  // (T, S)

    const int64_t rows = weights.size(0), columns = weights.size(1);
    const std::vector<double> values = weights.to_vector<double>();
    std::vector<std::vector<double>> matrix(static_cast<std::size_t>(rows));
    for (int64_t t = 0; t < rows; ++t) matrix[t].assign(values.begin() + t * columns, values.begin() + (t + 1) * columns);
    std::vector<std::string> source_tokens, target_tokens;
    for (int64_t id : source_ids) source_tokens.push_back(experiment.source.vocab.token(id));
    for (int64_t id : output_ids) target_tokens.push_back(experiment.target.vocab.token(id));
    target_tokens.push_back(std::string(data::Vocab::kEosToken));
    const std::string head = request.head < 0 ? "mean of heads" : fmt::format("head {}", request.head);
    write_attention_heatmap(path, source_tokens, target_tokens, matrix,
                            fmt::format("cross-attention, decoder layer {}, {}", layer, head));
}

}  // namespace

int translate_command(const std::vector<std::string>& arguments) {
    std::string directory, input, output;
    std::vector<std::string> positional_sentences;
    int64_t beam = 1;
    int threads = 2;
    HeatmapRequest heatmap;
    po::options_description options("translate translate");
    options.add_options()
        ("checkpoint", po::value(&directory)->required(), "checkpoint directory")
        ("input", po::value(&input), "translate the lines of this file, a sentence a line (an empty line gives an empty line)")
        ("output", po::value(&output), "write the translations to this file, a line each (default: standard output)")
        ("beam", po::value(&beam)->default_value(beam), "beam size (1: greedy)")
        ("attention", po::value(&heatmap.path), "write the cross-attention heat-map of each sentence to this SVG")
        ("layer", po::value(&heatmap.layer)->default_value(heatmap.layer), "decoder layer of the heat-map (-1: last)")
        ("head", po::value(&heatmap.head)->default_value(heatmap.head), "attention head of the heat-map (-1: mean of heads)")
        ("threads", po::value(&threads)->default_value(threads), "OpenMP threads")
        ("sentence", po::value(&positional_sentences), "sentences to translate (default: lines of standard input)");
    po::positional_options_description positional;
    positional.add("sentence", -1);
    options.add_options()("help,h", "show this help");
    po::variables_map values;
    po::store(po::command_line_parser(arguments).options(options).positional(positional).run(), values);
    if (values.count("help")) {
        std::cout << "usage: translate translate --checkpoint DIR [--beam N] [--attention FILE.svg] "
                     "[SENTENCE... | --input FILE] [--output FILE]\n"
                  << options << "\n";
        return 0;
    }
    po::notify(values);
    if (values.count("input") && !positional_sentences.empty())
        throw std::invalid_argument(fmt::format("--input '{}' and sentences on the command line ('{}') both give the "
                                                "sentences to translate; give one of them", input, positional_sentences[0]));
    std::vector<Sentence> sentences;
    if (values.count("input")) {
        sentences = read_input_file(input);
    } else if (!positional_sentences.empty()) {
        for (std::size_t i = 0; i < positional_sentences.size(); ++i)
            sentences.push_back({positional_sentences[i], fmt::format("sentence {}", i + 1)});
    } else {
        sentences = read_standard_input();
    }

    omp_set_num_threads(threads);
    const Checkpoint checkpoint = read_checkpoint(directory);
    const Experiment experiment = checkpoint.experiment(RestoreSplits::skip);  // the tokenizers, not the corpus
    auto model = checkpoint.load_model(experiment);
    if (!heatmap.path.empty()) heatmap_attention(*model, experiment, heatmap);  // its errors before any output
    // Every sentence is checked before the first is translated, so an error leaves no partial output.
    std::vector<std::vector<int64_t>> source_ids;
    for (const Sentence& sentence : sentences) source_ids.push_back(encode_sentence(experiment, sentence));
    const int64_t max_len = checkpoint.config.max_len - 1;
    std::string translations;  // for --output, written at once at the end
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        std::string translation;
        std::vector<int64_t> output_ids;
        if (!source_ids[i].empty()) {
            const auto length = static_cast<int64_t>(source_ids[i].size());
            output_ids = beam <= 1 ? greedy_decode(*model, from_vector(source_ids[i], {1, length}), max_len)[0]
                                   : beam_search(*model, source_ids[i], {.beam_size = beam, .max_len = max_len});
            translation = experiment.target.decode(output_ids);
        }
        if (output.empty())
            std::cout << translation << std::endl;
        else
            translations += translation + "\n";
        if (!heatmap.path.empty() && !source_ids[i].empty()) {
            const std::string path = numbered(heatmap.path, i, sentences.size());
            write_heatmap(*model, experiment, source_ids[i], output_ids, heatmap, path);
            std::cerr << fmt::format("wrote the cross-attention heat-map of \"{}\" to {}\n", sentences[i].text, path);
        }
    }
    if (!output.empty()) write_file_atomically(output, translations);
    return 0;
}

}  // namespace tapegrad::translate
