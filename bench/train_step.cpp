// bench train-step: wall time of one full training step of a reference Transformer, the counterpart of
// ../shared/bench/transformer_step.py.
//   bench train-step --config tiny|small|base --threads 2 [--repeats 20] [--warmup 3]
// One step = forward + loss + backward + Adam step + zero_grad (reference_model.h). The data are random
// full-length sequences, tokens uniform in [3, V), no padding (the padding masks are still built and
// applied), four batches used in turn: the same work as PyTorch's side. Prints one JSON line:
// step_ms_median/min/max, tgt_tokens_per_s, gflops (model.py's matmul FLOPs / median time), peak_rss_mib.
// --profile adds one more step after the timed ones, under the per-op profiler (autograd/profiler.h): its
// table goes to stderr, its totals into the JSON line under "profile".
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "autograd/autograd.h"
#include "bench/bench.h"
#include "bench/reference_model.h"

namespace tapegrad::bench {
namespace {

// Random tokens uniform in [3, vocab_size): no PAD, BOS or EOS, as transformer_step.py draws them.
Tensor random_tokens(int64_t rows, int64_t columns, int64_t vocab_size, Generator& generator) {
    std::vector<int64_t> tokens(static_cast<std::size_t>(rows * columns));
    for (int64_t& token : tokens) token = generator.next_int(3, vocab_size);
    return from_vector(tokens, {rows, columns});
}

// A target sequence of T + 1 tokens gives the decoder input (its first T) and the labels (its last T).
TokenBatch random_batch(const ReferenceConfig& config, Generator& generator) {
    const Tensor source = random_tokens(config.batch, config.source_length, config.source_vocab_size, generator);
    const Tensor target = random_tokens(config.batch, config.target_length + 1, config.target_vocab_size, generator);
    return {.source = source,
            .target_input = narrow(target, 1, 0, config.target_length).contiguous(),
            .labels = narrow(target, 1, 1, config.target_length).contiguous()};
}

}  // namespace

int train_step_main(const std::vector<std::string>& args) {
    namespace po = boost::program_options;
    std::string config_name;
    int threads = 0, repeats = 0, warmup = 0;
    bool profile = false;
    po::options_description options(
        "bench train-step: wall time of one training step (forward, loss, backward, Adam, zero_grad) of a\n"
        "reference Transformer (../shared/bench/model.py)");
    options.add_options()
        ("help,h", "this help")
        ("config", po::value(&config_name)->required(), "tiny, small or base")
        ("threads", po::value(&threads)->default_value(omp_get_max_threads()), "OpenMP threads")
        ("repeats", po::value(&repeats)->default_value(0),
         "timed steps; the median is reported (0: 20, or 10 for base)")
        ("warmup", po::value(&warmup)->default_value(3),
         "untimed steps first (allocations, first-touch of pages, Adam's state)")
        ("profile", po::bool_switch(&profile), "profile one more step: per-op table on stderr, totals in the JSON");
    po::variables_map vm;
    if (!parse_options(options, args, vm)) return 0;
    const ReferenceConfig& config = reference_config(config_name);
    if (threads <= 0) throw std::invalid_argument(fmt::format("--threads must be positive, got {}", threads));
    if (repeats < 0 || warmup < 0)
        throw std::invalid_argument(fmt::format("--repeats and --warmup must not be negative, got {} and {}", repeats, warmup));
    if (repeats == 0) repeats = config.name == "base" ? 10 : 20;
    omp_set_num_threads(threads);

    const double rss_before_model_mib = peak_rss_mib();  // the process alone: what the step adds is the rest
    Generator model_generator(0);
    nn::Seq2SeqTransformer model(model_options(config), model_generator);
    model.train();
    optim::Adam optimizer(model.named_parameters(), adam_options());
    Generator data_generator(1);
    std::vector<TokenBatch> batches;
    for (int i = 0; i < 4; ++i) batches.push_back(random_batch(config, data_generator));

    int64_t step = 0;
    double loss = 0;
    for (int i = 0; i < warmup; ++i) loss = train_step(model, optimizer, batches[step++ % batches.size()]);
    std::vector<double> step_ms;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        loss = train_step(model, optimizer, batches[step++ % batches.size()]);
        step_ms.push_back(milliseconds_since(start));
    }
    const Summary summary = summarize(step_ms);
    const int64_t target_tokens = config.batch * config.target_length;  // no padding: every label counts
    const double flops = matmul_flops_per_step(config);
    nlohmann::json record = {
        {"bench", "train-step"}, {"config", config.name}, {"threads", threads},
        {"params", model.parameter_count()}, {"warmup_steps", warmup}, {"steps", repeats},
        {"step_ms_median", summary.median}, {"step_ms_min", summary.min}, {"step_ms_max", summary.max},
        {"tgt_tokens_per_step", target_tokens},
        {"tgt_tokens_per_s", static_cast<double>(target_tokens) / (summary.median * 1e-3)},
        {"matmul_gflop_per_step", flops / 1e9}, {"gflops", flops / (summary.median * 1e-3) / 1e9},
        {"peak_rss_mib", peak_rss_mib()}, {"rss_before_model_mib", rss_before_model_mib}, {"final_loss", loss}};
    if (profile) {
        // After the timed steps, so that the profiler's clock reads cost them nothing.
        Profiler profiler;
        train_step(model, optimizer, batches[step++ % batches.size()]);
        const Profile result = profiler.stop();
        std::fprintf(stderr, "%s", result.table().c_str());
        record["profile"] = {{"total_ms", result.total_ms}, {"forward_ms", result.forward_ms()},
                             {"backward_ms", result.backward_ms()}, {"sections_ms", result.sections_ms},
                             {"allocations", result.allocations}, {"system_allocations", result.system_allocations},
                             {"tensor_peak_mib", result.peak_mib}};
    }
    print_json_line(record);
    return 0;
}

}  // namespace tapegrad::bench
