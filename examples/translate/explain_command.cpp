// translate explain: one sentence in, one HTML page out showing every attention weight the model used for
// it (every kind, layer and head), with per-head statistics in the page and as CSV.
#include <iostream>
#include <omp.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/translate/checkpoint.h"
#include "examples/translate/commands.h"
#include "examples/translate/explain_page.h"
#include "examples/translate/explain_report.h"

namespace tapegrad::translate {
namespace po = boost::program_options;

int explain_command(const std::vector<std::string>& arguments) {
    std::string directory, output, csv;
    std::vector<std::string> sentences;
    int threads = 2;
    po::options_description options("translate explain");
    options.add_options()
        ("checkpoint", po::value(&directory)->required(), "checkpoint directory")
        ("output", po::value(&output), "the HTML page to write (default: DIR/explain.html)")
        ("csv", po::value(&csv), "the per-head statistics as CSV (default: the page's path with .csv)")
        ("threads", po::value(&threads)->default_value(threads), "OpenMP threads")
        ("sentence", po::value(&sentences), "the sentence to explain (quote it)");
    po::positional_options_description positional;
    positional.add("sentence", -1);
    options.add_options()("help,h", "show this help");
    po::variables_map values;
    po::store(po::command_line_parser(arguments).options(options).positional(positional).run(), values);
    if (values.count("help")) {
        std::cout << "usage: translate explain --checkpoint DIR \"SENTENCE\" [--output report.html] [--csv heads.csv]\n"
                  << "Writes one self-contained HTML page: the translation, and every attention weight the model used\n"
                  << "for it (encoder self-attention, decoder masked self-attention, cross-attention; every layer and\n"
                  << "head, and each layer's mean), with what each head does in numbers and in words.\n"
                  << options << "\n";
        return 0;
    }
    po::notify(values);
    if (sentences.empty())
        throw std::invalid_argument("no sentence given: translate explain --checkpoint DIR \"SENTENCE\"");
    if (sentences.size() > 1)
        throw std::invalid_argument(fmt::format(
            "explain takes one sentence, got {} arguments (\"{}\"): put the sentence in quotes", sentences.size(),
            fmt::join(sentences, "\" \"")));
    if (output.empty()) output = (std::filesystem::path(directory) / "explain.html").string();
    if (csv.empty()) csv = std::filesystem::path(output).replace_extension(".csv").string();
    if (csv == output) throw std::invalid_argument(fmt::format("--csv and --output are the same file: {}", output));

    omp_set_num_threads(threads);
    const Checkpoint checkpoint = read_checkpoint(directory);
    const Experiment experiment = checkpoint.experiment(RestoreSplits::skip);
    auto model = checkpoint.load_model(experiment);
    // The page shows the Transformer's three kinds of attention, layer by layer and head by head.
    auto* transformer = dynamic_cast<nn::Seq2SeqTransformer*>(model.get());
    if (transformer == nullptr)
        throw std::invalid_argument(fmt::format(
            "translate explain: {} holds a '{}' model; the page shows a Transformer's encoder, decoder and cross "
            "attention (for the lstm-attention map use: translate translate --attention map.svg)",
            checkpoint.file(), checkpoint.config.architecture));
    const ExplainReport report = explain_sentence(*transformer, experiment, sentences[0], directory, checkpoint.state.step);

    const std::string page = explain_page_html(report);
    for (const std::string& path : {output, csv})
        if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
            std::filesystem::create_directories(parent);
    write_file_atomically(output, page);
    write_file_atomically(csv, explain_statistics_csv(report));

    std::cout << report.sentence << "  ->  " << report.translation << "\n";
    std::size_t kind_width = 0;
    const auto statistics = explain_statistics(report);
    for (const auto& s : statistics) kind_width = std::max(kind_width, nn::attention_kind_name(s.kind).size());
    for (const auto& s : statistics)
        std::cout << fmt::format("  {:<{}}  layer {} head {}: {}\n", nn::attention_kind_name(s.kind), kind_width, s.layer,
                                 s.head, nn::describe_head(s));
    std::cout << fmt::format("wrote {} ({} kB) and {}\n", output, (page.size() + 512) / 1024, csv);
    return 0;
}

}  // namespace tapegrad::translate
