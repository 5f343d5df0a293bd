// bench learn-reverse: how long the tiny reference Transformer takes to learn to reverse sequences, the
// counterpart of ../shared/bench/learn_reverse.py, protocol for protocol:
//   bench learn-reverse --threads 2 [--cap 300] [--target 0.95]
// Task: tokens uniform in 3..63, length uniform in 8..14; source = the tokens padded with PAD to 16;
// y = BOS + reversed tokens + EOS padded to 17; decoder input y[:, :16], labels y[:, 1:]. A fresh
// random batch of 64 every step. Adam lr 1e-3 (0.9, 0.98, 1e-9) with linear warm-up: update s (from 0)
// uses lr · min(1, (s + 1) / 100). Every 100 steps, greedy decoding (eval mode, no tape) of 500 held-out
// sequences from a fixed seed; a sequence counts when the whole output up to and including EOS is right.
// train_s counts only the training steps and the scheduler (not data generation, not evaluation);
// wall_s everything since training began. Stops at the target exact match or once wall_s reaches --cap.
// Progress lines go to stderr; the result is one JSON line on stdout.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "autograd/autograd.h"
#include "bench/bench.h"
#include "bench/reference_model.h"
#include "nn/greedy_decode.h"
#include "nn/kv_cache.h"
#include "optim/lr_schedule.h"

namespace tapegrad::bench {
namespace {

constexpr int64_t kLength = 16;  // S = T: 14 tokens at most, plus BOS (decoder input) or EOS (labels)

// n reversal examples: the tokens of each row (what is to be reversed) and the batch built from them.
struct ReversalExamples {
    std::vector<std::vector<int64_t>> tokens;
    TokenBatch batch;
};

ReversalExamples make_examples(int64_t n, Generator& generator) {
    ReversalExamples examples;
    std::vector<int64_t> source(static_cast<std::size_t>(n * kLength), kPad);
    std::vector<int64_t> y(static_cast<std::size_t>(n * (kLength + 1)), kPad);  // BOS, reversed, EOS, PAD...
    for (int64_t row = 0; row < n; ++row) {
        const int64_t length = generator.next_int(8, 15);
        std::vector<int64_t> tokens(static_cast<std::size_t>(length));
        for (int64_t& token : tokens) token = generator.next_int(3, 64);
        int64_t* y_row = &y[row * (kLength + 1)];
        y_row[0] = kBos;
        for (int64_t i = 0; i < length; ++i) {
            source[row * kLength + i] = tokens[i];
            y_row[1 + i] = tokens[length - 1 - i];
        }
        y_row[length + 1] = kEos;
        examples.tokens.push_back(std::move(tokens));
    }
    const Tensor y_tensor = from_vector(y, {n, kLength + 1});
    examples.batch = {.source = from_vector(source, {n, kLength}),
                      .target_input = narrow(y_tensor, 1, 0, kLength).contiguous(),
                      .labels = narrow(y_tensor, 1, 1, kLength).contiguous()};
    return examples;
}

// Fraction of the examples whose greedy output is exactly the reversed tokens followed by EOS.
// greedy_decode stops each row at EOS and leaves EOS out, so a row of the right tokens was ended by EOS
// exactly when it is no longer than them (the longest source is 14 < kLength decoding steps).
double exact_match(nn::Seq2SeqTransformer& model, const ReversalExamples& examples) {
    const std::vector<std::vector<int64_t>> outputs = nn::greedy_decode(model, examples.batch.source, kLength, kBos, kEos);
    int64_t correct = 0;
    for (std::size_t row = 0; row < outputs.size(); ++row) {
        const std::vector<int64_t>& tokens = examples.tokens[row];
        correct += std::equal(outputs[row].begin(), outputs[row].end(), tokens.rbegin(), tokens.rend());
    }
    return static_cast<double>(correct) / static_cast<double>(outputs.size());
}

// For the curve, as learn_reverse.py rounds it (dividing keeps 3.07 from printing as 3.0700000000000003).
double round_to(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

}  // namespace

int learn_reverse_main(const std::vector<std::string>& args) {
    namespace po = boost::program_options;
    int threads = 0;
    int64_t eval_every = 0, warmup = 0;
    double cap_s = 0, target = 0, lr = 0;
    po::options_description options(
        "bench learn-reverse: seconds of training until the tiny reference Transformer reverses held-out\n"
        "sequences exactly (../shared/bench/learn_reverse.py's protocol)");
    options.add_options()
        ("help,h", "this help")
        ("threads", po::value(&threads)->default_value(omp_get_max_threads()), "OpenMP threads")
        ("cap", po::value(&cap_s)->default_value(300.0), "stop once this many wall seconds have passed (checked at evaluations)")
        ("target", po::value(&target)->default_value(0.95), "stop at this held-out exact match")
        ("eval-every", po::value(&eval_every)->default_value(100), "steps between evaluations")
        ("lr", po::value(&lr)->default_value(1e-3), "Adam's learning rate after the warm-up")
        ("warmup", po::value(&warmup)->default_value(100), "steps of linear learning-rate warm-up");
    po::variables_map vm;
    if (!parse_options(options, args, vm)) return 0;
    if (threads <= 0 || eval_every <= 0 || warmup < 0 || cap_s <= 0 || lr <= 0)
        throw std::invalid_argument("--threads, --eval-every, --cap and --lr must be positive, --warmup not negative");
    omp_set_num_threads(threads);

    const ReferenceConfig& config = reference_config("tiny");
    Generator model_generator(0);
    nn::Seq2SeqTransformer model(model_options(config), model_generator);
    model.train();
    optim::Adam optimizer(model.named_parameters(), adam_options(lr));
    optim::Scheduler scheduler(optimizer, optim::linear_warmup({.lr = lr, .warmup_steps = warmup}));
    Generator train_generator(1), eval_generator(12345);
    const ReversalExamples held_out = make_examples(500, eval_generator);

    nlohmann::json curve = nlohmann::json::array();
    double train_s = 0, wall_s = 0, exact = 0, loss = 0;
    int64_t step = 0;
    bool reached = false;
    const auto start = std::chrono::steady_clock::now();
    while (true) {
        const ReversalExamples examples = make_examples(config.batch, train_generator);  // in wall_s, not train_s
        const auto step_start = std::chrono::steady_clock::now();
        loss = train_step(model, optimizer, examples.batch);
        scheduler.step();
        ++step;
        train_s += milliseconds_since(step_start) * 1e-3;
        if (step % eval_every != 0) continue;
        exact = exact_match(model, held_out);
        wall_s = milliseconds_since(start) * 1e-3;
        curve.push_back({{"step", step}, {"train_s", round_to(train_s, 2)}, {"wall_s", round_to(wall_s, 2)},
                         {"loss", round_to(loss, 4)}, {"exact_match", exact}});
        std::fprintf(stderr, "step %5lld train %6.1fs wall %6.1fs loss %.4f exact %.3f\n", static_cast<long long>(step),
                     train_s, wall_s, loss, exact);
        if (exact >= target) {
            reached = true;
            break;
        }
        if (wall_s >= cap_s) break;
    }
    print_json_line({{"bench", "learn-reverse"}, {"threads", threads}, {"target", target}, {"steps", step},
                     {"train_s", train_s}, {"wall_s", wall_s}, {"exact_match", exact}, {"reached", reached},
                     {"final_loss", loss}, {"peak_rss_mib", peak_rss_mib()}, {"curve", curve}});
    return 0;
}

}  // namespace tapegrad::bench
