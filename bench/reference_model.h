// The Transformer the benchmarks train, as ../shared/bench/model.py defines it: the reference configs
// tiny/small/base, the model and optimizer built from one, one training step, and the step's matmul FLOPs.
#pragma once

#include <cstdint>
#include <string>

#include "nn/seq2seq.h"
#include "optim/adam.h"

namespace tapegrad::bench {

// Token ids shared by source and target vocabularies (model.py's PAD, BOS, EOS).
constexpr int64_t kPad = 0;
constexpr int64_t kBos = 1;
constexpr int64_t kEos = 2;

// One of model.py's CONFIGS (issue "Performance", reference configs).
struct ReferenceConfig {
    std::string name;
    int64_t embed_dim = 0;           // d
    int64_t num_heads = 0;           // nhead
    int64_t num_encoder_layers = 0;  // n_enc
    int64_t num_decoder_layers = 0;  // n_dec
    int64_t ff_dim = 0;              // ff
    int64_t source_vocab_size = 0;   // vs
    int64_t target_vocab_size = 0;   // vt
    int64_t batch = 0;               // B
    int64_t source_length = 0;       // S
    int64_t target_length = 0;       // T
    double dropout = 0.1;
};

// "tiny", "small" or "base"; throws std::invalid_argument naming the choices otherwise.
const ReferenceConfig& reference_config(const std::string& name);

// Post-norm, ReLU, dropout everywhere, final encoder and decoder LayerNorm, untied output Linear,
// embeddings N(0, 1/d)·√d + sinusoidal positions: the architecture model.py describes.
nn::Seq2SeqTransformerOptions model_options(const ReferenceConfig& config);

// Adam(lr, betas = (0.9, 0.98), eps = 1e-9), as model.py's make_optimizer.
optim::AdamOptions adam_options(double lr = 1e-3);

// A batch of token ids, each int64: source (B, S), target_input (B, T) fed to the decoder, labels (B, T)
// (target_input shifted by one), PAD where there is no token.
struct TokenBatch {
    Tensor source;
    Tensor target_input;
    Tensor labels;
};

// One training step as model.py's train_step: forward, cross-entropy (ignore_index = PAD, mean over the
// non-PAD labels), backward, optimizer step, zero_grad. Returns the loss.
double train_step(nn::Seq2SeqTransformer& model, optim::Optimizer& optimizer, const TokenBatch& batch);

// The matmul FLOPs of one training step counted as model.py's matmul_flops_per_step: the Linear layers,
// attention's Q·Kᵀ and weights·V and the output projection, 2 FLOPs per multiply-add, the step taken as
// 3× the forward. Elementwise work, softmax, LayerNorm and embeddings are left out.
double matmul_flops_per_step(const ReferenceConfig& config);

}  // namespace tapegrad::bench
