#include "examples/long_range/parallelism.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include <omp.h>

#include "examples/long_range/recall_task.h"
#include "nn/seq2seq.h"
#include "nn/seq2seq_lstm.h"

namespace tapegrad::long_range {

namespace {

// The median wall time of `repeats` calls of `work`, after one untimed call (allocations, caches).
double median_seconds(int repeats, const std::function<void()>& work) {
    work();
    std::vector<double> seconds;
    for (int k = 0; k < std::max(1, repeats); ++k) {
        const auto start = std::chrono::steady_clock::now();
        work();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

// The most likely next tokens (B, 1) from logits (B, n, V) at their last position.
Tensor next_tokens(const Tensor& logits) {
    return argmax(select(logits, 1, logits.size(1) - 1), 1).reshape({logits.size(0), 1});
}

}  // namespace

StepTime time_training_step(SequenceModel& model, int64_t length, int64_t batch, int threads, int repeats,
                            Generator& generator) {
    const int previous_threads = omp_get_max_threads();
    omp_set_num_threads(threads);
    model.train();
    // The recall task's batches at distance length − 1: sequences of exactly `length` tokens.
    const RecallBatch data = make_recall_batch(length - 1, batch, model.options().vocab_size, generator);
    const double seconds = median_seconds(repeats, [&] {
        Tensor loss = cross_entropy(model.forward(data.tokens), data.answers);
        loss.backward();
        model.zero_grad();
    });
    omp_set_num_threads(previous_threads);
    return {.model = model.label(), .length = length, .threads = threads, .seconds = seconds,
            .sequential_steps = model.sequential_steps(length)};
}

std::vector<DecodeTime> time_greedy_decoding(const SequenceModelOptions& options, int64_t lstm_hidden_size,
                                             const std::vector<int64_t>& output_lengths,
                                             const DecodeSettings& settings, Generator& generator) {
    const int previous_threads = omp_get_max_threads();
    omp_set_num_threads(settings.threads);
    const int64_t longest = *std::max_element(output_lengths.begin(), output_lengths.end());
    nn::Seq2SeqTransformer transformer(
        nn::Seq2SeqTransformerOptions{.source_vocab_size = settings.vocab_size, .target_vocab_size = settings.vocab_size,
                                      .embed_dim = options.embed_dim, .num_heads = options.num_heads,
                                      .num_encoder_layers = options.num_layers, .num_decoder_layers = options.num_layers,
                                      .ff_dim = options.ff_dim, .dropout = 0.0,
                                      .max_len = std::max(longest, settings.source_length) + 1, .pad_id = -1},
        generator);
    nn::Seq2SeqLSTM lstm(
        nn::Seq2SeqLSTMOptions{.source_vocab_size = settings.vocab_size, .target_vocab_size = settings.vocab_size,
                               .embed_dim = options.embed_dim, .hidden_size = lstm_hidden_size + lstm_hidden_size % 2,
                               .dropout = 0.0, .pad_id = -1},
        generator);
    transformer.eval();
    lstm.eval();
    NoGradGuard no_grad;
    const RecallBatch source = make_recall_batch(settings.source_length - 1, settings.batch, settings.vocab_size, generator);
    const Tensor start_tokens = zeros({settings.batch, 1}, {.dtype = DType::Int64});  // token 0 stands for BOS

    // Any Seq2SeqModel through its decoder state: the Transformer's state is its KV cache, the LSTM's its h, c.
    auto decode_with_state = [&](nn::Seq2SeqModel& model, int64_t n) {
        std::unique_ptr<nn::DecoderState> state = model.start_decoding(source.tokens);
        Tensor tokens = start_tokens;
        for (int64_t t = 0; t < n; ++t) tokens = next_tokens(model.decode_step(tokens, *state));
    };
    // The Transformer without a cache: each step decodes the whole prefix again and keeps the last position.
    auto decode_without_cache = [&](int64_t n) {
        const Tensor memory = transformer.encode(source.tokens);
        Tensor prefix = start_tokens;
        for (int64_t t = 0; t < n; ++t) {
            prefix = concat({prefix, next_tokens(transformer.decode(prefix, memory, source.tokens))}, 1);
        }
    };

    std::vector<DecodeTime> times;
    for (int64_t n : output_lengths) {
        times.push_back({"Transformer, KV cache", n, median_seconds(settings.repeats, [&] { decode_with_state(transformer, n); })});
        times.push_back({"Transformer, no cache", n, median_seconds(settings.repeats, [&] { decode_without_cache(n); })});
        times.push_back({"LSTM", n, median_seconds(settings.repeats, [&] { decode_with_state(lstm, n); })});
    }
    omp_set_num_threads(previous_threads);
    return times;
}

}  // namespace tapegrad::long_range
