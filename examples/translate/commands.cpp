// train and eval: option parsing, the checks of what a user gave, and the summary lines.
#include "examples/translate/commands.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <omp.h>
#include <stdexcept>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "examples/translate/checkpoint.h"
#include "examples/translate/evaluate.h"
#include "examples/translate/fault_injection.h"
#include "examples/translate/train.h"

namespace tapegrad::translate {
namespace po = boost::program_options;

namespace {

// Parses `arguments` against `options`; prints help and returns false for --help.
bool parse(const std::vector<std::string>& arguments, po::options_description& options, const std::string& usage,
           po::variables_map& values) {
    options.add_options()("help,h", "show this help");
    po::store(po::command_line_parser(arguments).options(options).run(), values);
    if (values.count("help")) {
        std::cout << usage << "\n" << options << "\n";
        return false;
    }
    po::notify(values);
    return true;
}

// The line for people, then the JSON line for scripts.
void print_summary(const Scored& scored, const EvalResult& eval, int64_t steps, double seconds, double final_loss) {
    fmt::print("{}\n", describe(scored, eval));
    std::fflush(stdout);
    std::cout << summary_json(scored, eval, steps, seconds, final_loss) << std::endl;
}

// --data must name a file: a directory would read as no lines at all ("the training split is empty").
void check_data_option(const std::string& path) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
        throw std::invalid_argument(fmt::format(
            "--data '{}' is a directory; give a tab-separated file (source<TAB>target per line)", path));
    if (!std::filesystem::exists(path, ignored))
        throw std::invalid_argument(fmt::format(
            "--data '{}' does not exist; give a tab-separated file (source<TAB>target per line)", path));
}

void warn(const std::string& message) {
    if (!message.empty()) std::cerr << message << std::endl;
}

// "FILE:3, FILE:17, FILE:40" (the first `shown` of them, then "and N more").
std::string list_lines(const std::string& path, const std::vector<int64_t>& lines, std::size_t shown = 5) {
    std::string text;
    for (std::size_t i = 0; i < lines.size() && i < shown; ++i) text += fmt::format("{}{}:{}", i ? ", " : "", path, lines[i]);
    if (lines.size() > shown) text += fmt::format(" and {} more", lines.size() - shown);
    return text;
}

// `eval --data FILE`: the file's pairs, with the checkpoint's tokenizers; notes on what was left out or read
// as <unk> go to standard error.
std::vector<data::SentencePair> pairs_to_score(const std::string& path, const Experiment& experiment) {
    EvalFile file = read_eval_file(path, experiment);
    if (file.pairs_read == 0)
        throw std::invalid_argument(fmt::format("--data '{}' holds no pairs (expected source<TAB>target lines)", path));
    warn(few_pairs_warning(file.pairs_read));
    if (!file.too_long_lines.empty())
        warn(fmt::format("note: {} of {} pairs are longer than the model's max_len ({} tokens) and are left out, as "
                         "in training: {}", file.too_long_lines.size(), file.pairs_read, experiment.config.max_len,
                         list_lines(path, file.too_long_lines)));
    if (file.pairs_with_unknown_tokens > 0)
        warn(fmt::format("note: {} of {} pairs hold tokens the checkpoint's vocabularies do not know; they are read "
                         "as <unk>, as in training", file.pairs_with_unknown_tokens, file.pairs.size()));
    return std::move(file.pairs);
}

}  // namespace

int train_command(const std::vector<std::string>& arguments) {
    TrainRun run;
    std::string checkpoint;
    po::options_description options = train_options(run.config);
    options.add_options()
        ("checkpoint", po::value(&checkpoint), "directory for checkpoints, log.csv and loss_curve.svg (default runs/<task>)")
        ("resume", po::bool_switch(&run.resume), "continue training from the checkpoint in --checkpoint");
    po::variables_map values;
    if (!parse(arguments, options, "usage: translate train [options]", values)) return 0;
    if (values.count("data")) {
        if (!values["task"].defaulted())
            throw std::invalid_argument(fmt::format("--task '{}' and --data '{}' both name the training corpus; give one of them",
                                                    run.config.task, run.config.data_path));
        check_data_option(run.config.data_path);
        run.config.task = "tsv";
    }
    run.checkpoint_dir = checkpoint.empty() ? "runs/" + run.config.task : checkpoint;
    if (run.resume) {
        if (!values["max-steps"].defaulted()) run.max_steps = run.config.max_steps;
        if (!values["max-minutes"].defaulted()) run.max_minutes = run.config.max_minutes;
        if (!values["architecture"].defaulted()) run.architecture = run.config.architecture;
        if (!values["precision"].defaulted()) run.precision = run.config.precision;
    }
    // Test seam for tests/distributed/rank_failure.sh, which can reach a rank only through the real binary
    // under mpirun: the environment variable TAPEGRAD_TEST_FAULT="RANK:STEP:KIND" (fault_injection.h) becomes
    // the run's after_step hook, read once here and never inside the training loop.
    if (const char* fault = std::getenv("TAPEGRAD_TEST_FAULT"); fault && *fault)
        run.after_step = inject_fault(parse_test_fault(fault));
    const TrainResult result = train(run);
    if (result.rank != 0) return 0;  // rank 0 reports for the whole data-parallel job
    fmt::print("{}\n", describe({.name = "test"}, result.test));
    fmt::print("checkpoint, log.csv and loss_curve.svg in {}\n", run.checkpoint_dir.string());
    std::fflush(stdout);
    std::cout << summary_json({.name = "test"}, result.test, result.steps, result.seconds, result.final_loss) << std::endl;
    return 0;
}

int eval_command(const std::vector<std::string>& arguments) {
    std::string directory, data_path, split = "test";
    int threads = 2;
    po::options_description options("translate eval");
    options.add_options()("checkpoint", po::value(&directory)->required(), "checkpoint directory")
                         ("split", po::value(&split)->default_value(split), "split of the checkpoint's corpus to score: train, valid or test")
                         ("data", po::value(&data_path), "score this TSV file of source<TAB>target lines instead of a split")
                         ("threads", po::value(&threads)->default_value(threads), "OpenMP threads");
    po::variables_map values;
    if (!parse(arguments, options, "usage: translate eval --checkpoint DIR [--split train|valid|test | --data FILE.tsv]",
               values))
        return 0;
    const bool own_data = values.count("data") > 0;
    if (own_data && !values["split"].defaulted())
        throw std::invalid_argument(
            fmt::format("--split '{}' and --data '{}' both say what to score; give one of them", split, data_path));
    if (split != "train" && split != "valid" && split != "test")
        throw std::invalid_argument(fmt::format("--split must be train, valid or test, got '{}'", split));
    if (own_data) check_data_option(data_path);
    if (threads < 1) throw std::invalid_argument(fmt::format("--threads must be at least 1, got {}", threads));
    omp_set_num_threads(threads);

    const Checkpoint checkpoint = read_checkpoint(directory);
    // Only the checkpoint directory is needed: its tokenizers, and its stored valid.tsv and test.tsv (the
    // training corpus is rebuilt only for --split train).
    const Experiment experiment = checkpoint.experiment(RestoreSplits::skip);
    auto model = checkpoint.load_model(experiment);
    const Scored scored{.name = own_data ? data_path : split, .is_split = !own_data};
    std::vector<data::SentencePair> pairs;
    if (own_data) {
        pairs = pairs_to_score(data_path, experiment);
    } else {
        pairs = checkpoint.split_pairs(split);
        warn(few_pairs_warning(checkpoint.corpus_pairs()));
    }
    const EvalResult result = evaluate(*model, experiment, pairs);
    // The training loss is not recomputed here: NaN, reported as null.
    print_summary(scored, result, checkpoint.state.step, checkpoint.state.train_seconds, std::nan(""));
    return 0;
}

}  // namespace tapegrad::translate
