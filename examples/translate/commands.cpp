// train and eval: option parsing and the JSON summary line.
#include "examples/translate/commands.h"

#include <cstdlib>
#include <iostream>
#include <omp.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

void print_summary(const EvalResult& eval, int64_t steps, double seconds, double final_loss) {
    const nlohmann::json summary{{"exact_match", eval.exact_match},  {"token_accuracy", eval.token_accuracy},
                                 {"bleu", eval.bleu.score},          {"steps", steps},
                                 {"seconds", seconds},               {"final_loss", final_loss},
                                 {"test_sentences", eval.sentences}};
    std::cout << summary.dump() << std::endl;
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
    if (values.count("data") && values["task"].defaulted()) run.config.task = "tsv";
    run.checkpoint_dir = checkpoint.empty() ? "runs/" + run.config.task : checkpoint;
    if (run.resume) {
        if (!values["max-steps"].defaulted()) run.max_steps = run.config.max_steps;
        if (!values["max-minutes"].defaulted()) run.max_minutes = run.config.max_minutes;
    }
    // Test seam for tests/distributed/rank_failure.sh, which can reach a rank only through the real binary
    // under mpirun: the environment variable TAPEGRAD_TEST_FAULT="RANK:STEP:KIND" (fault_injection.h) becomes
    // the run's after_step hook, read once here and never inside the training loop.
    if (const char* fault = std::getenv("TAPEGRAD_TEST_FAULT"); fault && *fault)
        run.after_step = inject_fault(parse_test_fault(fault));
    const TrainResult result = train(run);
    if (result.rank != 0) return 0;  // rank 0 reports for the whole data-parallel job
    fmt::print("test: exact match {:.2f}%, token accuracy {:.2f}%, {} ({} sentences)\n", 100 * result.test.exact_match,
               100 * result.test.token_accuracy, format_bleu(result.test.bleu), result.test.sentences);
    fmt::print("checkpoint, log.csv and loss_curve.svg in {}\n", run.checkpoint_dir.string());
    print_summary(result.test, result.steps, result.seconds, result.final_loss);
    return 0;
}

int eval_command(const std::vector<std::string>& arguments) {
    std::string directory;
    int threads = 2;
    po::options_description options("translate eval");
    options.add_options()("checkpoint", po::value(&directory)->required(), "checkpoint directory")
                         ("threads", po::value(&threads)->default_value(threads), "OpenMP threads");
    po::variables_map values;
    if (!parse(arguments, options, "usage: translate eval --checkpoint DIR", values)) return 0;
    omp_set_num_threads(threads);
    const Checkpoint checkpoint = read_checkpoint(directory);
    const Experiment experiment = checkpoint.experiment();
    auto model = checkpoint.load_model(experiment);
    const EvalResult result = evaluate(*model, experiment, experiment.splits.test);
    fmt::print("test: exact match {:.2f}%, token accuracy {:.2f}%, {} ({} sentences)\n", 100 * result.exact_match,
               100 * result.token_accuracy, format_bleu(result.bleu), result.sentences);
    // The training loss is not recomputed here: the last one logged is reported.
    print_summary(result, checkpoint.state.step, checkpoint.state.train_seconds, std::nan(""));
    return 0;
}

}  // namespace tapegrad::translate
