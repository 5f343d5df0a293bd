// The reference configs, model options, optimizer, training step and FLOP count of ../shared/bench/model.py.
#include "bench/reference_model.h"

#include <stdexcept>

#include <fmt/format.h>

#include "autograd/autograd.h"

namespace tapegrad::bench {

const ReferenceConfig& reference_config(const std::string& name) {
    static const ReferenceConfig configs[] = {
        {.name = "tiny", .embed_dim = 64, .num_heads = 4, .num_encoder_layers = 2, .num_decoder_layers = 2,
         .ff_dim = 256, .source_vocab_size = 64, .target_vocab_size = 64, .batch = 64, .source_length = 16,
         .target_length = 16},
        {.name = "small", .embed_dim = 128, .num_heads = 4, .num_encoder_layers = 3, .num_decoder_layers = 3,
         .ff_dim = 512, .source_vocab_size = 1000, .target_vocab_size = 1000, .batch = 32, .source_length = 32,
         .target_length = 32},
        {.name = "base", .embed_dim = 256, .num_heads = 8, .num_encoder_layers = 3, .num_decoder_layers = 3,
         .ff_dim = 1024, .source_vocab_size = 8000, .target_vocab_size = 8000, .batch = 32, .source_length = 64,
         .target_length = 64},
    };
    for (const ReferenceConfig& config : configs)
        if (config.name == name) return config;
    throw std::invalid_argument(fmt::format("--config must be tiny, small or base, got '{}'", name));
}

nn::Seq2SeqTransformerOptions model_options(const ReferenceConfig& config) {
    return {.source_vocab_size = config.source_vocab_size,
            .target_vocab_size = config.target_vocab_size,
            .embed_dim = config.embed_dim,
            .num_heads = config.num_heads,
            .num_encoder_layers = config.num_encoder_layers,
            .num_decoder_layers = config.num_decoder_layers,
            .ff_dim = config.ff_dim,
            .dropout = config.dropout,
            .activation = nn::Activation::ReLU,
            .norm_first = false,
            .max_len = 512,
            .pad_id = kPad,
            .tie_target_embeddings = false};
}

optim::AdamOptions adam_options(double lr) { return {.lr = lr, .betas = {0.9, 0.98}, .eps = 1e-9}; }

double train_step(nn::Seq2SeqTransformer& model, optim::Optimizer& optimizer, const TokenBatch& batch) {
    const Tensor logits = model.forward(batch.source, batch.target_input);  // (B, T, V)
    const int64_t vocab = logits.size(-1);
    const Tensor loss = cross_entropy(logits.reshape({-1, vocab}), batch.labels.reshape({-1}), {.ignore_index = kPad});
    loss.backward();
    {
        ProfileSection section("optimizer step");  // a --profile table's row; nothing otherwise
        optimizer.step();
    }
    {
        ProfileSection section("zero_grad");
        optimizer.zero_grad();
    }
    return loss.item();
}

double matmul_flops_per_step(const ReferenceConfig& config) {
    const double d = config.embed_dim, ff = config.ff_dim, B = config.batch;
    const double S = config.source_length, T = config.target_length;
    const double source_tokens = B * S, target_tokens = B * T;
    // Multiply-adds of one forward: projections 4d² and feed-forward 2·d·ff per token, attention 2·L·d per query.
    const double encoder_layer = source_tokens * (4 * d * d + 2 * d * ff) + 2 * B * S * S * d;
    const double decoder_layer = target_tokens * (4 * d * d + 2 * d * ff) + 2 * B * T * T * d  // self-attn + ff
                                 + target_tokens * 2 * d * d + source_tokens * 2 * d * d      // cross-attn q, o; k, v
                                 + 2 * B * T * S * d;                                         // cross-attn scores, values
    const double output_projection = target_tokens * d * static_cast<double>(config.target_vocab_size);
    const double forward_macs = static_cast<double>(config.num_encoder_layers) * encoder_layer +
                                static_cast<double>(config.num_decoder_layers) * decoder_layer + output_projection;
    return 3 * 2 * forward_macs;
}

}  // namespace tapegrad::bench
