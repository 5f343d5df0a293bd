// translate: sentences in, translations out; optionally the cross-attention heat-map of each.
#include <iostream>
#include <omp.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>

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

// "heatmap.svg" for the only sentence, "heatmap-2.svg" for the third of several.
std::string numbered(const std::string& path, std::size_t index, std::size_t count) {
    if (count == 1) return path;
    const std::filesystem::path p(path);
    return (p.parent_path() / fmt::format("{}-{}{}", p.stem().string(), index, p.extension().string())).string();
}

// Re-runs the decoder on (BOS + output) with the chosen cross-attention layer recording its weights,
// and draws row i — the attention used to produce output token i — over the source tokens.
void write_heatmap(nn::Seq2SeqTransformer& model, const Experiment& experiment, const std::vector<int64_t>& source_ids,
                   const std::vector<int64_t>& output_ids, const HeatmapRequest& request, const std::string& path) {
    const int64_t layers = model.options().num_decoder_layers;
    const int64_t layer = request.layer < 0 ? layers - 1 : request.layer;
    if (layer >= layers)
        throw std::invalid_argument(fmt::format("--layer {} is out of range: the decoder has {} layers", layer, layers));
    const int64_t heads = model.options().num_heads;
    if (request.head >= heads)
        throw std::invalid_argument(fmt::format("--head {} is out of range: the model has {} heads", request.head, heads));
    const std::string name = fmt::format("decoder.layers.{}.multihead_attn", layer);
    nn::AttentionModule* attention = nullptr;
    for (auto& [module_name, module] : nn::attention_modules(model))
        if (module_name == name) attention = module;
    if (attention == nullptr) throw std::runtime_error(fmt::format("no attention module named '{}'", name));

    NoGradGuard no_grad;
    model.eval();
    attention->record_weights = true;
    std::vector<int64_t> target_input{data::Vocab::bos_id()};
    target_input.insert(target_input.end(), output_ids.begin(), output_ids.end());
    const Tensor source = from_vector(source_ids, {1, static_cast<int64_t>(source_ids.size())});
    model.decode(from_vector(target_input, {1, static_cast<int64_t>(target_input.size())}), model.encode(source), source);
    Tensor weights = select(attention->last_weights(), 0, 0);  // (H, T, S)
    attention->record_weights = false;
    attention->clear_recorded_weights();
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
    std::string directory;
    std::vector<std::string> sentences;
    int64_t beam = 1;
    int threads = 2;
    HeatmapRequest heatmap;
    po::options_description options("translate translate");
    options.add_options()
        ("checkpoint", po::value(&directory)->required(), "checkpoint directory")
        ("beam", po::value(&beam)->default_value(beam), "beam size (1: greedy)")
        ("attention", po::value(&heatmap.path), "write the cross-attention heat-map of each sentence to this SVG")
        ("layer", po::value(&heatmap.layer)->default_value(heatmap.layer), "decoder layer of the heat-map (-1: last)")
        ("head", po::value(&heatmap.head)->default_value(heatmap.head), "attention head of the heat-map (-1: mean of heads)")
        ("threads", po::value(&threads)->default_value(threads), "OpenMP threads")
        ("sentence", po::value(&sentences), "sentences to translate (default: lines of standard input)");
    po::positional_options_description positional;
    positional.add("sentence", -1);
    options.add_options()("help,h", "show this help");
    po::variables_map values;
    po::store(po::command_line_parser(arguments).options(options).positional(positional).run(), values);
    if (values.count("help")) {
        std::cout << "usage: translate translate --checkpoint DIR [--beam N] [--attention FILE.svg] [SENTENCE...]\n"
                  << options << "\n";
        return 0;
    }
    po::notify(values);
    if (sentences.empty())
        for (std::string line; std::getline(std::cin, line);)
            if (!line.empty()) sentences.push_back(line);

    omp_set_num_threads(threads);
    const Checkpoint checkpoint = read_checkpoint(directory);
    const Experiment experiment = checkpoint.experiment();
    auto model = checkpoint.load_model(experiment);
    const int64_t max_len = checkpoint.config.max_len - 1;
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        const std::vector<int64_t> source_ids = experiment.source.encode(sentences[i]);
        if (source_ids.empty()) {
            std::cout << "\n";
            continue;
        }
        const std::vector<int64_t> output =
            beam <= 1 ? greedy_decode(*model, from_vector(source_ids, {1, static_cast<int64_t>(source_ids.size())}), max_len)[0]
                      : beam_search(*model, source_ids, {.beam_size = beam, .max_len = max_len});
        std::cout << experiment.target.decode(output) << std::endl;
        if (!heatmap.path.empty()) {
            const std::string path = numbered(heatmap.path, i, sentences.size());
            write_heatmap(*model, experiment, source_ids, output, heatmap, path);
            std::cerr << fmt::format("wrote the cross-attention heat-map of \"{}\" to {}\n", sentences[i], path);
        }
    }
    return 0;
}

}  // namespace tapegrad::translate
